"""A cycle's workbook side: the plan's Excel operations queued as patches and written.

Split from cycle.py; ``ExcelApply`` is mixed into ``PairSync`` and uses its parts (the
workbook, the mapping, the store, the configuration). All of a cycle's Excel changes go
into two patches: the first (Jira's changes, new rows, flags, the sync ids of rows about
to be created) before any Jira write, the second (the keys of created issues) after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from connectors.excel import Fingerprint, apply_patch, is_owned
from connectors.excel.errors import ExcelError
from connectors.excel.record_writes import excel_value
from connectors.excel.records import blank_rows
from mappings.config import Config, SyncPair
from mappings.mapping import EntityMapping, MappingSpec
from mappings.model import build_record
from sync.excel_side import ExcelChanges, flag_text
from sync.jira_view import without_derived
from sync.link_cells import shown_links
from sync.outcome import CycleResult, EntityRun
from sync.plan import Operation
from sync.store import StateStore

QUIET = "settled_workbook"  # cursor: the workbook's stamp after the last settled cycle
LIVE = "unsaved_live_write"  # cursor: the file's stamp when Excel took unsaved changes


class ExcelApply:
    """The Excel half of applying a plan (mixed into PairSync)."""

    config: Config
    pair: SyncPair
    mapping: MappingSpec
    store: StateStore
    today: Callable[[], date]
    keep_backups: int
    workbook: Path  # PairSync's property
    _workbook_stamp: Callable[[], str]  # PairSync's

    def _write_workbook(
        self, result: CycleResult, changes: ExcelChanges, fingerprint: Fingerprint | None
    ) -> bool:
        if not changes or fingerprint is None:
            return True
        try:
            written = apply_patch(
                self.workbook,
                changes.patch,
                expected=fingerprint,
                keep_backups=self.keep_backups,
            )
        except (ExcelError, OSError) as exc:
            result.errors.append(f"workbook not written, changes postponed: {exc}")
            return False
        result.bytes_written += written.bytes_written
        if written.live:
            # The rows are in Excel's memory, not yet in the file: until the person saves,
            # the file would show them missing (re-appended, or taken as deleted rows).
            with self.store.transaction():
                self.store.set_cursor(self.pair.name, "_cycle", LIVE, self._workbook_stamp())
        return True

    def _excel_first(self, run: EntityRun, changes: ExcelChanges) -> dict[str, Any]:
        """Queue the plan's Excel operations; returns sync id -> row of rows stamped with a
        new sync id for a create."""
        entity, location = run.entity, run.excel.location
        rows = {r.row_number: r for r in run.excel.rows}
        appended = []
        styles = run.excel.styles
        for op in run.plan.operations:
            if op.kind == "excel_write" and op.row is not None:
                values = {c.name: c.value for c in op.changes}
                values = self._within_lists(run, op, shown_links(entity, values, run.row_refs))
                changes.write(entity, location, op.row, values, styles)
            elif op.kind == "excel_append":
                model = run.jira.models.get(str(op.sync_id))
                appended.append(model or run_record(entity, run.jira.records[str(op.sync_id)]))
            elif op.kind == "excel_flag" and op.row is not None:
                if not changes.flag(entity, location, op.row, flag_text(self.today())):
                    run.errors.append(
                        f"{op.key}: row {op.row} is no longer in Jira's scope (add a flag "
                        "column to the mapping to have such rows marked)"
                    )
            elif op.kind == "excel_unflag" and op.row is not None:
                changes.flag(entity, location, op.row, None)
        if appended:
            # Fields the workbook owns start with Jira's value, so a new row does not read
            # as having emptied them (a calculated column's formula still takes precedence).
            seed = {
                f.name
                for f in entity.fields
                if f.excel and f.jira and f.direction == "excel-to-jira"
            }
            if run.row_refs.refs:
                appended = [
                    r.model_copy(update=shown_links(entity, dict(r), run.row_refs))
                    for r in appended
                ]
            for record in appended:
                values = {f.name: getattr(record, f.name) for f in entity.fields if f.to_excel}
                self._within_lists(run, None, values, new_row=record.key)
            blank = blank_rows(self.workbook, run.excel)
            changes.append(entity, location, appended, blank, seed, styles)
        # Stamp ids on matched rows that lack them, and give rows about to be created
        # in Jira their sync id now.
        new_ids: dict[str, Any] = {}
        for match in run.matches:
            if match.excel is None:
                continue
            row = rows[match.excel.ref]
            if match.jira is not None:
                ids: dict[str, Any] = {}
                if match.excel.sync_id != match.jira.sync_id:
                    ids["sync_id"] = match.jira.sync_id
                if match.excel.key != match.jira.key:
                    ids["key"] = match.jira.key
                changes.write(entity, location, row.row_number, ids)
            elif match.base is None and match.excel.sync_id is None:
                sync_id = str(row.record.sync_id)
                changes.write(entity, location, row.row_number, {"sync_id": sync_id})
                new_ids[sync_id] = row.row_number
        return new_ids

    def _within_lists(
        self, run: EntityRun, op: Operation | None, values: dict[str, Any], new_row: Any = None
    ) -> dict[str, Any]:
        """The writes of one row, with Jira values a column's drop-down list does not allow
        reported (and, with ``outside_list = "skip"``, left out: the cell keeps its value,
        the field its base, and Jira its value). A new row always gets them."""
        skip = self.config.sync.outside_list == "skip" and new_row is None
        kept = dict(values)
        for name, value in values.items():
            style = run.excel.styles.get(name)
            if style is None or style.allowed is None or value is None:
                continue
            label = excel_value(self.mapping, run.entity.field(name), value, style)
            if not style.outside(label):
                continue
            where = f"{op.key} row {op.row}" if op is not None else f"new row for {new_row}"
            listed = list(style.allowed.values())
            shown = ", ".join(listed[:8]) + (", ..." if listed[8:] else "")
            action = 'not written (outside_list = "skip")' if skip else "written anyway"
            run.warnings.append(
                f"{where}: {run.entity.type}.{name} {label!r} is not in the column's "
                f"drop-down list ({shown}); {action}. Add it to the list ({style.list_source}) "
                "or map it to a listed label in the mapping"
            )
            if skip and op is not None:
                kept.pop(name)
                run.plan.held.setdefault(str(op.sync_id), set()).add(name)
        return kept

    def _excel_keys(self, run: EntityRun, changes: ExcelChanges) -> None:
        """Keys (and Jira-set values such as the reporter) of issues just created."""
        rows = {str(r.record.sync_id): r for r in run.excel.rows}
        for sync_id, key in run.created.items():
            row = rows.get(sync_id)
            if row is None:
                continue
            jira = run.written.get(sync_id, {})
            updates: dict[str, Any] = {"key": key, "sync_id": sync_id}
            for name in run.fields:
                mapped = run.entity.field(name)
                if mapped.to_excel and name in jira and jira[name] != getattr(row.record, name):
                    updates[name] = jira[name]
            changes.write(run.entity, run.excel.location, row.row_number, updates, run.excel.styles)

    def _log_sheet(self, result: CycleResult) -> None:
        from sync.log_sheet import ROWS, SHEET, refresh_log_sheet

        if not self.config.sync.log_sheet or not (result.counts or self._first_log):
            return
        try:
            entries = self.store.audit_log(self.pair.name, ROWS)
            result.bytes_written += refresh_log_sheet(self.workbook, entries, self.keep_backups)
        except (ExcelError, OSError) as exc:
            result.errors.append(f"{SHEET} sheet not updated: {exc}")

    @property
    def _first_log(self) -> bool:
        from connectors.excel.package import Package
        from sync.log_sheet import SHEET

        data = self.workbook.read_bytes()
        return not is_owned(Package(self.workbook, data), SHEET)

    def _conflict_sheet(self, result: CycleResult) -> None:
        from sync.conflict_sheet import refresh_conflicts_sheet

        try:
            written = refresh_conflicts_sheet(
                self.workbook, self.store.open_conflicts(self.pair.name), self.keep_backups
            )
        except (ExcelError, OSError) as exc:
            result.errors.append(f"Sync Conflicts sheet not updated: {exc}")
            return
        result.bytes_written += written


def run_record(entity: EntityMapping, values: dict[str, Any]) -> Any:
    """A canonical record from stored values (derived fields recomputed)."""
    return build_record(
        entity.type, without_derived(entity.type, values), source=str(values.get("key"))
    )
