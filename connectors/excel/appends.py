"""Append rows to a table or a plain-sheet tracker, the way Excel grows a table.

A table's empty rows (every cell empty, styles allowed: Excel's insert row, the
pre-formatted rows a template ships, rows whose contents were deleted) are filled
first, in order, and keep their own formatting; only the records left over grow the
range. A plain-sheet tracker ends at its last non-empty row, so its new rows go into
the rows below it in order, keeping the formatting of rows pre-formatted there; a blank
row between its data rows is left alone (on a plain sheet it often separates sections).
A hidden empty row of a table is not reused (a record there would be out of sight).

New rows copy the row above (row attributes and cell styles), calculated columns get
their formula shifted to the new row, the table's ref and autoFilter grow, and the
sheet's validations and conditional formats that ended on the old last row are
stretched. A totals row moves down only when nothing refers to it by A1 address.
Rows are never deleted or moved otherwise, and content below a tracker is never
overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cellxml import cell_xml, formula_cell_xml
from .errors import MissingColumns, TrackerNotFound, UnsupportedEdit
from .filldown import filled_down_formulas
from .formulas import iter_references, shift_formula
from .headers import resolve_header
from .locate import TrackerLocation, check_table_header, locate_tracker
from .package import SheetInfo, TableInfo
from .partedit import extend_table
from .patch import RowAppend
from .refs import CellRange, cell_ref, column_index
from .sheetedit import SheetEditor
from .totals import blocking_references

if TYPE_CHECKING:
    from .planner import Planner

_ROW_ATTRS_DROP = re.compile(rb'\s(?:r|hidden|collapsed|thickBot|thickTop)\s*=\s*"[^"]*"')
_HIDDEN = re.compile(rb'\shidden\s*=\s*"(?:1|true)"')


class RowAppender:
    """The append half of the Planner (mixed into it; uses its editors and results)."""

    def append(self: Planner, append: RowAppend) -> None:
        if not append.rows:
            return
        table: TableInfo | None = None
        if append.table is not None:
            table = self.pkg.table(append.table)
            if table is None:
                names = ", ".join(t.name for t in self.pkg.tables) or "none"
                raise TrackerNotFound(
                    f"{self.pkg.path}: no Excel table named {append.table!r} (tables: {names}).",
                    path=self.pkg.path,
                )
            self._append_to_table(table, append)
        else:
            assert append.sheet is not None
            sheet = self._sheet(append.sheet)
            names = list(dict.fromkeys(k for row in append.rows for k in row))
            loc = locate_tracker(
                self.pkg.path, sheet=sheet.name, expected_headers=names,
                aliases=self.patch.aliases, view=self.view, pins=append.pins,
            )  # fmt: skip
            if loc.table is not None:
                table = self.pkg.table(loc.table)
                assert table is not None
                self._append_to_table(table, append)
            else:
                self._append_to_range(sheet, loc, append)

    def _append_to_table(self: Planner, table: TableInfo, append: RowAppend) -> None:
        """Fill the table's empty rows first, in order, then grow its range.

        An empty row inside the range (every cell of the table's columns empty, styles
        allowed: Excel's insert row, a template's pre-formatted rows, a row whose
        contents someone deleted) takes the next new record; only the rows left over
        are added below, so a template with three empty rows is filled, not skipped."""
        check_table_header(self.view, table)  # rows moved under a stale range: refuse
        where = f"table {table.name!r} on sheet {table.sheet.name!r}"
        ed = self.editor(table.sheet)
        headers = [c.name for c in table.columns]
        grown = self._growth.get(table.part, 0)  # earlier appends in this patch
        first, last = table.first_data_row, table.last_data_row + grown
        count = len(append.rows)
        empty = self._empty_rows(ed, first, last, table.ref.min_col, table.ref.max_col)
        reused = empty[:count]
        extra = count - len(reused)
        if extra and table.totals_row_count:
            totals = range(last + 1, last + 1 + table.totals_row_count)
            self._move_totals(table, ed, totals, extra, where)
            skip = set(totals)
        else:
            skip = set()
        if extra:
            self._check_free(
                ed,
                table.sheet,
                last + 1,
                extra + table.totals_row_count,
                table.ref.min_col,
                table.ref.max_col,
                skip_rows=skip,
                exclude=table.name,
            )
        formulas: dict[int, tuple[str, bool]] = {}
        for offset, col in enumerate(table.columns):
            if col.calculated_formula:
                formulas[table.ref.min_col + offset] = (
                    col.calculated_formula,
                    col.calculated_is_array,
                )
        targets = reused + list(range(last + 1, last + 1 + extra))
        numbers = self._write_rows(
            ed, append, headers, table.ref.min_col, targets, last, first, formulas, where,
            own_style=set(reused),
        )  # fmt: skip
        new_last = max(last, numbers[-1])
        self._growth[table.part] = grown + (new_last - last)
        if new_last > last or (table.insert_row and last in reused):
            current = self.table_parts.get(table.part, self.pkg.read(table.part))
            self.table_parts[table.part] = extend_table(
                current,
                new_last + table.totals_row_count,
                clear_insert_row=table.insert_row,
                autofilter_last=new_last,
            )
        self._sheet_ext.append(
            (
                table.sheet.part,
                {
                    "first_row": first,
                    "old_last": last,
                    "new_last": new_last,
                    "min_col": table.ref.min_col,
                    "max_col": table.ref.max_col,
                },
            )
        )
        self.result.appended_rows.setdefault(table.name, []).extend(numbers)

    def _empty_rows(
        self: Planner, ed: SheetEditor, first: int, last: int, min_col: int, max_col: int
    ) -> list[int]:
        """Rows first..last whose cells in min_col..max_col are all empty (no value, no
        formula; styles do not count) and that this patch has not written to yet. Hidden
        rows (a filter or a person hid them) are not used: a record put there would be
        out of sight."""
        found = []
        for row in range(first, last + 1):
            if any(min_col <= col <= max_col for col in ed.edits.get(row, {})):
                continue
            if _HIDDEN.search(ed.row_attrs(row) or b""):
                continue
            if all(
                not min_col <= col <= max_col or self._cell_empty(ed, row, col)
                for col in ed.row_cells(row)
            ):
                found.append(row)
        return found

    @staticmethod
    def _cell_empty(ed: SheetEditor, row: int, col: int) -> bool:
        raw = ed.raw_cell(row, col)
        return raw is None or (raw.v in (None, "") and not raw.is_formula and raw.t != "e")

    def _move_totals(
        self: Planner, table: TableInfo, ed: SheetEditor, totals: range, count: int, where: str
    ) -> None:
        """Move the totals row(s) `count` rows down, or refuse if that breaks references."""
        area = CellRange(totals.start, table.ref.min_col, totals.stop - 1 + count,
                         table.ref.max_col)  # fmt: skip
        blockers = blocking_references(self.pkg, table.sheet, area, skip_rows=totals)
        moved: dict[tuple[int, int], bytes] = {}
        for row in totals:
            for col, xml in ed.row_cells(row).items():
                if not table.ref.min_col <= col <= table.ref.max_col:
                    continue
                raw = ed.raw_cell(row, col)
                if raw is not None and raw.is_formula:
                    if raw.formula_type == "shared" or (
                        raw.formula and iter_references(raw.formula)
                    ):
                        blockers.append(f"totals cell {cell_ref(row, col)}: ={raw.formula}")
                    self.drop_calc_chain = True  # the chain lists the old addresses
                moved[(row, col)] = xml
        if blockers:
            shown = "; ".join(blockers[:3]) + (" ..." if len(blockers) > 3 else "")
            raise UnsupportedEdit(
                f"{self.pkg.path}: {where} has a totals row that would have to move down, but "
                f"cell references point at it or below it ({shown}). Refer to the totals with "
                "structured references (e.g. Table[[#Totals],[Column]]), or add the rows in "
                "Excel.",
                path=self.pkg.path,
            )
        for row in totals:
            target = row + count
            ed.ensure_row(target, _ROW_ATTRS_DROP.sub(b"", ed.row_attrs(row) or b""))
            for col in range(table.ref.min_col, table.ref.max_col + 1):
                xml = moved.get((row, col))
                if xml is not None:
                    ed.set_cell(target, col, _readdress(xml, cell_ref(target, col)))
            if row >= totals.start + count:  # old totals row not covered by new data rows
                for col in range(table.ref.min_col, table.ref.max_col + 1):
                    if (row, col) in moved:
                        ed.set_cell(row, col, cell_xml(cell_ref(row, col), None, style=0,
                                                       prefix=ed.prefix))  # fmt: skip

    def _append_to_range(
        self: Planner, sheet: SheetInfo, loc: TrackerLocation, append: RowAppend
    ) -> None:
        ed = self.editor(sheet)
        cols = [column_index(c) for c in loc.columns.values()]
        min_col, max_col = min(cols), max(cols)
        start = loc.last_data_row + 1
        if loc.next_tracker_row is not None:
            check_room_above(self.pkg.path, sheet.name, loc, len(append.rows))
        self._check_free(ed, sheet, start, len(append.rows), min_col, max_col, skip_rows=set())
        template = loc.last_data_row if loc.last_data_row >= loc.first_data_row else None
        headers = [h if h in loc.columns else "" for h in loc.headers]
        first_col = min(column_index(c) for c in loc.columns.values())
        formulas: dict[int, tuple[str, bool]] = {}
        if template is not None:
            # A column the person filled down with one formula gets it in the new rows,
            # as a table's calculated column does: a value given for it is ignored (and
            # noted), so the formula column is never broken by a typed value.
            columns = {first_col + i for i, h in enumerate(headers) if h}
            formulas = filled_down_formulas(ed, columns, template, loc.first_data_row)
        rows = list(range(start, start + len(append.rows)))
        numbers = self._write_rows(
            ed, append, headers, first_col, rows, template, template or loc.first_data_row,
            formulas, f"sheet {sheet.name!r}", own_style=set(rows),
        )  # fmt: skip
        if template is not None:
            self._sheet_ext.append(
                (
                    sheet.part,
                    {
                        "first_row": loc.first_data_row,
                        "old_last": loc.last_data_row,
                        "new_last": numbers[-1],
                        "min_col": min_col,
                        "max_col": max_col,
                    },
                )
            )
        self.result.appended_rows.setdefault(sheet.name, []).extend(numbers)

    def _check_free(
        self: Planner,
        ed: SheetEditor,
        sheet: SheetInfo,
        start: int,
        count: int,
        min_col: int,
        max_col: int,
        *,
        skip_rows: set[int],
        exclude: str | None = None,
    ) -> None:
        """Refuse to append over another table or over non-empty cells."""
        end = start + count - 1
        for other in self.pkg.tables_on(sheet):
            r = other.ref
            if other.name == exclude:
                continue
            if (
                r.min_row <= end
                and r.max_row >= start
                and r.min_col <= max_col
                and (r.max_col >= min_col)
            ):
                raise UnsupportedEdit(
                    f"{self.pkg.path}: table {other.name!r} on sheet {sheet.name!r} is in the "
                    f"way of the rows to append ({start}-{end}). Move it elsewhere, then sync "
                    "again.",
                    path=self.pkg.path,
                )
        for row in range(start, end + 1):
            if row in skip_rows:
                continue
            for col in ed.row_cells(row):
                if not min_col <= col <= max_col:
                    continue
                raw = ed.raw_cell(row, col)
                if raw is not None and (raw.v not in (None, "") or raw.is_formula):
                    raise UnsupportedEdit(
                        f"{self.pkg.path}: cell {cell_ref(row, col)} on sheet {sheet.name!r}, "
                        "just below the tracker, is not empty; appended rows would overwrite "
                        "it. Move that content elsewhere, then sync again.",
                        path=self.pkg.path,
                    )

    def _write_rows(
        self: Planner,
        ed: SheetEditor,
        append: RowAppend,
        headers: list[str],
        first_col: int,
        rows: list[int],
        template: int | None,
        first_data_row: int,
        formulas: dict[int, tuple[str, bool]],
        where: str,
        *,
        own_style: Container[int] = (),
    ) -> list[int]:
        """Write the appended records into `rows` (one each, in order). A cell that
        already exists with a style in a row of `own_style` (a pre-formatted empty row)
        keeps its style; other cells take the style of the `template` row's cell."""
        where_sheet = next(s.name for s in self.pkg.sheets if self.editors.get(s.part) is ed)
        template_cells = ed.row_cells(template) if template is not None else {}
        template_attrs = ed.row_attrs(template) if template is not None else None
        attrs = _ROW_ATTRS_DROP.sub(b"", template_attrs or b"")
        numbers = []
        named = [h for h in headers if h]
        resolved: dict[str, str | None] = {}  # every row has the same keys: resolve once
        for row, values in zip(rows, append.rows, strict=True):
            targets: dict[int, Any] = {}
            for key, value in values.items():
                if key not in resolved:
                    resolved[key] = resolve_header(key, named, self.patch.aliases)
                header = resolved[key]
                if header is not None and first_col + headers.index(header) in formulas:
                    self.result.notes.append(
                        f"{where}: value for calculated column {header!r} ignored (row {row})"
                    )
                if header is None:
                    found = ", ".join(repr(h) for h in headers if h)
                    raise MissingColumns(
                        f"{self.pkg.path}: {where} has no column {key!r} (headers found: "
                        f"{found}). Fix the field name in the mapping.",
                        path=self.pkg.path,
                        missing=[key],
                        found=headers,
                    )
                targets[first_col + headers.index(header)] = value
            ed.ensure_row(row, attrs)
            for offset, header in enumerate(headers):
                if not header:
                    continue
                col = first_col + offset
                tmpl = template_cells.get(col)
                style = _style_of(tmpl)
                existing = ed.cell_xml(row, col)
                if existing is not None and (template is None or row in own_style):
                    style = _style_of(existing) or (style if template is not None else 0)
                if col in formulas:
                    text, is_array = formulas[col]
                    formula = shift_formula(text, row - first_data_row)
                    ref = cell_ref(row, col)
                    f_attrs = f' t="array" ref="{ref}"'.encode() if is_array else b""
                    extra = b""
                    if tmpl is not None:
                        cm = re.search(rb'\scm\s*=\s*"[^"]*"', tmpl.split(b">", 1)[0])
                        if cm and is_array:
                            extra = cm.group(0)
                    ed.set_cell(
                        row, col,
                        formula_cell_xml(ref, formula, style=style, prefix=ed.prefix,
                                         f_attrs=f_attrs, extra=extra),
                    )  # fmt: skip
                    self.formulas_added = True
                    continue
                if col in targets:
                    ed.set_cell(row, col, self.encode(ed, row, col, targets[col], base_style=style))
                    self.written[(where_sheet, cell_ref(row, col))] = None
                elif style or existing is not None:
                    ed.set_cell(row, col, cell_xml(cell_ref(row, col), None, style=style,
                                                   prefix=ed.prefix))  # fmt: skip
            numbers.append(row)
        return numbers


