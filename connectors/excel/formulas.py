"""Move relative A1 references in a formula by a number of rows and columns.

Needed twice: a shared formula's children carry only an index to the master's text,
which is written for the master cell; and a table's calculatedColumnFormula is written
for the first data row, so a newly appended row needs it shifted to its own row.
String literals, structured references ("Risks[[#This Row],[Exposure]]"), quoted sheet
names and function names are left alone; absolute parts ($A$1) do not move.
"""

from __future__ import annotations

import re

from .refs import MAX_COL, MAX_ROW, CellRange, column_index, column_letter

_REF_RE = re.compile(
    r"(?<![A-Za-z0-9_.$\\])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![A-Za-z0-9_(\[!.])"
)


def shift_formula(formula: str, d_rows: int, d_cols: int = 0) -> str:
    """`formula` as it would read in a cell d_rows below / d_cols right of its own."""
    if d_rows == 0 and d_cols == 0:
        return formula
    out: list[str] = []
    i = 0
    n = len(formula)
    plain_start = 0
    depth = 0
    while i < n:
        ch = formula[i]
        if ch == '"' and depth == 0:
            out.append(_shift_plain(formula[plain_start:i], d_rows, d_cols))
            end = i + 1
            while end < n:
                if formula[end] == '"':
                    if end + 1 < n and formula[end + 1] == '"':
                        end += 2
                        continue
                    break
                end += 1
            out.append(formula[i : end + 1])
            i = plain_start = end + 1
            continue
        if ch == "'" and depth == 0:
            out.append(_shift_plain(formula[plain_start:i], d_rows, d_cols))
            end = formula.find("'", i + 1)
            while end != -1 and end + 1 < n and formula[end + 1] == "'":
                end = formula.find("'", end + 2)
            end = n - 1 if end == -1 else end
            out.append(formula[i : end + 1])
            i = plain_start = end + 1
            continue
        if ch == "[":
            if depth == 0:
                out.append(_shift_plain(formula[plain_start:i], d_rows, d_cols))
                plain_start = i
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0:
                out.append(formula[plain_start : i + 1])
                plain_start = i + 1
        i += 1
    tail = formula[plain_start:]
    out.append(tail if depth else _shift_plain(tail, d_rows, d_cols))
    return "".join(out)


def _shift_plain(text: str, d_rows: int, d_cols: int) -> str:
    def repl(m: re.Match[str]) -> str:
        col_abs, letters, row_abs, digits = m.groups()
        try:
            col = column_index(letters)
        except ValueError:
            return m.group(0)
        row = int(digits)
        if row < 1 or row > MAX_ROW:
            return m.group(0)
        if not col_abs:
            col += d_cols
        if not row_abs:
            row += d_rows
        if not (1 <= col <= MAX_COL and 1 <= row <= MAX_ROW):
            return "#REF!"
        return f"{col_abs}{column_letter(col)}{row_abs}{row}"

    return _REF_RE.sub(repl, text)


_RANGE_RE = re.compile(
    r"(?:([A-Za-z_][\w.]*)!)?"
    r"(?<![A-Za-z0-9_.$\\])\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"
    r"(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?(?![A-Za-z0-9_(\[!.])"
)


def iter_references(formula: str) -> list[tuple[str | None, CellRange]]:
    """A1 references in a formula as (sheet name or None, range).

    Whole-row/column references, structured references, names and text in string
    literals are not returned. Used to prove that no formula points at cells that an
    edit is about to move.
    """
    out: list[tuple[str | None, CellRange]] = []
    pending_sheet: str | None = None
    i = 0
    n = len(formula)
    plain_start = 0
    depth = 0

    def scan(text: str, quoted_sheet: str | None) -> None:
        for m in _RANGE_RE.finditer(text):
            sheet = m.group(1)
            if sheet is None and quoted_sheet is not None and m.start() == 1 and text[0] == "!":
                sheet = quoted_sheet
            try:
                r1, c1 = int(m.group(3)), column_index(m.group(2))
                r2 = int(m.group(5)) if m.group(5) else r1
                c2 = column_index(m.group(4)) if m.group(4) else c1
            except ValueError:
                continue
            rng = CellRange(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
            out.append((sheet, rng))

    while i < n:
        ch = formula[i]
        if ch == '"' and depth == 0:
            scan(formula[plain_start:i], pending_sheet)
            pending_sheet = None
            end = i + 1
            while end < n and not (formula[end] == '"' and formula[end + 1 : end + 2] != '"'):
                end += 2 if formula[end] == '"' else 1
            i = plain_start = end + 1
            continue
        if ch == "'" and depth == 0:
            scan(formula[plain_start:i], pending_sheet)
            end = i + 1
            while end < n and not (formula[end] == "'" and formula[end + 1 : end + 2] != "'"):
                end += 2 if formula[end] == "'" else 1
            pending_sheet = formula[i + 1 : end].replace("''", "'")
            i = plain_start = end + 1
            continue
        if ch == "[":
            if depth == 0:
                scan(formula[plain_start:i], pending_sheet)
                pending_sheet = None
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0:
                plain_start = i + 1
        i += 1
    if not depth:
        scan(formula[plain_start:], pending_sheet)
    return out
