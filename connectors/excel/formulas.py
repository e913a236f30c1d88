"""Move relative A1 references in a formula by a number of rows and columns.

Needed twice: a shared formula's children carry only an index to the master's text,
which is written for the master cell; and a table's calculatedColumnFormula is written
for the first data row, so a newly appended row needs it shifted to its own row.
String literals, structured references ("Risks[[#This Row],[Exposure]]"), quoted sheet
names and function names are left alone; absolute parts ($A$1) do not move.
"""

from __future__ import annotations

import re

from .refs import MAX_COL, MAX_ROW, column_index, column_letter

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
