"""Is an Excel table still in step with its cells? (refuse it when it is not)

Excel keeps each header cell equal to its tableColumn name. A program that inserts or
deletes rows without updating tables (openpyxl's insert_rows/delete_rows) leaves the
table's range behind, so a data row sits where the header should be; reading or writing
such a table by its range would take that row for the header and lose it. Used by the
locator and the appender before they trust a table.
"""

from __future__ import annotations

from .errors import TableOutOfStep
from .headers import normalise_header
from .package import SheetInfo, TableInfo
from .refs import cell_ref
from .strings import unescape_ooxml
from .workbook import WorkbookView


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


__all__ = ["check_table_header"]
