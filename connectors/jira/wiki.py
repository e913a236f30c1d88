r"""Jira wiki markup (REST API v2 rich text) <-> the plain text a workbook cell holds.

Jira's description, environment and multi-line ("textarea") custom fields hold wiki
markup over API v2, so ``*bold*`` or ``[title|http://url]`` would otherwise reach a cell
verbatim. ``to_plain`` gives the text a person reads on the issue; ``from_plain`` gives
markup that Jira renders as exactly a cell's text. Single-line fields are plain text in
Jira and never pass through here (``is_rich_text``).

The escaping rule of ``from_plain`` (Atlassian's text-formatting notation, backslash
escapes):

- ``{ } [ ]`` always: macros, monospace, links, mentions and anchors need no word
  boundary, and prose rarely has them.
- the phrase marks ``* _ - + ^ ~`` and ``??`` (citation) where they could open a span:
  not right after a letter or digit, and right before a non-space (``2*3``, ``ALPHA-1``,
  ``a - b``, ``C++`` and ``Really??`` stay; ``*stars*`` becomes ``\*stars*``). A mark
  that can only close needs no escape, since every possible opener is escaped. ``!``
  (an image) when a non-space follows it (``Done!`` stays). ``--`` and ``---`` (dashes)
  are covered by the ``-`` rule.
- at a line's start (after its indentation): ``|`` (a table row), the first marker of
  ``* `` / ``# `` / ``- `` lists, the dot of ``h1.``-``h6.`` and ``bq.``.
- a backslash that the next character would turn into an escape or a forced line break
  (``\\``) is written ``&#92;``; an ``&`` that starts a character reference is ``&#38;``.
- whitespace, line breaks and everything else are left as typed.

``to_plain(from_plain(t)) == t`` for every text t (tests/jira/test_wiki.py proves it with
hypothesis): ``to_plain`` only ever reads a mark as markup where ``from_plain`` escapes it.
Emoticons (``:)``, ``(y)``) and bare URLs are text on both sides; Jira shows an icon or a
link for them, their characters unchanged.
"""

from __future__ import annotations

import html.entities
import re
from typing import Any

RICH_SYSTEM_FIELDS = frozenset({"description", "environment"})
TEXTAREA_SUFFIX = ":textarea"

ESCAPABLE = frozenset("*_-+^~?{}[]|!#.")
"""Characters a backslash turns into themselves (a backslash before anything else stays)."""
PHRASE_MARKS = "*_-+^~"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LIST = re.compile(r"([*#]+|-)\s")
_LIST_LINE = re.compile(r"([*#]+|-)\s+(.*)", re.DOTALL)
_HEADING = re.compile(r"h([1-6])\.(?:\s+|$)(.*)", re.DOTALL)
_QUOTE_LINE = re.compile(r"bq\.(?:\s+|$)(.*)", re.DOTALL)
_DOTTED_START = re.compile(r"[hH][1-6]\.|[bB][qQ]\.")
_RULE = re.compile(r"-{4,}\s*")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_VERBATIM = re.compile(r"\{(code|noformat)(?::[^}\n]*)?\}")
_WRAPPER = re.compile(r"(\r?\n)?\{(quote|panel)(?::[^}\n]*)?\}(\r?\n)?")
_INLINE_TAG = re.compile(r"\{(?:color(?::[^}\n]*)?|anchor:[^}\n]*)\}")


def is_rich_text(field: Any) -> bool:
    """Whether a Jira field holds wiki markup over API v2 (and so is converted here):
    the system description and environment, or a multi-line text custom field. Kept in
    one place so the reader and the writer can never disagree on a field."""
    if getattr(field, "id", None) in RICH_SYSTEM_FIELDS:
        return True
    custom = getattr(field, "custom_type", None) or ""
    return custom.endswith(TEXTAREA_SUFFIX)


# ---------------------------------------------------------------------------------------
# plain text -> markup
# ---------------------------------------------------------------------------------------
def from_plain(text: str) -> str:
    """``text`` as wiki markup that Jira renders as exactly ``text`` (see the module's
    escaping rule); ordinary prose comes back unchanged."""
    parts = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    out = []
    for index, line in enumerate(parts):
        out.append(_escape_line(line))
        if index < len(breaks):
            out.append(breaks[index])
    return "".join(out)


def _is_open_space(ch: str | None) -> bool:
    """A line's end or whitespace: what the phrase rules see around a mark."""
    return ch is None or ch.isspace()


