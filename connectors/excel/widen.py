"""Byte-level edits that widen a tracker: a table's range and columns, a sheet's ``<cols>``.

Like every other edit of the lossless writer these splice the few bytes that change and
keep the rest of the part as it was (unknown attributes, extensions, revision ids).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from .refs import CellRange
from .strings import escape_ooxml

_TABLE_TAG = re.compile(rb"<(?:\w+:)?table\b[^>]*>", re.S)
_AUTOFILTER_TAG = re.compile(rb"<(?:\w+:)?autoFilter\b[^>]*?/?>", re.S)
_REF = re.compile(rb'(\sref\s*=\s*")([^"]*)(")')
_COLUMNS_OPEN = re.compile(rb"<((?:\w+:)?)tableColumns\b[^>]*?>")
_COUNT = re.compile(rb'(\scount\s*=\s*")(\d+)(")')
_COLUMN = re.compile(rb"<(?:\w+:)?tableColumn\b([^>]*?)/?>")
_ID = re.compile(rb'\sid\s*=\s*"(\d+)"')
_DATA_DXF = re.compile(rb'\sdataDxfId\s*=\s*"(\d+)"')
_COLS = re.compile(rb"<((?:\w+:)?)cols\b[^>]*>(.*?)</(?:\w+:)?cols>", re.S)
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


def _widen_ref(tag: bytes, max_col: int) -> bytes:
    def grow(m: re.Match[bytes]) -> bytes:
        rng = CellRange.parse(m.group(2).decode())
        wider = CellRange(rng.min_row, rng.min_col, rng.max_row, max(rng.max_col, max_col))
        return m.group(1) + str(wider).encode() + m.group(3)

    return _REF.sub(grow, tag, count=1)


def widen_table(table_xml: bytes, max_col: int, names: Sequence[str]) -> bytes:
    """The table part with `names` as new columns at its right end: ref and autoFilter
    reaching `max_col`, tableColumns counted, each new column with a fresh id (above
    every id in use) and the last column's data format (dataDxfId), as Excel gives a
    column inserted to the right of it. ValueError for a name no workbook can store."""
    m = _TABLE_TAG.search(table_xml)
    assert m is not None, "a table part starts with <table>"
    out = table_xml[: m.start()] + _widen_ref(m.group(0), max_col) + table_xml[m.end() :]
    af = _AUTOFILTER_TAG.search(out)
    if af is not None and _REF.search(af.group(0)):
        out = out[: af.start()] + _widen_ref(af.group(0), max_col) + out[af.end() :]
    opened = _COLUMNS_OPEN.search(out)
    assert opened is not None, "a table part has tableColumns"
    prefix = opened.group(1)
    close = out.index(b"</" + prefix + b"tableColumns>", opened.end())
    columns = _COLUMN.findall(out, opened.end(), close)
    ids = [int(i.group(1)) for a in columns if (i := _ID.search(a))]
    dxf = _DATA_DXF.search(columns[-1]) if columns else None
    extra = b' dataDxfId="' + dxf.group(1) + b'"' if dxf else b""
    new = b""
    next_id = max(ids, default=0) + 1
    for offset, name in enumerate(names):
        stored = escape_ooxml(name)  # Excel writes a line break in a column name as _x000a_
        for char, code in (("\r", "_x000d_"), ("\n", "_x000a_"), ("\t", "_x0009_")):
            stored = stored.replace(char, code)
        text = escape(stored, {'"': "&quot;"})
        new += (
            b"<" + prefix + b'tableColumn id="' + str(next_id + offset).encode() + b'" name="'
            + text.encode("utf-8") + b'"' + extra + b"/>"
        )  # fmt: skip
    head = _COUNT.sub(
        lambda c: c.group(1) + str(len(columns) + len(names)).encode() + c.group(3),
        opened.group(0),
        count=1,
    )
    return out[: opened.start()] + head + out[opened.end() : close] + new + out[close:]


def col_width(sheet_xml: bytes, col: int) -> float | None:
    """The width a ``<col>`` element gives column `col`, if any."""
    m = _COLS.search(sheet_xml)
    if m is None:
        return None
    for attrs in _COL.findall(m.group(2)):
        found = dict(_ATTR.findall(attrs))
        try:
            if int(found[b"min"]) <= col <= int(found[b"max"]) and b"width" in found:
                return float(found[b"width"])
        except (KeyError, ValueError):
            continue
    return None


def with_columns(sheet_xml: bytes, specs: dict[int, dict[bytes, bytes]]) -> bytes:
    """Sheet XML whose ``<cols>`` gives each column in `specs` those attributes (width,
    customWidth, hidden). A ``<col>`` range covering such a column is split around it,
    keeping its other attributes (a column style); ``<cols>`` is created before
    ``<sheetData>`` when the sheet has none. Elements stay sorted and disjoint, as the
    schema requires."""
    m = _COLS.search(sheet_xml)
    if m is None:
        sd = re.search(rb"<((?:\w+:)?)sheetData\b", sheet_xml)
        assert sd is not None, "a worksheet has sheetData"
        prefix = sd.group(1)
        body = b"".join(_col(prefix, c, c, dict(a)) for c, a in sorted(specs.items()))
        cols = b"<" + prefix + b"cols>" + body + b"</" + prefix + b"cols>"
        return sheet_xml[: sd.start()] + cols + sheet_xml[sd.start() :]
    prefix = m.group(1)
    ranges: list[tuple[int, int, dict[bytes, bytes]]] = []
    for attrs in _COL.findall(m.group(2)):
        found = dict(_ATTR.findall(attrs))
        ranges.append((int(found.pop(b"min")), int(found.pop(b"max")), found))
    for col, wanted in sorted(specs.items()):
        split: list[tuple[int, int, dict[bytes, bytes]]] = []
        covered = False
        for lo, hi, attrs in ranges:
            if lo <= col <= hi:
                covered = True
                if lo < col:
                    split.append((lo, col - 1, attrs))
                mine = {**attrs, **wanted}
                if b"width" in attrs and b"width" in wanted and attrs.get(b"customWidth"):
                    mine[b"width"] = attrs[b"width"]  # the person's width for that column
                split.append((col, col, mine))
                if col < hi:
                    split.append((col + 1, hi, attrs))
            else:
                split.append((lo, hi, attrs))
        if not covered:
            split.append((col, col, dict(wanted)))
        ranges = sorted(split, key=lambda r: r[0])
    body = b"".join(_col(prefix, lo, hi, attrs) for lo, hi, attrs in ranges)
    start, end = m.span(2)
    return sheet_xml[:start] + body + sheet_xml[end:]


def _col(prefix: bytes, lo: int, hi: int, attrs: dict[bytes, bytes]) -> bytes:
    rest = b"".join(b" " + k + b'="' + v + b'"' for k, v in attrs.items())
    return (
        b"<"
        + prefix
        + b'col min="'
        + str(lo).encode()
        + b'" max="'
        + str(hi).encode()
        + (b'"' + rest + b"/>")
    )


__all__ = ["col_width", "widen_table", "with_columns"]
