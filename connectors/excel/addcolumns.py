"""Add columns to a tracker (pmo-sync's ``Jira Key`` and hidden ``Sync ID``), losslessly.

An existing tracker needs two identity columns before it can sync. ``add_columns`` adds
them the way a person would in Excel, and nothing else:

* an Excel table gains them at its right end: new ``tableColumn`` entries (fresh unique
  ids, the names given, the last column's data format ``dataDxfId``), its ``ref`` and
  ``autoFilter`` widened; header cells written with the style of the table's last
  header cell, data (and totals) cells given the style of the last column's cell in
  the same row, column widths and the hidden flag in ``<cols>``;
* a plain tracker gains them right after its last titled column, within its own rows
  (header to last data row: a tracker stacked below is not touched), styled the same
  way.

Data validations and conditional formats are left as they are: Excel's Resize Table
does not extend them either, and a list or colour rule made for the last column has
nothing to say about ids. The cells to the right must be empty (no value, formula,
other table, pivot table or merged cell), and the names new, or nothing is written.
The write goes through the writer's safety path (lock files, fingerprint, backup,
atomic replace); the package changes only in the sheet part, the table part and, when a
header needs a quote-prefix style, styles.xml. Formulas that take a table whole
(``COLUMNS(Risks)``, ``Risks[#All]``) would be stale, so then, and only then, the
workbook is marked for recalculation on open (workbook.xml, noted in the result).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from .cellxml import cell_xml
from .errors import UnstorableText, UnsupportedEdit, WorkbookChanged, WorkbookLocked
from .fingerprint import Fingerprint
from .headers import normalise_header
from .locate import TrackerLocation, locate_tracker
from .package import Package, SheetInfo, TableInfo
from .partedit import set_full_calc_on_load
from .patch import PatchResult
from .refs import CellRange, cell_ref, column_index, column_letter
from .safety import check_not_open, owner_files
from .sheetedit import SheetEditor
from .sheetscan import pivot_areas, sheet_merges
from .strings import UnstorableCharacter
from .styles import StyleEditor
from .tablecheck import check_table_header
from .values import looks_like_formula
from .widen import col_width, widen_table, with_columns
from .workbook import WorkbookView
from .writer import commit_bytes
from .zipcopy import rewrite_package

_STYLE = re.compile(rb'\ss\s*=\s*"(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>")
ID_HEADERS = ("Jira Key", "Sync ID")


def add_columns(
    path: str | Path,
    location: Any,
    headers: Sequence[str] = ID_HEADERS,
    *,
    hidden: Collection[str] = ("Sync ID",),
    expected: Fingerprint,
    backup_dir: str | Path | None = None,
    keep_backups: int = 10,
) -> PatchResult:
    """Add `headers` as new columns at the right end of the tracker at `location`.

    `location`: a TrackerLocation (``locate_tracker``, ``records.locate_entity``) or a
    survey's SurveyTracker; it is located again in the file as it is now. `hidden`: the
    headers whose column is hidden. `expected`: the fingerprint of the read the caller
    decided on (WorkbookChanged if the file changed since). The result lists the cells
    written, the changed parts, the backup and ``added_columns`` (header -> letter): a
    mapping that pins the tracker's columns must be widened to include them."""
    path = Path(path)
    try:
        check_not_open(path)
    except WorkbookLocked as exc:  # no live path: a table cannot be widened through COM here
        raise WorkbookLocked(
            f"{path}: the workbook is open in a spreadsheet application (lock file "
            f"{owner_files(path)[0].name} exists); no columns were added. Close it, then "
            "add the columns again.",
            path=path,
        ) from exc
    data = path.read_bytes()
    if not Fingerprint.of_bytes(path, data).matches(expected):
        raise WorkbookChanged(
            f"{path}: the workbook was saved by someone else after pmo-sync read it; no "
            "columns were added. Run the command again to work on the current file.",
            path=path,
        )
    package = Package(path, data)
    view = WorkbookView(path, package=package)
    table, loc = _locate_again(view, location)
    sheet = package.sheet(loc.sheet)
    assert sheet is not None
    names = _check_names(path, loc, headers)
    first_new = _last_col(loc, table, sheet_merges(view.sheet_bytes(sheet))) + 1
    new_cols = list(range(first_new, first_new + len(names)))
    if new_cols[-1] > 16_384:
        raise UnsupportedEdit(
            f"{path}: sheet {sheet.name!r} has no room for {len(names)} more column(s) right of "
            f"the tracker (Excel's last column is XFD). Move the tracker left, then try again.",
            path=path,
        )
    top = table.ref.min_row if table else loc.header_row
    bottom = table.ref.max_row if table else max(loc.last_data_row, loc.first_data_row - 1)
    area = CellRange(top, new_cols[0], bottom, new_cols[-1])
    _check_free(view, sheet, area, table)
    plan = _Edit(package, sheet, loc, table)
    plan.write(names, new_cols, set(hidden), top, bottom)
    replace = {sheet.part: plan.sheet_xml}
    result = PatchResult(path=path)
    if table is not None:
        replace[table.part] = widen_table(package.read(table.part), new_cols[-1], names)
        if _whole_table_formulas(package, table.name):
            wb = package.workbook_part
            replace[wb] = set_full_calc_on_load(package.read(wb))
            result.full_calc_on_load = True
            result.notes.append(
                f"formulas use table {table.name!r} as a whole; the workbook recalculates "
                "them when next opened"
            )
    if plan.styles is not None and plan.styles.changed:
        assert package.styles_part is not None
        replace[package.styles_part] = plan.styles.render()
    new = rewrite_package(zipfile.ZipFile(io.BytesIO(data)), replace=replace, remove=[])
    result.backup_path = commit_bytes(
        path, new, expected=expected, backup_dir=backup_dir, keep_backups=keep_backups
    )
    result.wrote = True
    result.bytes_written = len(new)
    result.changed_parts = sorted(replace)
    result.written = [(sheet.name, cell_ref(plan.header_row, c)) for c in new_cols]
    result.cells_written = len(result.written)
    result.added_columns = {n: column_letter(c) for n, c in zip(names, new_cols, strict=True)}
    span = f"{column_letter(new_cols[0])}:{column_letter(new_cols[-1])}"
    where = f"table {table.name!r}" if table else f"the tracker on sheet {sheet.name!r}"
    result.notes.append(f"columns {span} added to {where}: {', '.join(names)}")
    if table is None and loc.pins.columns is not None:
        first = column_letter(loc.pins.columns[0])
        result.notes.append(
            f'the mapping pins columns; set columns = "{first}:{column_letter(new_cols[-1])}"'
        )
    return result


