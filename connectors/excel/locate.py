"""Find the tracker in a workbook: an Excel table, or a header row on a sheet.

A PMO tracker is either a proper Excel table (ListObject, e.g. `Risks`) or a plain
range under a few title rows. Tables are authoritative (their column names and ref);
for plain sheets the header row is the row, among the first rows, whose text cells
best match the headers the caller expects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MissingColumns, TrackerNotFound
from .headers import match_score, normalise_header, resolve_header
from .package import SheetInfo, TableInfo
from .refs import column_index, column_letter
from .tablecheck import check_table_header
from .workbook import WorkbookView

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class TrackerPins:
    """What a mapping pins about a plain tracker (``ExcelLocation``), as the survey found
    it: the first header row, how many rows the header has (2: a group row over the
    header row, joined "group / sub"), and the columns (first, last) that belong to it.

    With any pin set, the tracker is located as pinned (``pinned.locate_pinned``): its
    header must be on that row, only those columns count, and it ends at a blank row
    when another tracker sits below it. Without pins, the sheet is searched as before."""

    header_row: int | None = None
    header_rows: int = 1
    columns: tuple[int, int] | None = None

    @classmethod
    def of(cls, excel: Any) -> TrackerPins:
        """The pins of a mapping's ``ExcelLocation`` (header_row, header_rows, columns)."""
        from .columns import parse_column_range

        columns = getattr(excel, "columns", None)
        return cls(
            header_row=getattr(excel, "header_row", None),
            header_rows=getattr(excel, "header_rows", 1) or 1,
            columns=parse_column_range(columns) if columns else None,
        )

    @property
    def active(self) -> bool:
        return self.header_row is not None or self.header_rows != 1 or self.columns is not None

    def describe(self) -> str:
        """The pins as the mapping writes them ("header_row = 4, columns = "B:H"")."""
        parts = []
        if self.header_row is not None:
            parts.append(f"header_row = {self.header_row}")
        if self.header_rows != 1:
            parts.append(f"header_rows = {self.header_rows}")
        if self.columns is not None:
            parts.append(
                f'columns = "{column_letter(self.columns[0])}:{column_letter(self.columns[1])}"'
            )
        return ", ".join(parts)


@dataclass(frozen=True)
class TrackerLocation:
    """Where a tracker is: sheet, optional table, header row, data rows, columns.

    `headers` are the header texts left to right ("" for a blank header cell between
    two titled columns); `columns` maps each (first occurrence of a) header text to its
    column letter. Use `header_for` / `column_for` to resolve a name the caller knows
    (case/space-insensitive, with the location's aliases). `header_row` is the first
    header row; `first_data_row` follows the last one.
    """

    path: Path
    sheet: str
    table: str | None
    header_row: int
    first_data_row: int
    last_data_row: int  # < first_data_row when the tracker has no data rows
    headers: list[str]
    columns: dict[str, str]  # header text -> column letter
    aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    header_rows: int = 1  # a two-row header: data start at header_row + 2
    pins: TrackerPins = field(default_factory=TrackerPins)  # to locate it again the same way
    next_tracker_row: int | None = None
    """First row of another tracker below this one (stacked trackers): rows appended must
    leave a blank row above it."""

    def header_for(self, name: str) -> str | None:
        """The header `name` designates (case/space-insensitive, aliases), or None."""
        return resolve_header(name, self.headers, self.aliases)

    def column_for(self, name: str) -> str:
        """Column letter of header `name`; MissingColumns if the tracker lacks it."""
        header = self.header_for(name)
        if header is None or header not in self.columns:
            raise _missing(self, [name])
        return self.columns[header]

    def column_index_for(self, name: str) -> int:
        return column_index(self.column_for(name))


