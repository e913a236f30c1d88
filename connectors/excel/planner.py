"""Turn a WorkbookPatch into new bytes for the parts that must change.

Only the parts a change really needs are produced: the edited sheet parts, the table
parts whose range grows, styles.xml when a quote-prefix or date style must be added,
and workbook.xml when formulas must be recalculated on open. Writes whose value is
already in the cell are dropped, so re-applying a patch changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .cells import CellValue
from .cellxml import cell_xml, formula_cell_xml, kept_attributes
from .errors import MissingColumns, TrackerNotFound, UnsupportedEdit
from .extend import extend_ranges
from .formulas import iter_references, shift_formula
from .headers import resolve_header
from .locate import TrackerLocation, locate_tracker
from .numfmt import DEFAULT_DATE_FORMAT_ID, DEFAULT_DATETIME_FORMAT_ID, FormatKind
from .package import REL_CALCCHAIN, Package, SheetInfo, TableInfo
from .partedit import (
    extend_table,
    remove_override,
    remove_relationship,
    set_full_calc_on_load,
)
from .patch import CellWrite, PatchResult, RowAppend, WorkbookPatch
from .refs import CellRange, cell_ref, column_index
from .sheetedit import SheetEditor
from .styles import StyleEditor
from .totals import blocking_references
from .values import fit_for_excel, looks_like_formula, to_serial
from .workbook import WorkbookView

_TIME_FORMAT_ID = 21
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ROW_ATTRS_DROP = re.compile(rb'\s(?:r|hidden|collapsed|thickBot|thickTop)\s*=\s*"[^"]*"')


@dataclass
class Plan:
    """New bytes for changed parts, parts to remove, and the result so far."""

    replace: dict[str, bytes] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    result: PatchResult | None = None


class Planner:
    """Applies a patch to an in-memory package, part by part."""

    def __init__(self, package: Package, patch: WorkbookPatch) -> None:
        self.pkg = package
        self.patch = patch
        self.view = WorkbookView(package.path, package=package)
        self.editors: dict[str, SheetEditor] = {}
        self.table_parts: dict[str, bytes] = {}
        self._styles: StyleEditor | None = None
        self._locations: dict[str, TrackerLocation | None] = {}
        self.result = PatchResult(path=package.path)
        self.drop_calc_chain = False
        self.formulas_added = False
        self._sheet_ext: list[tuple[str, dict[str, int]]] = []
        self._growth: dict[str, int] = {}  # table part -> rows appended so far

    # -- helpers -----------------------------------------------------------------------
    @property
    def styles(self) -> StyleEditor:
        if self._styles is None:
            part = self.pkg.styles_part
            if not part or not self.pkg.has(part):
                raise UnsupportedEdit(
                    f"{self.pkg.path}: workbook has no styles part; open and save it in Excel "
                    "once so pmo-sync can write to it",
                    path=self.pkg.path,
                )
            self._styles = StyleEditor(self.pkg.read(part))
        return self._styles

    def _sheet(self, name: str) -> SheetInfo:
        info = self.pkg.sheet(name)
        if info is None:
            names = ", ".join(s.name for s in self.pkg.sheets)
            raise TrackerNotFound(
                f"{self.pkg.path}: no sheet named {name!r} (sheets: {names}). "
                "Check the sheet name in the mapping.",
                path=self.pkg.path,
            )
        return info

    def editor(self, sheet: SheetInfo) -> SheetEditor:
        ed = self.editors.get(sheet.part)
        if ed is None:
            ed = SheetEditor(self.pkg.read(sheet.part))
            self.editors[sheet.part] = ed
        return ed

    def _style_kind(self, index: int) -> FormatKind:
        if self._styles is not None and index >= len(self.view.styles.xfs):
            return FormatKind.GENERAL  # derived style we added: only quote/date variants
        return self.view.styles.style(index).kind

    def _location(self, sheet: SheetInfo, names: list[str]) -> TrackerLocation | None:
        if sheet.name not in self._locations:
            try:
                self._locations[sheet.name] = locate_tracker(
                    self.pkg.path,
                    sheet=sheet.name,
                    expected_headers=names,
                    aliases=self.patch.aliases,
                    view=self.view,
                )
            except TrackerNotFound:
                self._locations[sheet.name] = None
        return self._locations[sheet.name]

    # -- cells -------------------------------------------------------------------------
    def resolve_column(self, write: CellWrite, sheet: SheetInfo) -> int:
        if write.by_letter:
            return column_index(write.column)
        names = [w.column for w in self.patch.writes if w.sheet == write.sheet and not w.by_letter]
        loc = self._location(sheet, names)
        if loc is not None:
            header = loc.header_for(write.column)
            if header is not None and header in loc.columns:
                return column_index(loc.columns[header])
        if write.looks_like_letters():
            return column_index(write.column.upper())
        found = ", ".join(repr(h) for h in (loc.headers if loc else []) if h) or "none"
        raise MissingColumns(
            f"{self.pkg.path}: sheet {sheet.name!r} has no column {write.column!r} "
            f"(headers found: {found}). Fix the column name in the mapping.",
            path=self.pkg.path,
            missing=[write.column],
            found=loc.headers if loc else [],
        )

    def current(self, sheet: SheetInfo, ed: SheetEditor, row: int, col: int) -> CellValue | None:
        raw = ed.raw_cell(row, col)
        return None if raw is None else self.view.decoder.decode(raw)

    def encode(
        self,
        ed: SheetEditor,
        row: int,
        col: int,
        value: Any,
        *,
        base_style: int,
        extra: bytes = b"",
    ) -> bytes:
        """Cell XML for `value`, choosing a quote-prefix or date style where needed."""
        ref = cell_ref(row, col)
        if isinstance(value, Decimal):
            value = float(value)
        try:
            value, note = fit_for_excel(value, f"{ed_name(self, ed)}!{ref}")
        except ValueError as exc:
            raise UnsupportedEdit(f"{self.pkg.path}: {exc}.", path=self.pkg.path) from exc
        if note:
            self.result.notes.append(note)
        style = base_style
        if isinstance(value, dt.datetime | dt.date | dt.time):
            serial = to_serial(value, date1904=self.pkg.date1904)
            kind = self._style_kind(base_style)
            if kind not in (FormatKind.DATE, FormatKind.DATETIME, FormatKind.TIME):
                if isinstance(value, dt.time):
                    fmt = _TIME_FORMAT_ID
                elif isinstance(value, dt.datetime) and value.time() != dt.time():
                    fmt = DEFAULT_DATETIME_FORMAT_ID
                else:
                    fmt = DEFAULT_DATE_FORMAT_ID
                style = self.styles.with_number_format(base_style, fmt)
            return cell_xml(ref, serial, style=style, prefix=ed.prefix, extra=extra)
        if value is None or isinstance(value, bool | int | float):
            return cell_xml(ref, value, style=style, prefix=ed.prefix, extra=extra)
        if not isinstance(value, str):
            raise TypeError(f"cannot write a {type(value).__name__} into an Excel cell ({ref})")
        if looks_like_formula(value):
            style = self.styles.quote_prefixed(base_style)
        return cell_xml(ref, value, style=style, prefix=ed.prefix, extra=extra)

    def write_cell(self, write: CellWrite) -> None:
        sheet = self._sheet(write.sheet)
        ed = self.editor(sheet)
        col = self.resolve_column(write, sheet)
        row = write.row
        existing = self.current(sheet, ed, row, col)
        address = cell_ref(row, col)
        value = write.value.__float__() if isinstance(write.value, Decimal) else write.value
        try:
            value, note = fit_for_excel(value, f"{sheet.name}!{address}")
        except ValueError as exc:
            raise UnsupportedEdit(f"{self.pkg.path}: {exc}.", path=self.pkg.path) from exc
        if (existing is None and value is None) or (
            existing is not None and _same_value(existing, value, self.view)
        ):
            ed.edits.get(row, {}).pop(col, None)  # an earlier write in this patch is undone
            return
        base = existing.style_index if existing is not None else 0
        if existing is not None and existing.is_formula:
            raw = ed.raw_cell(row, col)
            if raw is not None and raw.formula_type == "shared" and raw.formula is not None:
                xml = ed.cell_xml(row, col) or b""
                if b"ref=" in xml:
                    raise UnsupportedEdit(
                        f"{self.pkg.path}: cell {address} on sheet {sheet.name!r} holds the "
                        "master of a shared formula used by other cells; it cannot be "
                        "overwritten without breaking them. Change the mapping so pmo-sync "
                        "writes to another column.",
                        path=self.pkg.path,
                    )
            if not self.patch.overwrite_formulas:
                raise UnsupportedEdit(
                    f"{self.pkg.path}: cell {address} on sheet {sheet.name!r} holds a formula "
                    f"(={existing.formula}); pmo-sync does not overwrite formulas. Remove the "
                    "column from the fields pmo-sync writes, or clear the formula in Excel.",
                    path=self.pkg.path,
                )
            self.drop_calc_chain = True
        if note:
            self.result.notes.append(note)
        extra = kept_attributes(ed.cell_xml(row, col))
        ed.set_cell(row, col, self.encode(ed, row, col, value, base_style=base, extra=extra))
        self.result.written.append((sheet.name, address))

    # -- appends -----------------------------------------------------------------------
    def append(self, append: RowAppend) -> None:
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
                aliases=self.patch.aliases, view=self.view,
            )  # fmt: skip
            if loc.table is not None:
                table = self.pkg.table(loc.table)
                assert table is not None
                self._append_to_table(table, append)
            else:
                self._append_to_range(sheet, loc, append)

    def _append_to_table(self, table: TableInfo, append: RowAppend) -> None:
        where = f"table {table.name!r} on sheet {table.sheet.name!r}"
        ed = self.editor(table.sheet)
        headers = [c.name for c in table.columns]
        grown = self._growth.get(table.part, 0)  # earlier appends in this patch
        first, last = table.first_data_row, table.last_data_row + grown
        count = len(append.rows)
        placeholder = not grown and (
            (last == first and table.insert_row)
            or (last == first and not table.totals_row_count and self._row_blank(ed, first, table))
        )
        start = first if placeholder else last + 1
        template = last if not placeholder else first
        skip = {first} if placeholder else set()
        if table.totals_row_count:
            totals = range(last + 1, last + 1 + table.totals_row_count)
            skip |= set(totals)
            self._move_totals(table, ed, totals, count, where)
        self._check_free(
            ed,
            table.sheet,
            start,
            count + table.totals_row_count,
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
        numbers = self._write_rows(
            ed, append, headers, table.ref.min_col, start, template, first, formulas, where
        )
        new_last = max(last, numbers[-1])
        self._growth[table.part] = grown + (new_last - last)
        if new_last > last or (placeholder and table.insert_row):
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

    def _move_totals(
        self, table: TableInfo, ed: SheetEditor, totals: range, count: int, where: str
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

    def _append_to_range(self, sheet: SheetInfo, loc: TrackerLocation, append: RowAppend) -> None:
        ed = self.editor(sheet)
        cols = [column_index(c) for c in loc.columns.values()]
        min_col, max_col = min(cols), max(cols)
        start = loc.last_data_row + 1
        self._check_free(ed, sheet, start, len(append.rows), min_col, max_col, skip_rows=set())
        template = loc.last_data_row if loc.last_data_row >= loc.first_data_row else None
        headers = [h if h in loc.columns else "" for h in loc.headers]
        first_col = min(column_index(c) for c in loc.columns.values())
        numbers = self._write_rows(
            ed, append, headers, first_col, start, template, loc.first_data_row, {},
            f"sheet {sheet.name!r}",
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

    def _row_blank(self, ed: SheetEditor, row: int, table: TableInfo) -> bool:
        for col in range(table.ref.min_col, table.ref.max_col + 1):
            raw = ed.raw_cell(row, col)
            if raw is not None and (raw.v not in (None, "") or raw.is_formula):
                return False
        return True

    def _check_free(
        self,
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
        self,
        ed: SheetEditor,
        append: RowAppend,
        headers: list[str],
        first_col: int,
        start: int,
        template: int | None,
        first_data_row: int,
        formulas: dict[int, tuple[str, bool]],
        where: str,
    ) -> list[int]:
        where_sheet = next(s.name for s in self.pkg.sheets if self.editors.get(s.part) is ed)
        template_cells = ed.row_cells(template) if template is not None else {}
        template_attrs = ed.row_attrs(template) if template is not None else None
        attrs = _ROW_ATTRS_DROP.sub(b"", template_attrs or b"")
        numbers = []
        for k, values in enumerate(append.rows):
            row = start + k
            targets: dict[int, Any] = {}
            for key, value in values.items():
                header = resolve_header(key, [h for h in headers if h], self.patch.aliases)
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
                if existing is not None and template is None:
                    style = _style_of(existing)
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
                    self.result.written.append((where_sheet, cell_ref(row, col)))
                elif style or existing is not None:
                    ed.set_cell(row, col, cell_xml(cell_ref(row, col), None, style=style,
                                                   prefix=ed.prefix))  # fmt: skip
            numbers.append(row)
        return numbers

    # -- assemble ----------------------------------------------------------------------
    def build(self) -> Plan:
        for write in self.patch.writes:
            self.write_cell(write)
        for append in self.patch.appends:
            self.append(append)
        plan = Plan(result=self.result)
        for part, ed in self.editors.items():
            if not ed.edits or (not any(ed.edits.values()) and not ed.new_row_attrs):
                continue
            data = ed.render()
            for ext_part, params in self._sheet_ext:
                if ext_part == part:
                    data = extend_ranges(data, **params)
            if data != self.pkg.read(part):
                plan.replace[part] = data
        for part, data in self.table_parts.items():
            if data != self.pkg.read(part):
                plan.replace[part] = data
        if not plan.replace:
            return plan
        if self._styles is not None and self._styles.changed:
            assert self.pkg.styles_part is not None
            plan.replace[self.pkg.styles_part] = self._styles.render()
        if self.drop_calc_chain:
            self._remove_calc_chain(plan)
        if self._needs_recalc(plan):
            wb = self.pkg.workbook_part
            new = set_full_calc_on_load(plan.replace.get(wb, self.pkg.read(wb)))
            if new != self.pkg.read(wb):
                plan.replace[wb] = new
            self.result.full_calc_on_load = True
        self.result.cells_written = len(self.result.written)
        self.result.rows_appended = sum(len(v) for v in self.result.appended_rows.values())
        self.result.changed_parts = sorted(plan.replace) + [f"-{p}" for p in plan.remove]
        return plan

    def _needs_recalc(self, plan: Plan) -> bool:
        if self.formulas_added or self.drop_calc_chain:
            return True
        if self.pkg.workbook_rel_of_type(REL_CALCCHAIN):
            return True
        for sheet in self.pkg.sheets:
            data = plan.replace.get(sheet.part) or self.pkg.read(sheet.part)
            if _FORMULA_TAG.search(data):
                return True
        return False

    def _remove_calc_chain(self, plan: Plan) -> None:
        part = self.pkg.workbook_rel_of_type(REL_CALCCHAIN)
        if part is None:
            return
        plan.remove.append(part)
        rels = f"{self.pkg.workbook_part.rsplit('/', 1)[0]}/_rels/workbook.xml.rels"
        if self.pkg.has(rels):
            plan.replace[rels] = remove_relationship(self.pkg.read(rels), part.rsplit("/", 1)[1])
        plan.replace["[Content_Types].xml"] = remove_override(
            self.pkg.read("[Content_Types].xml"), part
        )
        self.result.notes.append(
            "calcChain.xml removed because a formula cell was overwritten; Excel rebuilds it"
        )


def ed_name(planner: Planner, ed: SheetEditor) -> str:
    """Name of the sheet an editor belongs to (for messages)."""
    return next((s.name for s in planner.pkg.sheets if planner.editors.get(s.part) is ed), "?")


def _readdress(cell: bytes, ref: str) -> bytes:
    """The same <c> element with a new r attribute (used when moving a totals row)."""
    return re.sub(rb'(\sr\s*=\s*")[^"]*(")', lambda m: m.group(1) + ref.encode() + m.group(2),
                  cell, count=1)  # fmt: skip


def _style_of(cell: bytes | None) -> int:
    if not cell:
        return 0
    m = re.search(rb'\ss\s*=\s*"(\d+)"', cell.split(b">", 1)[0])
    return int(m.group(1)) if m else 0


def _same_value(existing: CellValue, value: Any, view: WorkbookView) -> bool:
    """True when writing `value` would not change the cell (type-aware)."""
    cur = existing.value
    if existing.is_formula:
        return False if value is None else _equal(existing, cur, value, view)
    if value is None:
        return existing.is_empty
    return _equal(existing, cur, value, view)


def _equal(existing: CellValue, cur: Any, value: Any, view: WorkbookView) -> bool:
    if isinstance(value, bool):
        return existing.kind == "bool" and cur is value
    if isinstance(value, int | float | Decimal):
        return (
            existing.kind in ("number", "percent")
            and not isinstance(cur, bool)
            and (cur == float(value))
        )
    if isinstance(value, dt.datetime):
        if isinstance(cur, dt.datetime):
            return cur == value.replace(tzinfo=None) if value.tzinfo is None else False
        return isinstance(cur, dt.date) and value.time() == dt.time() and cur == value.date()
    if isinstance(value, dt.date):
        if isinstance(cur, dt.datetime):
            return cur.time() == dt.time() and cur.date() == value
        return isinstance(cur, dt.date) and cur == value
    if isinstance(value, dt.time):
        return isinstance(cur, dt.time) and cur == value
    if isinstance(value, str):
        if existing.kind != "text" or cur != value:
            return False
        if looks_like_formula(value):
            return view.styles.style(existing.style_index).quote_prefix
        return True
    return False


def plan_patch(package: Package, patch: WorkbookPatch) -> Plan:
    """The part changes that `patch` needs on `package`."""
    return Planner(package, patch).build()


__all__ = ["Plan", "Planner", "plan_patch"]