def _locate_again(view: WorkbookView, location: Any) -> tuple[TableInfo | None, TrackerLocation]:
    """The tracker as the file holds it now (a table re-checked against its cells).
    `location`: a TrackerLocation or a SurveyTracker (both have table, sheet, pins and
    headers)."""
    wanted = [h for h in location.headers if h]
    table = location.table
    loc = locate_tracker(
        view.path, table=table, sheet=None if table else location.sheet,
        expected_headers=wanted, view=view, pins=None if table else location.pins,
    )  # fmt: skip
    info = view.package.table(loc.table) if loc.table else None
    if info is not None:
        check_table_header(view, info)
    return info, loc


def _last_col(loc: TrackerLocation, table: TableInfo | None, merges: Sequence[CellRange]) -> int:
    """The tracker's last column: a table's, else its last titled column, or the end of
    a header cell merged across columns beyond it (a "Comments" header over two)."""
    if table is not None:
        return table.ref.max_col
    last = max(column_index(letter) for letter in loc.columns.values())
    top, bottom = loc.header_row, loc.header_row + loc.header_rows - 1  # its header rows
    for merged in merges:
        header = merged.min_row <= bottom and merged.max_row >= top
        if header and merged.min_col <= last < merged.max_col:
            last = merged.max_col
    return last


def _check_names(path: Path, loc: TrackerLocation, headers: Sequence[str]) -> list[str]:
    names = [h.strip() for h in headers]
    where = f"table {loc.table!r}" if loc.table else f"the tracker on sheet {loc.sheet!r}"
    if not names or any(not n for n in names):
        raise ValueError("add_columns needs one or more non-empty header texts")
    folded = [normalise_header(n) for n in names]
    if len(set(folded)) != len(folded):
        raise ValueError(f"add_columns was given the same header twice: {names}")
    existing = {normalise_header(h): h for h in loc.headers if h}
    taken = [
        f"{n!r} (column {loc.columns.get(existing[f], '?')})"
        for n, f in zip(names, folded, strict=True)
        if f in existing
    ]
    if taken:
        raise UnsupportedEdit(
            f"{path}: {where} already has {', '.join(taken)}; nothing was added. Add only "
            "the columns it lacks (pmo-sync check lists them).",
            path=path,
        )
    return names