def locate_tracker(
    path: str | Path,
    *,
    table: str | None = None,
    sheet: str | None = None,
    expected_headers: Sequence[str] = (),
    required: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
    view: WorkbookView | None = None,
    pins: TrackerPins | None = None,
) -> TrackerLocation:
    """Locate a tracker by table name, or by sheet name with automatic header row.

    `pins` (from the mapping): a sheet tracker's header row(s) and columns, used as given
    (see TrackerPins); for a table, a pinned header_row must be the table's."""
    view = view or WorkbookView(path)
    aliases = dict(aliases or {})
    pins = pins or TrackerPins()
    wanted = list(dict.fromkeys([*required, *expected_headers]))
    if table is not None and (pins.header_rows != 1 or pins.columns is not None):
        raise TrackerNotFound(
            f"{view.path}: table {table!r}: header_rows and columns apply to a tracker on a "
            "sheet, not to an Excel table (its header row and columns are the table's own). "
            "Remove them from the mapping.",
            path=view.path,
        )
    if table is not None:
        info = view.package.table(table)
        if info is None:
            names = ", ".join(t.name for t in view.package.tables) or "none"
            raise TrackerNotFound(
                f"{view.path}: no Excel table named {table!r} (tables in the workbook: {names}). "
                "Check the table name in the mapping, or give the sheet name instead.",
                path=view.path,
            )
        if sheet is not None and info.sheet.name.casefold() != sheet.casefold():
            raise TrackerNotFound(
                f"{view.path}: table {table!r} is on sheet {info.sheet.name!r}, not {sheet!r}. "
                "Fix the sheet or table name in the mapping.",
                path=view.path,
            )
        loc = from_table(view, info, aliases)
        if pins.header_row is not None and pins.header_row != loc.header_row:
            raise TrackerNotFound(
                f"{view.path}: table {table!r} on sheet {info.sheet.name!r} has its header on "
                f"row {loc.header_row}, but the mapping pins header_row = {pins.header_row}. "
                "A table's header is where the table is: remove header_row from the mapping "
                f"or set it to {loc.header_row}.",
                path=view.path,
            )
    elif sheet is not None and pins.active:
        info_sheet = view.package.sheet(sheet)
        if info_sheet is None:
            raise _no_sheet(view, sheet)
        from .pinned import locate_pinned  # pinned.py builds on this module

        loc = locate_pinned(view, info_sheet, wanted, required, aliases, pins)
    elif sheet is not None:
        info_sheet = view.package.sheet(sheet)
        if info_sheet is None:
            raise _no_sheet(view, sheet)
        loc = _from_sheet(view, info_sheet, wanted, aliases)
    else:
        loc = _search(view, wanted, aliases)
    missing = [name for name in required if loc.header_for(name) is None]
    if missing:
        raise _missing(loc, missing)
    return loc


def _no_sheet(view: WorkbookView, sheet: str) -> TrackerNotFound:
    names = ", ".join(s.name for s in view.package.sheets)
    return TrackerNotFound(
        f"{view.path}: no sheet named {sheet!r} (sheets: {names}). "
        "Check the sheet name in the mapping.",
        path=view.path,
    )


def _missing(loc: TrackerLocation, names: Sequence[str]) -> MissingColumns:
    where = f"table {loc.table!r} on sheet {loc.sheet!r}" if loc.table else f"sheet {loc.sheet!r}"
    found = ", ".join(repr(h) for h in loc.headers if h) or "none"
    return MissingColumns(
        f"{loc.path}: {where} (header row {loc.header_row}) has no column "
        f"{', '.join(repr(n) for n in names)}. Headers found: {found}. Add the column to the "
        "sheet, or add the sheet's header text as an alias in the mapping.",
        path=loc.path,
        missing=names,
        found=loc.headers,
    )


def from_table(
    view: WorkbookView, info: TableInfo, aliases: Mapping[str, Sequence[str]]
) -> TrackerLocation:
    if not info.header_row_count:
        raise TrackerNotFound(
            f"{view.path}: table {info.name!r} has its header row switched off; switch it "
            "on (Table Design > Header Row) so columns can be found by name.",
            path=view.path,
        )
    check_table_header(view, info)
    headers = [c.name for c in info.columns]
    columns = {}
    for offset, name in enumerate(headers):
        columns.setdefault(name, column_letter(info.ref.min_col + offset))
    return TrackerLocation(
        path=view.path,
        sheet=info.sheet.name,
        table=info.name,
        header_row=info.ref.min_row,
        first_data_row=info.first_data_row,
        last_data_row=info.last_data_row,
        headers=headers,
        columns=columns,
        aliases=aliases,
    )


def _header_rows(view: WorkbookView, sheet: SheetInfo) -> list[tuple[int, dict[int, str]]]:
    out = []
    for row_num, cells in view.rows(sheet, max_row=HEADER_SCAN_ROWS):
        texts = {
            col: str(cv.value).strip()
            for col, cv in cells.items()
            if cv.kind == "text" and str(cv.value).strip()
        }
        non_empty = sum(1 for cv in cells.values() if not cv.is_empty)
        if texts and non_empty == len(texts):
            out.append((row_num, texts))
        elif texts:
            out.append((row_num, {}))  # mixed row: data, not a header
    return out