def check_room_above(path: Path, sheet: str, loc: TrackerLocation, count: int) -> None:
    """Refuse appending `count` rows to a plain tracker with another tracker below it
    unless they fit in the blank rows between the two, one blank row kept: a tracker
    that touched the one below would read as one tracker from then on. Inserting rows
    instead would shift everything below (the tracker below, formulas, validations,
    formats, charts and names that point there), which is Excel's job, not a sync's."""
    assert loc.next_tracker_row is not None
    room = max(0, loc.next_tracker_row - 2 - loc.last_data_row)
    if count <= room:
        return
    rows = "row" if count == 1 else "rows"
    raise UnsupportedEdit(
        f"{path}: sheet {sheet!r}: the tracker with header row {loc.header_row} ends at row "
        f"{loc.last_data_row} and another tracker starts at row {loc.next_tracker_row}, so "
        f"there is room for {room} new row(s) between them (one blank row stays), not "
        f"{count} {rows}. Nothing was written: insert {count - room} rows above row "
        f"{loc.next_tracker_row} in Excel (or move the tracker below further down), then "
        "sync again.",
        path=path,
    )


def _readdress(cell: bytes, ref: str) -> bytes:
    """The same <c> element with a new r attribute (used when moving a totals row)."""
    return re.sub(rb'(\sr\s*=\s*")[^"]*(")', lambda m: m.group(1) + ref.encode() + m.group(2),
                  cell, count=1)  # fmt: skip


def _style_of(cell: bytes | None) -> int:
    if not cell:
        return 0
    m = re.search(rb'\ss\s*=\s*"(\d+)"', cell.split(b">", 1)[0])
    return int(m.group(1)) if m else 0
