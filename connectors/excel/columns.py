"""Columns: A1 column ranges ("B:H") and what a column's sampled values look like.

A mapping pins a side-by-side tracker to its columns with ``columns = "B:H"``; the
survey describes each column by kinds of values, distinct count and samples, which is
what the header classifier weighs against the header text ("1-5 numbers" confirms
"probability"). Both live here so the survey, the mapping check and the locator parse
and describe columns the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .cells import CellValue
from .refs import column_index, column_letter

_RANGE = re.compile(r"^\s*\$?([A-Za-z]{1,3})\s*(?::\s*\$?([A-Za-z]{1,3}))?\s*$")
KINDS = ("text", "number", "percent", "date", "datetime", "time", "bool", "error")


def parse_column_range(text: str) -> tuple[int, int]:
    """ "B:H" -> (2, 8); "C" -> (3, 3). ValueError (saying what is expected) otherwise."""
    m = _RANGE.match(text or "")
    if m is None:
        raise ValueError(
            f'{text!r} is not a column range; write the first and last column letters, e.g. "B:H"'
        )
    first = column_index(m.group(1))
    last = column_index(m.group(2) or m.group(1))
    if last < first:
        raise ValueError(
            f"{text!r} ends before it starts; write the leftmost column first, e.g. "
            f'"{column_letter(last)}:{column_letter(first)}"'
        )
    return first, last


def format_column_range(first: int, last: int) -> str:
    """(2, 8) -> "B:H"."""
    return f"{column_letter(first)}:{column_letter(last)}"


@dataclass
class ColumnStats:
    """Accumulates one column's sampled cells: up to `limit` non-empty typed values,
    counts of their kinds (formula cells also counted as "formula"; error cells counted
    as "error" but kept out of the samples, which are values), distinct values."""

    limit: int
    samples: list[Any] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    _distinct: set[Any] = field(default_factory=set)

    def add(self, cell: CellValue) -> None:
        if len(self.samples) >= self.limit:
            return
        if cell.value in (None, "") and cell.error is None:  # "" : a formula showing nothing
            if cell.is_formula:
                self.kinds["formula"] += 1
            return
        self.kinds[cell.kind] += 1
        if cell.is_formula:
            self.kinds["formula"] += 1
        if cell.error is None:  # an error value (#N/A) is counted, never a sample
            self.samples.append(cell.value)
            self._distinct.add((type(cell.value), cell.value))

    @property
    def distinct(self) -> int:
        return len(self._distinct)

    @property
    def value_kinds(self) -> set[str]:
        """The kinds of value seen (formula not being one)."""
        return {k for k, n in self.kinds.items() if n and k != "formula"}


__all__ = ["KINDS", "ColumnStats", "format_column_range", "parse_column_range"]
