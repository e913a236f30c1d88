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

from .errors import MissingColumns, TableOutOfStep, TrackerNotFound
from .headers import match_score, normalise_header, resolve_header
from .package import SheetInfo, TableInfo
from .refs import cell_ref, column_index, column_letter
from .strings import unescape_ooxml
from .workbook import WorkbookView

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class TrackerLocation:
    """Where a tracker is: sheet, optional table, header row, data rows, columns.

    `headers` are the header texts left to right ("" for a blank header cell between
    two titled columns); `columns` maps each (first occurrence of a) header text to its
    column letter. Use `header_for` / `column_for` to resolve a name the caller knows
    (case/space-insensitive, with the location's aliases).
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
) -> TrackerLocation:
    """Locate a tracker by table name, or by sheet name with automatic header row."""
    view = view or WorkbookView(path)
    aliases = dict(aliases or {})
    wanted = list(dict.fromkeys([*required, *expected_headers]))
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
        loc = _from_table(view, info, aliases)
    elif sheet is not None:
        info_sheet = view.package.sheet(sheet)
        if info_sheet is None:
            names = ", ".join(s.name for s in view.package.sheets)
            raise TrackerNotFound(
                f"{view.path}: no sheet named {sheet!r} (sheets: {names}). "
                "Check the sheet name in the mapping.",
                path=view.path,
            )
        loc = _from_sheet(view, info_sheet, wanted, aliases)
    else:
        loc = _search(view, wanted, aliases)
    missing = [name for name in required if loc.header_for(name) is None]
    if missing:
        raise _missing(loc, missing)
    return loc


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


def check_table_header(view: WorkbookView, info: TableInfo) -> None:
    """Refuse (TableOutOfStep) a table whose first row does not hold its column names.

    Excel keeps each header cell equal to its tableColumn name; when they differ, rows
    were moved by something that left the table's range behind, and the table's first
    row is a data row (or an empty one). Compared case-, space- and width-insensitively,
    and tableColumn names are decoded first (Excel writes a line break in a column name
    as _x000a_), so only a real mismatch is refused."""
    if not info.header_row_count:
        return
    row = info.ref.min_row
    first = info.ref.min_col
    names = [unescape_ooxml(c.name) for c in info.columns]
    cells = _row_cells(view, info.sheet, row, range(first, first + len(names)))
    wrong = [
        (first + i, name, cells.get(first + i))
        for i, name in enumerate(names)
        if normalise_header(cells.get(first + i)) != normalise_header(name)
    ]
    if not wrong:
        return
    shown = "; ".join(
        f"{cell_ref(row, col)} holds {_shown(value)} instead of {name!r}"
        for col, name, value in wrong[:6]
    ) + (f"; and {len(wrong) - 6} more" if len(wrong) > 6 else "")
    moved = _header_elsewhere(view, info, names)
    where = (
        f" The column names are on row {moved}, so rows were inserted or deleted above "
        "the table by a program that does not update Excel tables (openpyxl's "
        "insert_rows/delete_rows do this)."
        if moved
        else ""
    )
    raise TableOutOfStep(
        f"{view.path}: table {info.name!r} on sheet {info.sheet.name!r} no longer matches its "
        f"cells: its range {info.ref} puts its header on row {row}, but {shown} (the header "
        f"cells must hold the table's column names).{where} pmo-sync "
        "neither reads nor writes this table, so that no data row is taken for the header. "
        "Open the workbook in Excel and let it repair the table, restore the workbook from "
        "a backup (.pmo-sync/backups beside it), or fix the table's range (Table Design > "
        "Resize Table) so that its first row is the header row.",
        path=view.path,
        table=info.name,
        expected=names,
        found=[cells.get(first + i) for i in range(len(names))],
    )


def _row_cells(view: WorkbookView, sheet: SheetInfo, row: int, cols: range) -> dict[int, object]:
    for number, cells in view.rows(sheet, min_row=row, max_row=row, columns=set(cols)):
        if number == row:
            return {c: v.value for c, v in cells.items() if not v.is_empty}
    return {}


def _shown(value: object) -> str:
    return "nothing" if value is None else repr(value)


def _header_elsewhere(view: WorkbookView, info: TableInfo, names: list[str]) -> int | None:
    """A nearby row that does hold the column names (where the header went)."""
    cols = range(info.ref.min_col, info.ref.min_col + len(names))
    wanted = [normalise_header(n) for n in names]
    low = max(1, info.ref.min_row - 5)
    for number, cells in view.rows(
        info.sheet, min_row=low, max_row=info.ref.min_row + 5, columns=set(cols)
    ):
        if number == info.ref.min_row:
            continue
        got = [normalise_header(cells[c].value if c in cells else None) for c in cols]
        if got == wanted:
            return number
    return None


def _from_table(
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
            return _from_table(view, info, aliases)
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
        return _from_table(view, best_table, aliases)
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
        return _from_table(view, best_table, aliases)
    raise TrackerNotFound(
        f"{view.path}: no table or sheet has the headers "
        f"{', '.join(repr(w) for w in wanted)}. Name the table or sheet in the mapping.",
        path=view.path,
    )


__all__ = ["TrackerLocation", "locate_tracker", "normalise_header"]
