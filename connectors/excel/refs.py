"""A1-style cell and range references.

Kept tiny and dependency-free because every other module (reader, patcher, table and
validation extension) needs to convert between "AB12" and (row, column) numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
MAX_ROW = 1_048_576
MAX_COL = 16_384


@lru_cache(maxsize=20_000)
def column_index(letters: str) -> int:
    """Column letters to a 1-based index ("A" -> 1, "AA" -> 27)."""
    index = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column name: {letters!r}")
        index = index * 26 + (ord(ch) - 64)
    if not 1 <= index <= MAX_COL:
        raise ValueError(f"column out of range: {letters!r}")
    return index


@lru_cache(maxsize=20_000)
def column_letter(index: int) -> str:
    """A 1-based column index to letters (27 -> "AA")."""
    if not 1 <= index <= MAX_COL:
        raise ValueError(f"column index out of range: {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_cell(ref: str) -> tuple[str, int]:
    """ "B7" -> ("B", 7); accepts "$B$7"."""
    m = _CELL_RE.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return m.group(1).upper(), int(m.group(2))


def parse_cell(ref: str) -> tuple[int, int]:
    """ "B7" -> (row 7, column 2)."""
    letters, row = split_cell(ref)
    return row, column_index(letters)


def cell_ref(row: int, col: int) -> str:
    """(7, 2) -> "B7"."""
    return f"{column_letter(col)}{row}"


@dataclass(frozen=True)
class CellRange:
    """An inclusive rectangle of cells, 1-based."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @classmethod
    def parse(cls, text: str) -> CellRange:
        """ "A4:P24" or "B5" -> CellRange; whole-column/row forms ("A:A", "3:3") too."""
        text = text.strip()
        if ":" not in text:
            row, col = parse_cell(text)
            return cls(row, col, row, col)
        first, last = text.split(":", 1)
        first, last = first.replace("$", ""), last.replace("$", "")
        if first.isalpha() and last.isalpha():
            return cls(1, column_index(first), MAX_ROW, column_index(last))
        if first.isdigit() and last.isdigit():
            return cls(int(first), 1, int(last), MAX_COL)
        r1, c1 = parse_cell(first)
        r2, c2 = parse_cell(last)
        return cls(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

    def __str__(self) -> str:
        a = cell_ref(self.min_row, self.min_col)
        b = cell_ref(self.max_row, self.max_col)
        return a if a == b else f"{a}:{b}"

    def contains(self, row: int, col: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col

    def with_max_row(self, max_row: int) -> CellRange:
        return CellRange(self.min_row, self.min_col, max_row, self.max_col)
