"""Shared strings and OOXML string escapes.

Cells with t="s" hold an index into sharedStrings.xml; rich text is split into runs
(<r><t>) and may carry phonetic guides (<rPh>) that are not part of the value.

Cell text is an ST_Xstring (ECMA-376 Part 1, 22.9.2.19): a character XML 1.0 cannot
carry is written as ``_xHHHH_`` (its UTF-16 code unit in hex), and an underscore that
would otherwise start such a sequence is itself escaped as ``_x005F_``, so the literal
text ``_x0041_`` is written ``_x005F_x0041_`` (what Excel writes). Readers (Excel,
LibreOffice, ours) decode left to right without overlap. LibreOffice is laxer than the
standard: it also decodes escapes of one to three hex digits (``_x1F_``, ``_x5F_``) of
control characters and the underscore, so lookalikes of those are escaped as well.

Some characters have no representation a spreadsheet reads back: NUL, lone surrogates
(U+D800-U+DFFF) and the non-characters U+FFFE/U+FFFF. Their ``_xHHHH_`` forms exist,
but LibreOffice drops ``_xD800_``, openpyxl decodes no escape at all, and Excel cannot
hold NUL in a cell; so the writer refuses them (``UnstorableText``) instead of
writing a cell that reads back as something else. The sync layer replaces them before
it writes.
"""

from __future__ import annotations

import re

from lxml import etree

from .package import NS_MAIN

_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_T = f"{{{NS_MAIN}}}t"
_R = f"{{{NS_MAIN}}}r"
_SI = f"{{{NS_MAIN}}}si"
_CONTROL = "\x01-\x08\x0b\x0c\x0e-\x1f"
# What the writer escapes: C0 controls other than tab/LF/CR, and every underscore that
# starts an _xHHHH_ lookalike. LibreOffice also decodes escapes of one to three hex
# digits ("_x1F_"), so those lookalikes are escaped too (harmless for strict readers).
# A control character counts as the lookalike's closing underscore because its own
# escape begins with one: "_x0041" + "\x01" would otherwise become "_x0041_x0001_",
# which decodes as "A" + "x0001_".
_NEEDS_ESCAPE_RE = re.compile(f"[{_CONTROL}]|_(?=x[0-9A-Fa-f]{{1,4}}(?:_|[{_CONTROL}]))")
UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")


class UnstorableCharacter(ValueError):
    """Text holds a character no workbook can store (see the module docstring)."""

    def __init__(self, code_point: int, position: int, cell: str = "") -> None:
        self.code_point = code_point
        self.position = position  # 0-based index in the text
        self.cell = cell  # A1 address, when known
        super().__init__(f"cell {cell}: {self.reason}" if cell else self.reason)

    @property
    def reason(self) -> str:
        return (
            f"the text holds U+{self.code_point:04X} at character {self.position + 1}, which "
            "no workbook can store (XML 1.0 cannot carry NUL, lone surrogates "
            "U+D800-U+DFFF, U+FFFE or U+FFFF)"
        )

    def at(self, cell: str) -> UnstorableCharacter:
        """The same error, naming the cell the text was for."""
        return UnstorableCharacter(self.code_point, self.position, cell)


def unescape_ooxml(text: str) -> str:
    """Decode _xHHHH_ escapes ("_x000D_" -> "\\r", "_x005F_x0041_" -> "_x0041_").

    Escaped surrogate pairs (some producers write "_xD83D__xDE00_") become the one
    character they encode; a lone escaped surrogate stays as it is."""
    if "_x" not in text:
        return text
    out = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if any("\ud800" <= ch <= "\udfff" for ch in out):
        out = out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return out


def escape_ooxml(text: str) -> str:
    """Text as an ST_Xstring: control characters as _xHHHH_, lookalikes' underscores as
    _x005F_ (CR, LF and tab stay: the cell writer emits CR as &#13;).

    Raises UnstorableCharacter (a ValueError) for NUL, lone surrogates, U+FFFE, U+FFFF.
    """
    bad = UNSTORABLE_RE.search(text)
    if bad is not None:
        raise UnstorableCharacter(ord(bad.group(0)), bad.start())
    if not _NEEDS_ESCAPE_RE.search(text):
        return text

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        return "_x005F_" if s == "_" else f"_x{ord(s):04X}_"

    return _NEEDS_ESCAPE_RE.sub(repl, text)


def rich_text(el: etree._Element) -> str:
    """Text of an <si> or <is> element: plain <t> or the runs' <t>, never <rPh>."""
    parts: list[str] = []
    for child in el:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            t = child.find(_T)
            if t is not None:
                parts.append(t.text or "")
    return unescape_ooxml("".join(parts))


def load_shared_strings(data: bytes | None) -> list[str]:
    """All shared strings in index order (empty list when the part is absent)."""
    if not data:
        return []
    out: list[str] = []
    for _event, el in etree.iterparse(
        BytesSource(data), events=("end",), tag=_SI, huge_tree=True, resolve_entities=False
    ):
        out.append(rich_text(el))
        el.clear()
    return out


class BytesSource:
    """Minimal file-like wrapper so iterparse streams from bytes without a copy."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = len(self._data) - self._pos
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return bytes(chunk)
