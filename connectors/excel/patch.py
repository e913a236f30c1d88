"""What to change in a workbook: cell writes and row appends, and what was done.

The patch is a plain description so the sync engine can build it, log it, test it and
hand the very same changes either to the package writer or to a live Excel instance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .locate import TrackerLocation, TrackerPins
from .refs import split_cell

_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


@dataclass(frozen=True)
class CellWrite:
    """Write `value` into (sheet, row, column); column is a header text or letters."""

    sheet: str
    row: int
    column: str
    value: Any
    by_letter: bool = False  # True when the caller gave an explicit column letter

    def looks_like_letters(self) -> bool:
        return bool(_LETTERS.match(self.column))


@dataclass(frozen=True)
class RowAppend:
    """Rows (header -> value) to add at the end of a table or sheet tracker.

    `pins`: how the mapping pins a sheet tracker (header row, columns), so the appender
    finds the same tracker the read did, and stops where a tracker below begins."""

    rows: tuple[Mapping[str, Any], ...]
    table: str | None = None
    sheet: str | None = None
    pins: TrackerPins | None = None


@dataclass
class WorkbookPatch:
    """Cell changes and row appends for one workbook.

    `overwrite_formulas`: writing a value over a formula cell is refused unless set
    (a PMO's formulas are part of its system of record).
    """

    writes: list[CellWrite] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)
    overwrite_formulas: bool = False
    aliases: dict[str, Sequence[str]] = field(default_factory=dict)

    def set(self, sheet: str, row: int, column: str, value: Any) -> WorkbookPatch:
        """Write `value` at `row` of the column whose header is `column` (or letters)."""
        self.writes.append(CellWrite(sheet, row, column, value))
        return self

    def set_address(self, sheet: str, address: str, value: Any) -> WorkbookPatch:
        """Write `value` at an A1 address ("B7")."""
        letters, row = split_cell(address)
        self.writes.append(CellWrite(sheet, row, letters, value, by_letter=True))
        return self

    def set_in(self, location: TrackerLocation, row: int, header: str, value: Any) -> WorkbookPatch:
        """Write into a located tracker by header name (aliases of the location apply).

        Only the tracker's own cells: a row at or past the start of the tracker below it
        (stacked trackers) is refused (ValueError), as a header outside its pinned
        columns is (MissingColumns), so a write never lands in a neighbour."""
        if location.next_tracker_row is not None and row >= location.next_tracker_row:
            raise ValueError(
                f"{location.path}: row {row} of sheet {location.sheet!r} is not in the tracker "
                f"with header row {location.header_row}: it ends at row "
                f"{location.last_data_row} and another tracker starts at row "
                f"{location.next_tracker_row}"
            )
        letters = location.column_for(header)
        self.writes.append(CellWrite(location.sheet, row, letters, value, by_letter=True))
        return self

    def append(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        table: str | None = None,
        sheet: str | None = None,
        location: TrackerLocation | None = None,
    ) -> WorkbookPatch:
        """Append rows to a table (by name) or to the tracker on a sheet."""
        pins = None
        if location is not None:
            table, sheet = location.table, location.sheet
            pins = location.pins if location.pins.active else None
            if location.aliases:
                self.aliases.update(location.aliases)
        if table is None and sheet is None:
            raise ValueError("append needs a table, a sheet or a location")
        self.appends.append(RowAppend(tuple(rows), table=table, sheet=sheet, pins=pins))
        return self

    def __bool__(self) -> bool:
        return bool(self.writes or any(a.rows for a in self.appends))


@dataclass
class PatchResult:
    """What apply_patch did."""

    path: Path
    wrote: bool = False  # a new file replaced the workbook
    live: bool = False  # the changes went into a workbook open in Excel
    cells_written: int = 0
    rows_appended: int = 0
    appended_rows: dict[str, list[int]] = field(default_factory=dict)  # target -> row numbers
    written: list[tuple[str, str]] = field(default_factory=list)  # (sheet, address)
    changed_parts: list[str] = field(default_factory=list)
    backup_path: Path | None = None
    bytes_written: int = 0
    full_calc_on_load: bool = False
    notes: list[str] = field(default_factory=list)
    added_columns: dict[str, str] = field(default_factory=dict)  # add_columns: header -> letter
