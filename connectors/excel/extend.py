"""Grow a sheet's data validations, conditional formats and autofilter with new rows.

When rows are appended below a tracker, Excel (inserting in a table) extends the
ranges that covered the tracker's columns to the new last row. Ranges are stored as
`sqref` lists in the sheet part (plain and x14 extension forms alike); only ranges that
end exactly on the old last data row inside the tracker's columns are stretched.
"""

from __future__ import annotations

import re

from .refs import CellRange

_SQREF_ATTR = re.compile(
    rb"(<(?:\w+:)?(?:dataValidation|conditionalFormatting|protectedRange|autoFilter)\b"
    rb'[^>]*?\s(?:sqref|ref)\s*=\s*")([^"]*)(")'
)
_SQREF_ELEM = re.compile(rb"(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)")


def extend_ranges(
    data: bytes, *, first_row: int, old_last: int, new_last: int, min_col: int, max_col: int
) -> bytes:
    """Sheet XML with qualifying ranges' last row moved from old_last to new_last."""
    if new_last <= old_last:
        return data

    def fix(text: bytes) -> bytes:
        parts = text.decode().split()
        changed = False
        out = []
        for part in parts:
            try:
                rng = CellRange.parse(part)
            except ValueError:
                out.append(part)
                continue
            if (
                rng.max_row == old_last
                and first_row <= rng.min_row <= old_last
                and rng.min_col >= min_col
                and rng.max_col <= max_col
            ):
                out.append(str(rng.with_max_row(new_last)))
                changed = True
            else:
                out.append(part)
        return " ".join(out).encode() if changed else text

    def repl(m: re.Match[bytes]) -> bytes:
        return m.group(1) + fix(m.group(2)) + m.group(3)

    data = _SQREF_ATTR.sub(repl, data)
    return _SQREF_ELEM.sub(repl, data)
