"""Turn stored cells into typed Python values (CellValue).

One place decides types: shared/inline/rich strings, booleans, errors, numbers that
are ints, floats, percentages or dates (by the cell's number format), and formula cells
(cached value, marked as formula so the caller never copies formula text elsewhere).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from .numfmt import FormatKind
from .refs import cell_ref
from .sheetcells import RawCell
from .strings import unescape_ooxml
from .styles import StyleTable
from .values import CellPython, from_serial, parse_number


class CellValue(NamedTuple):
    """A typed cell value with where it came from (immutable; a NamedTuple because
    a read creates one per cell and tuples are the cheapest Python objects to build).

    `value` is None for an empty cell (0 stays 0). `kind` is one of "empty", "text",
    "number", "percent", "date", "datetime", "time", "bool", "error". For formula
    cells `value` is Excel's cached result and `formula` the formula text (without '=').
    """

    value: CellPython
    address: str
    is_formula: bool = False
    formula: str | None = None
    number_format: str = "General"
    kind: str = "empty"
    error: str | None = None
    style_index: int = 0

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.error is None


class CellDecoder:
    """Decodes RawCells with the workbook's shared strings, styles and date system."""

    def __init__(self, shared_strings: list[str], styles: StyleTable, *, date1904: bool) -> None:
        self.sst = shared_strings
        self.styles = styles
        self.date1904 = date1904

    def decode(self, raw: RawCell) -> CellValue:
        style = self.styles.style(raw.s)
        t = raw.t
        v = raw.v
        value: CellPython = None
        kind = "empty"
        error: str | None = None
        if t == "s":
            if v not in (None, ""):
                try:
                    value = self.sst[int(v)]
                except (IndexError, ValueError):
                    value = None
                kind = "text"
        elif t in ("str", "inlineStr"):
            if v is not None:
                value = unescape_ooxml(v) if t == "str" else v
                kind = "text"
        elif t == "b":
            if v not in (None, ""):
                value = v.strip() in ("1", "true")
                kind = "bool"
        elif t == "e":
            error = v or "#N/A"
            kind = "error"
        elif t == "d":
            if v:
                value = _iso_date(v)
                kind = "datetime" if isinstance(value, dt.datetime) else "date"
        elif v not in (None, ""):
            number = parse_number(v)
            skind = style.kind
            if skind in (FormatKind.DATE, FormatKind.DATETIME, FormatKind.TIME):
                try:
                    value = from_serial(float(number), date1904=self.date1904, kind=skind.value)
                    kind = "datetime" if isinstance(value, dt.datetime) else skind.value
                except (OverflowError, ValueError):
                    value, kind = number, "number"
            else:
                value = number
                kind = "percent" if skind is FormatKind.PERCENT else "number"
        return CellValue(
            value=value,
            address=cell_ref(raw.row, raw.col),
            is_formula=raw.is_formula,
            formula=raw.formula,
            number_format=style.format_code,
            kind=kind,
            error=error,
            style_index=raw.s,
        )


def _iso_date(text: str) -> dt.date | dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if "T" not in text and " " not in text:
        return value.date()
    return value
