"""Recursive-descent JQL parser.

Grammar (case-insensitive keywords)::

    query    := [or_expr] [ORDER BY sort ("," sort)*] EOF
    or_expr  := and_expr (OR and_expr)*
    and_expr := not_expr (AND not_expr)*
    not_expr := NOT not_expr | "(" or_expr ")" | clause
    clause   := field op operand | field (IN | NOT IN) list | field IS [NOT] (EMPTY | NULL)
    operand  := word | string | function | EMPTY | NULL
    list     := "(" operand ("," operand)* ")" | function
    function := word "(" [arg ("," arg)*] ")"
    sort     := field [ASC | DESC]
"""

from __future__ import annotations

from sandbox.jql.ast import Clause, Empty, Expr, Func, Logical, Not, Operand, Query, SortKey, Value
from sandbox.jql.errors import JqlError
from sandbox.jql.lexer import Token, tokenize

_OPS_MESSAGE = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)


def parse(query: str) -> Query:
    """Parse a JQL string into a ``Query`` or raise ``JqlError`` with Jira's message."""
    return _Parser(tokenize(query or "")).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    # -- helpers ----------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def at_keyword(self, *words: str) -> bool:
        return self.tok.kind == "keyword" and self.tok.lower in words

    def at_punct(self, ch: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == ch

    def error(self, expecting: str) -> JqlError:
        t = self.tok
        got = "end of query" if t.kind == "eof" else f"'{t.text}'"
        hint = f" {_OPS_MESSAGE}" if expecting == "operator" else ""
        return JqlError(
            f"Error in the JQL Query: Expecting {expecting} but got {got}.{hint} "
            f"(line 1, character {t.position})"
        )

    # -- grammar ----------------------------------------------------------------------------
    def query(self) -> Query:
        where: Expr | None = None
        if not self.at_keyword("order") and self.tok.kind != "eof":
            where = self.or_expr()
        order: list[SortKey] = []
        if self.at_keyword("order"):
            self.advance()
            if not self.at_keyword("by"):
                raise self.error("'by'")
            self.advance()
            order.append(self.sort_key())
            while self.at_punct(","):
                self.advance()
                order.append(self.sort_key())
        if self.tok.kind != "eof":
            raise self.error("either 'OR' or 'AND'" if where is not None else "a field name")
        return Query(where, tuple(order))

    def sort_key(self) -> SortKey:
        name = self.field_name()
        descending = False
        if self.at_keyword("asc", "desc"):
            descending = self.advance().lower == "desc"
        return SortKey(name, descending)

    def or_expr(self) -> Expr:
        parts = [self.and_expr()]
        while self.at_keyword("or"):
            self.advance()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Logical("or", tuple(parts))

    def and_expr(self) -> Expr:
        parts = [self.not_expr()]
        while self.at_keyword("and"):
            self.advance()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else Logical("and", tuple(parts))

    def not_expr(self) -> Expr:
        if self.at_keyword("not"):
            self.advance()
            return Not(self.not_expr())
        if self.at_punct("("):
            self.advance()
            inner = self.or_expr()
            if not self.at_punct(")"):
                raise self.error("')'")
            self.advance()
            return inner
        return self.clause()

    def field_name(self) -> str:
        t = self.tok
        if t.kind in ("word", "string"):
            self.advance()
            return t.text
        raise self.error("a field name")

    def clause(self) -> Clause:
        position = self.tok.position
        name = self.field_name()
        t = self.tok
        if t.kind == "op":
            self.advance()
            return Clause(name, t.text, (self.operand(),), position)
        if self.at_keyword("in"):
            self.advance()
            return Clause(name, "in", self.operand_list(), position)
        if self.at_keyword("not"):
            self.advance()
            if not self.at_keyword("in"):
                raise self.error("'IN'")
            self.advance()
            return Clause(name, "not in", self.operand_list(), position)
        if self.at_keyword("is"):
            self.advance()
            op = "is"
            if self.at_keyword("not"):
                self.advance()
                op = "is not"
            if not self.at_keyword("empty", "null"):
                raise self.error("'EMPTY' or 'NULL'")
            self.advance()
            return Clause(name, op, (Empty(),), position)
        if t.kind == "word" and t.lower in ("was", "changed"):
            # Jira has these history operators; the sandbox does not, and says so plainly.
            raise JqlError(
                f"Error in the JQL Query: the history operator '{t.text.upper()}' is not "
                f"supported by the sandbox. (line 1, character {t.position})"
            )
        raise self.error("operator")

    def operand_list(self) -> tuple[Operand, ...]:
        if not self.at_punct("("):
            if self.tok.kind == "word" and self.tokens[self.i + 1].text == "(":
                return (self.operand(),)
            raise self.error("'('")
        self.advance()
        items = [self.operand()]
        while self.at_punct(","):
            self.advance()
            items.append(self.operand())
        if not self.at_punct(")"):
            raise self.error("')'")
        self.advance()
        return tuple(items)

    def operand(self) -> Operand:
        t = self.tok
        if t.kind == "string":
            self.advance()
            return Value(t.text, quoted=True)
        if self.at_keyword("empty", "null"):
            self.advance()
            return Empty()
        if t.kind == "word":
            self.advance()
            if self.at_punct("("):
                return self.function_call(t.text)
            return Value(t.text)
        raise self.error("either a value, 'EMPTY' or a function")

    def function_call(self, name: str) -> Func:
        self.advance()  # "("
        args: list[str] = []
        if not self.at_punct(")"):
            while True:
                t = self.tok
                if t.kind not in ("word", "string"):
                    raise self.error("a function argument")
                args.append(self.advance().text)
                if self.at_punct(","):
                    self.advance()
                    continue
                break
        if not self.at_punct(")"):
            raise self.error("')'")
        self.advance()
        return Func(name, tuple(args))
