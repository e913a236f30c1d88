"""Read cell styles (number formats, quote prefix) and add derived styles to styles.xml.

Reading: a cell's `s` attribute indexes `cellXfs`; its numFmtId says if the number is a
date or a percentage. Writing: a literal text that looks like a formula needs a style
with quotePrefix="1", and a date written into an unformatted cell needs a date format.
Both are derived from the cell's existing style (same font, fill, border, alignment)
and appended to cellXfs by a text splice, so the rest of styles.xml stays byte-identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .numfmt import BUILTIN_FORMATS, FormatKind, classify
from .package import NS_MAIN, parse_xml

_CELLXFS_RE = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?cellXfs>)", re.S)
_XF_RE = re.compile(rb"<((?:\w+:)?)xf\b([^>]*?)(/>|>(.*?)</(?:\w+:)?xf>)", re.S)
_ATTR_RE = re.compile(rb'\s([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_COUNT_RE = re.compile(rb'(\scount\s*=\s*")(\d+)(")')


@dataclass(frozen=True)
class CellStyle:
    """What the reader and writer need to know about one cellXfs entry."""

    num_fmt_id: int
    format_code: str
    kind: FormatKind
    quote_prefix: bool


_DEFAULT = CellStyle(0, "General", FormatKind.GENERAL, False)


class StyleTable:
    """The cellXfs entries of a workbook, resolved to number formats."""

    def __init__(self, styles_xml: bytes | None, *, path: Path | None = None) -> None:
        self.custom_formats: dict[int, str] = {}
        self.xfs: list[CellStyle] = []
        if not styles_xml:
            return
        root = parse_xml(styles_xml, path=path or Path("?"), part="styles.xml")
        for fmt in root.iter(f"{{{NS_MAIN}}}numFmt"):
            try:
                self.custom_formats[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
            except ValueError:
                continue
        cellxfs = root.find(f"{{{NS_MAIN}}}cellXfs")
        for xf in cellxfs if cellxfs is not None else []:
            if not isinstance(xf.tag, str):
                continue
            fmt_id = int(xf.get("numFmtId", "0") or 0)
            code = self.custom_formats.get(fmt_id)
            self.xfs.append(
                CellStyle(
                    num_fmt_id=fmt_id,
                    format_code=code if code is not None else _builtin_code(fmt_id),
                    kind=classify(fmt_id, code),
                    quote_prefix=xf.get("quotePrefix") in ("1", "true"),
                )
            )

    def style(self, index: int) -> CellStyle:
        if 0 <= index < len(self.xfs):
            return self.xfs[index]
        return _DEFAULT


def _builtin_code(fmt_id: int) -> str:
    return BUILTIN_FORMATS.get(fmt_id, "General")


class StyleEditor:
    """Appends derived cellXfs entries to styles.xml, reusing identical ones.

    Works on the raw bytes so everything outside cellXfs (dxfs used by conditional
    formats and tables, x14 extensions, ...) is preserved byte for byte.
    """

    def __init__(self, styles_xml: bytes) -> None:
        self.original = styles_xml
        m = _CELLXFS_RE.search(styles_xml)
        if m is None or m.group(1) is None:
            raise ValueError("styles.xml has no cellXfs list")
        self._span = m.span(1)
        self._xfs: list[tuple[bytes, bytes, bytes | None]] = []  # prefix, attrs, inner
        for xm in _XF_RE.finditer(m.group(1)):
            self._xfs.append((xm.group(1), xm.group(2), xm.group(4)))
        self._added: list[bytes] = []
        self._cache: dict[tuple[int, bytes], int] = {}
        self.changed = False

    @property
    def count(self) -> int:
        return len(self._xfs) + len(self._added)

    def derive(self, base: int, **changes: str) -> int:
        """Index of an xf equal to `base` with attributes changed (added if needed)."""
        base = base if 0 <= base < len(self._xfs) else 0
        if not self._xfs:
            raise ValueError("styles.xml has an empty cellXfs list")
        key = (base, repr(sorted(changes.items())).encode())
        if key in self._cache:
            return self._cache[key]
        prefix, attrs, inner = self._xfs[base]
        pairs = [(k.decode(), v.decode()[1:-1]) for k, v in _ATTR_RE.findall(attrs)]
        current = dict(pairs)
        if all(current.get(k) == v for k, v in changes.items()):
            self._cache[key] = base
            return base
        for k, v in changes.items():
            if k in current:
                pairs = [(pk, v if pk == k else pv) for pk, pv in pairs]
            else:
                pairs.append((k, v))
        new_attrs = "".join(f' {k}="{v}"' for k, v in pairs).encode()
        candidate_inner = inner
        for i, (p, a, inn) in enumerate(self._xfs):
            if p == prefix and _norm(a) == _norm(new_attrs) and inn == candidate_inner:
                self._cache[key] = i
                return i
        element = b"<" + prefix + b"xf" + new_attrs
        element += b"/>" if inner is None else b">" + inner + b"</" + prefix + b"xf>"
        if element in self._added:
            index = len(self._xfs) + self._added.index(element)
        else:
            self._added.append(element)
            index = len(self._xfs) + len(self._added) - 1
            self.changed = True
        self._cache[key] = index
        return index

    def quote_prefixed(self, base: int) -> int:
        """Style like `base` with quotePrefix="1": keeps text-that-looks-like-a-formula text."""
        return self.derive(base, quotePrefix="1")

    def with_number_format(self, base: int, num_fmt_id: int) -> int:
        return self.derive(base, numFmtId=str(num_fmt_id), applyNumberFormat="1")

    def render(self) -> bytes:
        """styles.xml with the added xfs appended to cellXfs and its count updated."""
        if not self._added:
            return self.original
        start, end = self._span
        data = self.original
        head = data[:start]
        open_tag_start = head.rfind(b"<", 0, start)
        open_tag = head[open_tag_start:]
        total = len(self._xfs) + len(self._added)
        if _COUNT_RE.search(open_tag):
            open_tag = _COUNT_RE.sub(
                lambda m: m.group(1) + str(total).encode() + m.group(3), open_tag, count=1
            )
        head = head[:open_tag_start] + open_tag
        return head + data[start:end] + b"".join(self._added) + data[end:]


def _norm(attrs: bytes) -> list[tuple[bytes, bytes]]:
    return sorted(_ATTR_RE.findall(attrs))
