"""May a table's totals row move down? Find every A1 reference that would break.

Appending rows to a table with a totals row means moving the totals row below the
new rows, as Excel does. Structured references (Resources[[#Totals],[Cost]]) follow the
move, but an A1 reference to the totals row's cells (or to the cells it moves into)
from a formula, a defined name, a chart series, a conditional format, a validation or
a pivot cache would silently point at the wrong cells. So the move is only made when
no such reference exists anywhere in the package; otherwise the append is refused.
"""

from __future__ import annotations

import re
from html import unescape

from .formulas import iter_references
from .package import Package, SheetInfo
from .refs import CellRange

_FORMULA_TEXTS = re.compile(
    rb"<(?:\w+:)?(f|formula|formula1|formula2|definedName)\b[^>]*>([^<]*)</(?:\w+:)?\1>"
)
_SHEET_SCOPED = re.compile(rb'localSheetId="(\d+)"')
_WS_SOURCE = re.compile(rb"<(?:\w+:)?worksheetSource\b([^>]*)/?>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_TEXTLINK = re.compile(rb'\stextlink="([^"]+)"')
_MERGE = re.compile(rb'<(?:\w+:)?(?:mergeCell|hyperlink)\b[^>]*?\sref="([^"]*)"')


def _intersects(a: CellRange, b: CellRange) -> bool:
    return (
        a.min_row <= b.max_row
        and b.min_row <= a.max_row
        and a.min_col <= b.max_col
        and b.min_col <= a.max_col
    )


def blocking_references(
    pkg: Package, sheet: SheetInfo, area: CellRange, *, skip_rows: range
) -> list[str]:
    """Descriptions of references into `area` on `sheet` (formulas in `skip_rows` of
    that sheet, i.e. the totals row itself, are not counted)."""
    found: list[str] = []
    name = sheet.name.casefold()
    scanned = [s.part for s in pkg.sheets]
    parts = [p for p in pkg.names if p.endswith(".xml") and (
        p in scanned or "/charts/" in p or "/pivotCache/" in p or "/drawings/" in p
        or p == pkg.workbook_part
    )]  # fmt: skip
    for part in parts:
        data = pkg.read(part)
        own = part == sheet.part
        if own:
            data = _drop_rows(data, skip_rows)
        for m in _FORMULA_TEXTS.finditer(data):
            text = unescape(m.group(2).decode("utf-8", "replace"))
            for qualifier, rng in iter_references(text):
                on_sheet = (qualifier is None and own) or (
                    qualifier is not None and qualifier.casefold() == name
                )
                if on_sheet and _intersects(rng, area):
                    found.append(f"{part}: {text}")
                    break
        for m in _TEXTLINK.finditer(data):  # shapes whose text is linked to a cell
            text = unescape(m.group(1).decode("utf-8", "replace")).lstrip("=")
            for qualifier, rng in iter_references(text):
                if (qualifier or "").casefold() == name and _intersects(rng, area):
                    found.append(f"{part}: shape text linked to {text}")
        for m in _WS_SOURCE.finditer(data):
            attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(m.group(1))}
            same_sheet = attrs.get("sheet", "").casefold() == name and "ref" in attrs
            if same_sheet and _intersects(CellRange.parse(attrs["ref"]), area):
                found.append(f"{part}: pivot source {attrs['ref']}")
        if own:
            for m in _MERGE.finditer(data):
                if _intersects(CellRange.parse(m.group(1).decode().split()[0]), area):
                    found.append(f"{part}: merged cell or hyperlink {m.group(1).decode()}")
    return found


def _drop_rows(data: bytes, rows: range) -> bytes:
    """The sheet XML without the given rows (their own formulas move with them)."""
    for r in rows:
        data = re.sub(
            rb'<(?:\w+:)?row\b[^>]*?\sr="'
            + str(r).encode()
            + rb'"[^>]*?(?:/>|>.*?</(?:\w+:)?row>)',
            b"",
            data,
            count=1,
            flags=re.S,
        )
    return data