def _escape_line(line: str) -> str:
    body = line.lstrip()
    start = len(line) - len(body)  # index of the line's first non-whitespace character
    guard_first = bool(body) and (body[0] == "|" or _LIST.match(body) is not None)
    guard_dot = start + 2 if _DOTTED_START.match(body) else None
    out: list[str] = []
    for i, c in enumerate(line):
        before = line[i - 1] if i else None
        if (i == start and guard_first) or i == guard_dot or c in "{}[]":
            out.append("\\" + c)
        elif c in PHRASE_MARKS or c == "!" or (c == "?" and line.startswith("??", i)):
            width = 2 if c == "?" else 1
            after = line[i + width] if i + width < len(line) else None
            opens = not _is_open_space(after) and (c == "!" or not _is_word(before))
            out.append("\\" + c if opens else c)
        elif c == "\\":
            after = line[i + 1] if i + 1 < len(line) else None
            out.append(
                "&#92;" if after is not None and (after in ESCAPABLE or after == "\\") else c
            )
        elif c == "&":
            out.append("&#38;" if _ENTITY.match(line, i) else c)
        else:
            out.append(c)
    return "".join(out)


def _is_word(ch: str | None) -> bool:
    """A letter or digit: a phrase mark right after one opens nothing (``2*3``)."""
    return ch is not None and ch.isalnum()


# ---------------------------------------------------------------------------------------
# markup -> plain text
# ---------------------------------------------------------------------------------------
def to_plain(markup: str) -> str:
    """The text Jira shows for ``markup``: emphasis dropped, links as "title (url)",
    headings, lists ("• item", "1. item") and tables (" | ") as lines, ``{code}`` and
    ``{noformat}`` content verbatim, escapes and ``\\\\`` line breaks resolved."""
    out: list[str] = []
    pos = 0
    for start, end, body in _verbatim_blocks(markup):
        out.append(_blocks(markup[pos:start]))
        out.append(body)
        pos = end
    out.append(_blocks(markup[pos:]))
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd run of backslashes (is escaped;
    an even run is forced line breaks)."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _verbatim_blocks(markup: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of each closed ``{code}`` / ``{noformat}`` block: content
    without the macros and the line breaks right inside them. An unclosed one is text."""
    blocks = []
    pos = 0
    while True:
        opening = _VERBATIM.search(markup, pos)
        if opening is None:
            return blocks
        if _escaped(markup, opening.start()):
            pos = opening.start() + 1
            continue
        closing = markup.find("{" + opening.group(1) + "}", opening.end())
        if closing < 0:
            return blocks
        body = markup[opening.end() : closing]
        body = re.sub(r"^\r?\n", "", body)
        body = re.sub(r"\r?\n$", "", body)
        end = closing + len(opening.group(1)) + 2
        blocks.append((opening.start(), end, body))
        pos = end


def _drop_wrappers(text: str) -> str:
    """``{quote}`` and ``{panel}`` macros removed (their content is rendered markup),
    with the line break just inside each."""
    opened: dict[str, bool] = {}

    def replace(match: re.Match[str]) -> str:
        brace = match.start() + len(match.group(1) or "")
        if _escaped(text, brace):
            return match.group(0)
        name = match.group(2)
        opening = not opened.get(name, False)
        opened[name] = opening
        before, after = match.group(1) or "", match.group(3) or ""
        return before if opening else after

    return _WRAPPER.sub(replace, text)


def _blocks(text: str) -> str:
    text = _drop_wrappers(text)
    parts = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    out: list[str] = []
    counters: list[int] = []
    for index, line in enumerate(parts):
        out.append(_line(line, counters))
        if index < len(breaks):
            out.append(breaks[index])
    return "".join(out)


def _line(line: str, counters: list[int]) -> str:
    """One line as text; ``counters`` numbers ``#`` items by depth across lines."""
    body = line.lstrip()
    listed = _LIST_LINE.fullmatch(body)
    if listed is None:
        counters.clear()
    else:
        marker, rest = listed.groups()
        depth = len(marker) if marker != "-" else 1
        del counters[depth:]
        counters.extend([0] * (depth - len(counters)))
        indent = "  " * (depth - 1)
        if marker.endswith("#"):
            counters[depth - 1] += 1
            return f"{indent}{counters[depth - 1]}. {_inline(rest)}"
        return f"{indent}• {_inline(rest)}"
    heading = _HEADING.fullmatch(body) or _QUOTE_LINE.fullmatch(body)
    if heading is not None:
        return _inline(heading.groups()[-1])
    if _RULE.fullmatch(body):
        return "----"
    if body.startswith("|"):
        return " | ".join(_inline(cell) for cell in _cells(body))
    return _inline(line)


