"""Shared strings and OOXML string escapes.

Cells with t="s" hold an index into sharedStrings.xml; rich text is split into runs
(<r><t>) and may carry phonetic guides (<rPh>) that are not part of the value.
Control characters are escaped as _xHHHH_ in both directions.
"""

from __future__ import annotations

import re

from lxml import etree

from .package import NS_MAIN

_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_T = f"{{{NS_MAIN}}}t"
_R = f"{{{NS_MAIN}}}r"
_SI = f"{{{NS_MAIN}}}si"
_NEEDS_ESCAPE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def unescape_ooxml(text: str) -> str:
    """Decode _xHHHH_ escapes ("_x000D_" -> "\\r")."""
    if "_x" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def escape_ooxml(text: str) -> str:
    """Encode characters XML 1.0 cannot carry, plus literal _xHHHH_ sequences so they
    survive the round trip (CR is written as &#13; by the cell writer instead)."""
    if not _NEEDS_ESCAPE_RE.search(text):
        return text

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if s.startswith("_x"):
            return "_x005F" + s[1:]
        return f"_x{ord(s):04X}_"

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
