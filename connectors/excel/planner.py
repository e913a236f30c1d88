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
from pathlib import Path
from typing import Any

from .appends import RowAppender
from .cells import CellValue
from .cellxml import cell_xml, kept_attributes
from .compare import same_value
from .errors import MissingColumns, TrackerNotFound, UnstorableText, UnsupportedEdit
from .extend import extend_ranges
from .locate import TrackerLocation, locate_tracker
from .numfmt import DEFAULT_DATE_FORMAT_ID, DEFAULT_DATETIME_FORMAT_ID, FormatKind
from .package import REL_CALCCHAIN, Package, SheetInfo
from .partedit import (
    remove_override,
    remove_relationship,
    set_full_calc_on_load,
)
from .patch import CellWrite, PatchResult, WorkbookPatch
from .refs import cell_ref, column_index
from .sheetedit import SheetEditor
from .strings import UnstorableCharacter
from .styles import StyleEditor
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


class Planner(RowAppender):
    """Applies a patch to an in-memory package, part by part (appends: appends.py)."""

    def __init__(self, package: Package, patch: WorkbookPatch) -> None:
        self.pkg = package
        self.patch = patch
        self.view = WorkbookView(package.path, package=package)
        self.editors: dict[str, SheetEditor] = {}
        self.table_parts: dict[str, bytes] = {}
        self._styles: StyleEditor | None = None
        self._locations: dict[str, TrackerLocation | None] = {}
        self.result = PatchResult(path=package.path)
        self.written: dict[tuple[str, str], None] = {}  # ordered set of (sheet, address)
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
        try:
            return cell_xml(ref, value, style=style, prefix=ed.prefix, extra=extra)
        except UnstorableCharacter as exc:
            raise unstorable(self.pkg.path, ed_name(self, ed), exc) from None

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
            existing is not None and same_value(existing, value, self.view)
        ):
            ed.edits.get(row, {}).pop(col, None)  # an earlier write in this patch is undone
            self.written.pop((sheet.name, address), None)
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
        self.written[(sheet.name, address)] = None

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
        self.result.written = list(self.written)
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


def unstorable(path: Path, sheet: str, exc: UnstorableCharacter) -> UnstorableText:
    """The error for text no workbook can store, naming the file, sheet and cell."""
    return UnstorableText(
        f"{path}: cell {sheet}!{exc.cell}: {exc.reason}. Nothing was written: remove the "
        "character or replace it (e.g. with U+FFFD, the replacement character) and write "
        "again.",
        path=path,
    )


def ed_name(planner: Planner, ed: SheetEditor) -> str:
    """Name of the sheet an editor belongs to (for messages)."""
    return next((s.name for s in planner.pkg.sheets if planner.editors.get(s.part) is ed), "?")


def plan_patch(package: Package, patch: WorkbookPatch) -> Plan:
    """The part changes that `patch` needs on `package`."""
    return Planner(package, patch).build()


__all__ = ["Plan", "Planner", "plan_patch"]
