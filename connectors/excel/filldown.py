"""Formulas a person filled down a plain range: new rows appended below get them too.

A plain tracker (no Excel table) has no calculated columns, but people fill a formula
down a column (``=G5*H5`` on every row). Excel extends such a fill when a range grows by
a row typed under it; the appender does the same, so a sync's new rows carry the
person's formula instead of a blank (or a typed value that breaks the column).
"""

from __future__ import annotations

import re

from .formulas import shift_formula
from .sheetedit import SheetEditor

FILL_DOWN_ROWS = 3  # like Excel's own range extension: a formula the last rows share
_SHARED_SI = re.compile(rb'<(?:\w+:)?f\b[^>]*\bsi\s*=\s*"(\d+)"')


def filled_down_formulas(
    ed: SheetEditor, columns: set[int], template: int, first_data_row: int
) -> dict[int, tuple[str, bool]]:
    """Columns of a plain range (no table) that the person filled down with one formula:
    the last rows (up to three, at least two) hold the same formula relative to their
    row. New rows get it too, as Excel extends a range's formulas, instead of blanks.
    Array formulas and one-off formulas are left alone."""
    rows = list(range(template, max(first_data_row, template - FILL_DOWN_ROWS + 1) - 1, -1))
    if len(rows) < 2:
        return {}
    found: dict[int, tuple[str, bool]] = {}
    for col in sorted(columns):
        texts = [_formula_at(ed, row, col) for row in rows]
        if any(text is None for text in texts):
            continue
        last = texts[0]
        if all(shift_formula(t, template - r) == last for r, t in zip(rows, texts, strict=True)):
            found[col] = (last, False)  # type: ignore[assignment]
    return found


def _formula_at(ed: SheetEditor, row: int, col: int) -> str | None:
    """A cell's formula text, a shared formula's child included (from its master above)."""
    raw = ed.raw_cell(row, col)
    if raw is None or not raw.is_formula or raw.formula_type == "array":
        return None
    if raw.formula:
        return raw.formula
    xml = ed.cell_xml(row, col) or b""
    si = _SHARED_SI.search(xml)
    if raw.formula_type != "shared" or si is None:
        return None
    for above in range(row - 1, 0, -1):
        master = ed.cell_xml(above, col)
        found = _SHARED_SI.search(master or b"")
        if found is None or found.group(1) != si.group(1):
            continue
        text = ed.raw_cell(above, col)
        if text is not None and text.formula:
            return shift_formula(text.formula, row - above)
    return None


__all__ = ["FILL_DOWN_ROWS", "filled_down_formulas"]