def _cells(row: str) -> list[str]:
    """A ``||head||`` / ``|cell|`` row's cells, pipes inside links and escapes ignored."""
    cells: list[str] = []
    buf: list[str] = []
    depth, i = 0, 0
    while i < len(row):
        c = row[i]
        if c == "\\" and i + 1 < len(row):
            buf.append(row[i : i + 2])
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        elif c == "|" and depth == 0:
            if i:
                cells.append("".join(buf).strip())
            buf = []
            i += 2 if row.startswith("||", i) else 1
            continue
        buf.append(c)
        i += 1
    if "".join(buf).strip():
        cells.append("".join(buf).strip())
    return cells


def _inline(text: str) -> str:
    """One line's phrase markup as text (a ``\\\\`` line break becomes a newline)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "\\":
                out.append("\n")
                i += 2
                continue
            if nxt in ESCAPABLE:
                out.append(nxt)
                i += 2
                continue
        elif c == "&":
            entity = _ENTITY.match(text, i)
            decoded = _decode_entity(entity.group(1)) if entity else None
            if entity and decoded is not None:
                out.append(decoded)
                i = entity.end()
                continue
        elif c == "{":
            if text.startswith("{{", i):
                close = text.find("}}", i + 2)
                if close > i + 2:
                    out.append(_inline(text[i + 2 : close]))
                    i = close + 2
                    continue
            tag = _INLINE_TAG.match(text, i)
            if tag:
                i = tag.end()
                continue
        elif c == "[":
            close = _closing(text, i + 1, "]")
            if close is not None and close > i + 1:
                out.append(_link(text[i + 1 : close]))
                i = close + 1
                continue
        elif c == "!" and i + 1 < n and not text[i + 1].isspace():
            close = text.find("!", i + 1)
            if close > i + 1 and not text[close - 1].isspace():
                out.append(_image(text[i + 1 : close]))
                i = close + 1
                continue
        elif c == "-" and (i == 0 or text[i - 1].isspace()):
            dash = re.match(r"-{2,3}(?=\s|$)", text[i:])
            if dash:
                out.append("\u2014" if len(dash.group(0)) == 3 else "\u2013")
                i += len(dash.group(0))
                continue
        if c in PHRASE_MARKS or (c == "?" and text.startswith("??", i)):
            mark = "??" if c == "?" else c
            span = _phrase(text, i, mark)
            if span is not None:
                out.append(_inline(text[i + len(mark) : span]))
                i = span + len(mark)
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _phrase(text: str, i: int, mark: str) -> int | None:
    """Where the span ``mark`` opens at ``i`` closes, or None when it is no span: it
    opens after a non-letter/digit before a non-space, and closes after a non-space
    before a non-letter/digit, on the same line."""
    width = len(mark)
    before = text[i - 1] if i else None
    after = text[i + width] if i + width < len(text) else None
    if (before is not None and before.isalnum()) or after is None or after.isspace():
        return None
    j = i + width + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(mark, j) and not text[j - 1].isspace():
            follow = text[j + width] if j + width < len(text) else None
            if follow is None or not follow.isalnum():
                return j
        j += 1
    return None


def _closing(text: str, start: int, char: str) -> int | None:
    """The first unescaped ``char`` from ``start``."""
    j = start
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == char:
            return j
        j += 1
    return None


def _link(inner: str) -> str:
    """``[title|url]`` as "title (url)", ``[url]`` as the url, ``[~user]`` as the user,
    ``[^file]`` as the file, ``[#anchor]`` as the anchor."""
    if inner[0] in "~^#":
        name = inner[1:]
        return name.removeprefix("accountid:") if inner[0] == "~" else name
    parts = _split_unescaped(inner, "|")
    if len(parts) == 1:
        target = inner.strip()
        return target.removeprefix("mailto:")
    title, url = _inline(parts[0]).strip(), parts[1].strip()
    shown = url.removeprefix("mailto:")
    return f"{title} ({shown})" if title and title != shown else shown


def _split_unescaped(text: str, char: str) -> list[str]:
    parts, buf, j = [], [], 0
    while j < len(text):
        if text[j] == "\\" and j + 1 < len(text):
            buf.append(text[j : j + 2])
            j += 2
            continue
        if text[j] == char:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(text[j])
        j += 1
    parts.append("".join(buf))
    return parts


def _image(inner: str) -> str:
    """``!path/name.png|thumbnail!`` as "name.png"."""
    source = inner.split("|", 1)[0].strip()
    return source.rstrip("/").rsplit("/", 1)[-1] or source


def _decode_entity(name: str) -> str | None:
    """The character a reference stands for, or None (then it stays text)."""
    if name.startswith("#"):
        digits = name[1:]
        code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return html.entities.html5.get(name + ";")


__all__ = ["from_plain", "is_rich_text", "to_plain"]
