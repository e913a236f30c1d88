"""The JQL tokenizer: words, quoted strings, operators and punctuation, with positions."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.jql.errors import JqlError

KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
OPERATORS = ("!=", ">=", "<=", "!~", "=", ">", "<", "~")
PUNCT = "(),"
# Characters Jira accepts in an unquoted word (keys like ALPHA-1, dates like 2026-11-28,
# relative dates like -15m, emails, cf[10010]).
_WORD_EXTRA = set("-_.@:/+*[]$#")


@dataclass(frozen=True)
class Token:
    """One token; ``kind`` is word, string, op, punct, keyword or eof."""

    kind: str
    text: str
    position: int  # 1-based character index, as Jira reports it

    @property
    def lower(self) -> str:
        """The token text in lower case (keywords are case-insensitive)."""
        return self.text.lower()


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens, or raise ``JqlError`` on an unterminated string."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if ch in "\"'":
            i += 1
            buf: list[str] = []
            while i < n and query[i] != ch:
                if query[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(query[i])
                i += 1
            if i >= n:
                raise JqlError(
                    "Error in the JQL Query: The quoted string "
                    f"'{query[start:]}' has not been completed. "
                    f"(line 1, character {start + 1})"
                )
            i += 1
            tokens.append(Token("string", "".join(buf), start + 1))
            continue
        op = next((o for o in OPERATORS if query.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", op, start + 1))
            i += len(op)
            continue
        if ch in PUNCT:
            tokens.append(Token("punct", ch, start + 1))
            i += 1
            continue
        if ch.isalnum() or ch in _WORD_EXTRA:
            while i < n and (query[i].isalnum() or query[i] in _WORD_EXTRA):
                i += 1
            word = query[start:i]
            kind = "keyword" if word.lower() in KEYWORDS else "word"
            tokens.append(Token(kind, word, start + 1))
            continue
        raise JqlError(
            f"Error in the JQL Query: The character '{ch}' is a reserved JQL character. "
            f"You must enclose it in a string or use the escape '\\u{ord(ch):04x}' instead. "
            f"(line 1, character {start + 1})"
        )
    tokens.append(Token("eof", "", n + 1))
    return tokens