def _pick_header_row(
    rows: list[tuple[int, dict[int, str]]],
    wanted: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
) -> tuple[int, dict[int, str]] | None:
    if wanted:
        best: tuple[int, dict[int, str]] | None = None
        best_score = 0
        for row_num, texts in rows:
            score = match_score(list(texts.values()), wanted, aliases)
            if score > best_score:
                best, best_score = (row_num, texts), score
        return best
    widest = max((len(t) for _, t in rows), default=0)
    for row_num, texts in rows:
        if len(texts) >= 2 and len(texts) >= 0.6 * widest:
            return row_num, texts
    return None


def _from_sheet(
    view: WorkbookView,
    sheet: SheetInfo,
    wanted: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
) -> TrackerLocation:
    rows = _header_rows(view, sheet)
    picked = _pick_header_row(rows, wanted, aliases)
    if picked is None:
        seen = (
            "; ".join(
                f"row {r}: " + ", ".join(repr(t) for t in list(texts.values())[:6])
                for r, texts in rows[:5]
                if texts
            )
            or "no text cells"
        )
        expect = ", ".join(repr(w) for w in wanted) or "a row of column titles"
        raise TrackerNotFound(
            f"{view.path}: no header row found on sheet {sheet.name!r} in the first "
            f"{HEADER_SCAN_ROWS} rows (expected {expect}; saw {seen}). Put the column titles "
            "in one row near the top, or name the Excel table in the mapping.",
            path=view.path,
        )
    header_row, texts = picked
    tables = [
        info
        for info in view.package.tables_on(sheet)
        if any(info.ref.min_col <= c <= info.ref.max_col for c in texts)
        and header_row <= info.ref.max_row
    ]
    for info in tables:
        if info.header_row == header_row:
            return from_table(view, info, aliases)
    for info in tables:
        # The header texts sit above or inside a table whose own first row is elsewhere:
        # if that table's header cells are not its column names, the two are out of step
        # (a sound table further down is another tracker, and passes).
        check_table_header(view, info)
    first_col, last_col = min(texts), max(texts)
    headers = [texts.get(c, "") for c in range(first_col, last_col + 1)]
    columns: dict[str, str] = {}
    for col in range(first_col, last_col + 1):
        if col in texts:
            columns.setdefault(texts[col], column_letter(col))
    last = header_row
    cols = set(texts)
    for row_num, cells in view.rows(sheet, min_row=header_row + 1, columns=cols):
        if any(not cv.is_empty for cv in cells.values()):
            last = row_num
    return TrackerLocation(
        path=view.path,
        sheet=sheet.name,
        table=None,
        header_row=header_row,
        first_data_row=header_row + 1,
        last_data_row=last,
        headers=headers,
        columns=columns,
        aliases=aliases,
    )


def _search(
    view: WorkbookView, wanted: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> TrackerLocation:
    if not wanted:
        raise TrackerNotFound(
            f"{view.path}: give a table name, a sheet name or the expected headers so the "
            "tracker can be found.",
            path=view.path,
        )
    best_table, best_score = None, 0
    for info in view.package.tables:
        score = match_score([c.name for c in info.columns], wanted, aliases)
        if score > best_score:
            best_table, best_score = info, score
    if best_table is not None and best_score == len(wanted):
        return from_table(view, best_table, aliases)
    best_loc, best_loc_score = None, best_score
    for sheet in view.package.sheets:
        try:
            loc = _from_sheet(view, sheet, wanted, aliases)
        except TrackerNotFound:
            continue
        score = match_score(loc.headers, wanted, aliases)
        if score > best_loc_score:
            best_loc, best_loc_score = loc, score
    if best_loc is not None:
        return best_loc
    if best_table is not None:
        return from_table(view, best_table, aliases)
    raise TrackerNotFound(
        f"{view.path}: no table or sheet has the headers "
        f"{', '.join(repr(w) for w in wanted)}. Name the table or sheet in the mapping.",
        path=view.path,
    )


__all__ = ["TrackerLocation", "TrackerPins", "locate_tracker", "normalise_header"]
