"""Would writing a value change a cell? Type-aware comparison for idempotent patches.

Re-applying a patch must write nothing, so a write is dropped when the cell already
holds the same value with the same meaning: a bool is not the number 1, a date equals
a midnight datetime, and formula-like text only counts as present when its cell already
has the quote-prefix style that keeps it literal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .cells import CellValue
from .values import looks_like_formula
from .workbook import WorkbookView


def same_value(existing: CellValue, value: Any, view: WorkbookView) -> bool:
    """True when writing `value` would not change the cell (type-aware)."""
    cur = existing.value
    if existing.is_formula:
        return False if value is None else _equal(existing, cur, value, view)
    if value is None:
        return existing.is_empty
    return _equal(existing, cur, value, view)


def _equal(existing: CellValue, cur: Any, value: Any, view: WorkbookView) -> bool:
    if isinstance(value, bool):
        return existing.kind == "bool" and cur is value
    if isinstance(value, int | float | Decimal):
        return (
            existing.kind in ("number", "percent")
            and not isinstance(cur, bool)
            and (cur == float(value))
        )
    if isinstance(value, dt.datetime):
        if isinstance(cur, dt.datetime):
            return cur == value.replace(tzinfo=None) if value.tzinfo is None else False
        return isinstance(cur, dt.date) and value.time() == dt.time() and cur == value.date()
    if isinstance(value, dt.date):
        if isinstance(cur, dt.datetime):
            return cur.time() == dt.time() and cur.date() == value
        return isinstance(cur, dt.date) and cur == value
    if isinstance(value, dt.time):
        return isinstance(cur, dt.time) and cur == value
    if isinstance(value, str):
        if existing.kind != "text" or cur != value:
            return False
        if looks_like_formula(value):
            return view.styles.style(existing.style_index).quote_prefix
        return True
    return False