def _check_free(
    view: WorkbookView, sheet: SheetInfo, area: CellRange, table: TableInfo | None
) -> None:
    """Refuse when anything occupies the cells the new columns need."""
    path = view.path
    at = f"{path}: sheet {sheet.name!r}, {area}"
    for other in view.package.tables_on(sheet):
        if table is not None and other.part == table.part:
            continue
        if _overlap(other.ref, area):
            raise UnsupportedEdit(
                f"{at}: table {other.name!r} ({other.ref}) is in the way of the new columns; "
                "nothing was added. Move it to make room, then try again.",
                path=path,
            )
    for pivot in pivot_areas(view, sheet):
        if _overlap(pivot, area):
            raise UnsupportedEdit(
                f"{at}: a pivot table ({pivot}) is in the way of the new columns; nothing was "
                "added. Move it to make room, then try again.",
                path=path,
            )
    for merged in sheet_merges(view.sheet_bytes(sheet)):
        if _overlap(merged, area):
            raise UnsupportedEdit(
                f"{at}: merged cells {merged} are in the way of the new columns; nothing was "
                "added. Unmerge or move them, then try again.",
                path=path,
            )
    busy = []
    cols = set(range(area.min_col, area.max_col + 1))
    for _row, cells in view.rows(sheet, min_row=area.min_row, max_row=area.max_row, columns=cols):
        busy += [f"{v.address} holds {v.value if v.error is None else v.error!r}"
                 for v in cells.values() if not v.is_empty or v.is_formula]  # fmt: skip
    if busy:
        shown = "; ".join(busy[:4]) + (f"; and {len(busy) - 4} more" if len(busy) > 4 else "")
        raise UnsupportedEdit(
            f"{at}: the cells right of the tracker are not empty ({shown}); nothing was "
            "added. Move that content elsewhere (or clear it), then try again.",
            path=path,
        )


def _overlap(a: CellRange, b: CellRange) -> bool:
    return (
        a.min_row <= b.max_row
        and a.max_row >= b.min_row
        and a.min_col <= b.max_col
        and a.max_col >= b.min_col
    )


def _whole_table_formulas(package: Package, name: str) -> bool:
    """Does a formula take the table whole (its shape changes with a new column)?"""
    whole = re.compile(
        rb"(?<![\w.])"
        + re.escape(name.encode())
        + rb"(?:\[(?:#All|#Headers|#Data|#Totals)?\]|(?!\s*\[))",
        re.IGNORECASE,
    )
    for sheet in package.sheets:
        for formula in _FORMULA.findall(package.read(sheet.part)):
            if whole.search(formula):
                return True
    return False


class _Edit:
    """The new sheet XML: header cells, styled data cells, widths and hidden flags."""

    def __init__(
        self, package: Package, sheet: SheetInfo, loc: TrackerLocation, table: TableInfo | None
    ) -> None:
        self.package = package
        self.sheet = sheet
        self.loc = loc
        self.table = table
        self.ed = SheetEditor(package.read(sheet.part))
        self.styles: StyleEditor | None = None
        self.header_row = table.ref.min_row if table else loc.first_data_row - 1
        self.last_col = _last_col(loc, table, ())  # the styles new cells copy
        self.sheet_xml = b""

    def _style(self, row: int) -> int:
        m = _STYLE.search((self.ed.cell_xml(row, self.last_col) or b"").split(b">", 1)[0])
        return int(m.group(1)) if m else 0

    def write(
        self, names: list[str], cols: list[int], hidden: set[str], top: int, bottom: int
    ) -> None:
        ed, p = self.ed, self.ed.prefix
        header_style = self._style(self.header_row)
        for name, col in zip(names, cols, strict=True):
            ref = cell_ref(self.header_row, col)
            style = header_style
            if looks_like_formula(name):
                style = self._style_editor().quote_prefixed(style)
            try:
                ed.set_cell(self.header_row, col, cell_xml(ref, name, style=style, prefix=p))
            except UnstorableCharacter as exc:
                raise UnstorableText(
                    f"{self.package.path}: header {name!r} for cell {self.sheet.name}!{ref}: "
                    f"{exc.reason}. Nothing was written: give a header without it.",
                    path=self.package.path,
                ) from None
        for row in range(top, bottom + 1):
            if row == self.header_row:
                continue
            style = self._style(row)
            if style:
                for col in cols:
                    ed.set_cell(row, col, cell_xml(cell_ref(row, col), None, style=style, prefix=p))
        data = ed.render()
        width = col_width(data, self.last_col)
        specs = {}
        for name, col in zip(names, cols, strict=True):
            spec = {
                b"width": _fmt(width or max(10.0, min(40.0, len(name) * 1.2 + 2))),
                b"customWidth": b"1",
            }
            if name in hidden:
                spec[b"hidden"] = b"1"
            specs[col] = spec
        self.sheet_xml = with_columns(data, specs)

    def _style_editor(self) -> StyleEditor:
        if self.styles is None:
            part = self.package.styles_part
            if not part or not self.package.has(part):
                raise UnsupportedEdit(
                    f"{self.package.path}: the workbook has no styles part; open and save it in "
                    "Excel once, then try again.",
                    path=self.package.path,
                )
            self.styles = StyleEditor(self.package.read(part))
        return self.styles


def _fmt(width: float) -> bytes:
    return (f"{width:.10g}").encode()


__all__ = ["ID_HEADERS", "add_columns"]
