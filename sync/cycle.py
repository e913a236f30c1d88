"""One sync cycle of one pair: read both sides, plan, apply, then advance the bases.

The order of side effects is what makes a crash harmless:

1. Read the workbook and the Jira scope; plan every entity (nothing written yet).
2. One workbook patch: Jira's changes, new rows, flags, and the sync ids of rows about
   to be created in Jira (so a row carries its identity before Jira hears of it).
3. Jira: a bulk check that no issue about to be edited changed since step 1 (those
   that did wait for the next cycle), creates (journaled first), field edits,
   transitions, closes; then one bulk read-back of every written issue.
4. A second, small workbook patch with the keys of the issues just created.
5. One store transaction per entity: bases, portfolio items, audit trail, conflicts,
   the Jira cursor. A base advances only for records whose writes all succeeded.

A crash anywhere before step 5 leaves the bases where they were; the next cycle sees
both sides agreeing (nothing to do but record the base) or the same differences again
(the writes are idempotent), and the journal stops a create from being sent twice.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from connectors.excel import Fingerprint, apply_patch, is_owned
from connectors.excel.errors import ExcelError
from connectors.excel.records import blank_rows, excel_value, tracker_id_columns
from connectors.jira.errors import JiraError
from mappings.config import Config, SyncPair
from mappings.mapping import EntityMapping, MappingSpec
from sync.bookkeeping import Bookkeeping
from sync.copies import separate_copies
from sync.errors import SyncError
from sync.excel_side import ExcelChanges, flag_text, read_entity, side_records
from sync.fidelity import hold_unfaithful, lossy_writes
from sync.jira_side import CURSOR, JiraSide, JiraView, record_values, without_derived
from sync.outcome import CycleResult, EntityRun
from sync.plan import (
    Match,
    Operation,
    Plan,
    match_records,
    plan_entity,
)
from sync.rules import closed_status, merge_rules, synced_fields
from sync.store import BaseEntry, StateStore
from sync.workbook_only import copy_to_store, workbook_only_entities


@dataclass
class PairSync:
    """The parts one pair's cycles work with."""

    config: Config
    pair: SyncPair
    mapping: MappingSpec
    store: StateStore
    jira: JiraSide
    today: Callable[[], date] = date.today
    keep_backups: int = 10
    entities: list[EntityMapping] = field(default_factory=list)
    progress: Callable[[str, int, int | None], None] | None = None
    """Called with (step, done, total or None) as a long cycle advances (progress bars)."""

    def __post_init__(self) -> None:
        if not self.entities:
            wanted = set(self.pair.entities or ())
            self.entities = [
                e
                for e in self.mapping.entities
                if e.jira is not None and (not wanted or e.type in wanted)
            ]
        self.keep_backups = self.config.sync.backups_to_keep

    @property
    def workbook(self) -> Path:
        return self.config.resolve(self.pair.workbook)

    @property
    def context(self) -> dict[str, Any]:
        return {"risk_thresholds": self.config.sync.risk_thresholds}

    # -- the cycle --------------------------------------------------------------------------
    def run(
        self, *, dry_run: bool = False, full: bool = False, stop: threading.Event | None = None
    ) -> CycleResult:
        stop = stop or threading.Event()
        cycle_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid4().hex[:6]}"
        result = CycleResult(cycle_id, self.pair.name, dry_run)
        if not dry_run:
            with self.store.transaction():
                self.store.begin_cycle(cycle_id, self.pair.name)
        if self.progress is not None:
            step = f"{self.pair.name}: reading Jira"
            self.jira.reader.on_page = lambda n: self._tell(step, n, None)
        quiet = not dry_run and not full and self._workbook_untouched()
        try:
            self._refuse_unsaved_live_writes()
            if not dry_run and not quiet:
                self._sheet_resolutions(result)
            views = self.jira.views(self._syncable(), full=full)
            if quiet and self._nothing_new(views):
                return self._quiet(result)
            if not dry_run and any(v.full_read for v in views.values()):
                self._remember_projects()
            result.runs = [self._plan(entity, views.get(entity.type)) for entity in self.entities]
            if not dry_run:
                self._apply(result, stop)
                self._copy_workbook_only(result)
        except Exception as exc:
            if not dry_run:
                with self.store.transaction():
                    self.store.finish_cycle(cycle_id, "failed", {"error": str(exc)})
            raise
        result.open_conflicts = len(self.store.open_conflicts(self.pair.name))
        if not dry_run:
            settled = result.outcome in ("ok", "conflicts") and not result.stopped
            with self.store.transaction():
                self.store.set_cursor(
                    self.pair.name, "_cycle", QUIET, self._workbook_stamp() if settled else None
                )
                self.store.snapshot(cycle_id, self.pair.name)
                self.store.finish_cycle(
                    cycle_id,
                    "stopped" if result.stopped else result.outcome,
                    {
                        "counts": result.counts,
                        "errors": result.all_errors[:50],
                        "warnings": result.all_warnings[:50],
                        "open_conflicts": result.open_conflicts,
                    },
                )
        return result

    # -- the quiet cycle: nothing changed anywhere ------------------------------------------
    def _refuse_unsaved_live_writes(self) -> None:
        pending = self.store.cursor(self.pair.name, "_cycle", LIVE)
        if pending is None:
            return
        if pending == self._workbook_stamp():
            raise SyncError(
                f"{self.workbook.name}: pmo-sync wrote into the workbook open in Excel and it "
                "has not been saved since; save it in Excel, then sync again (reading the "
                "unsaved file would miss those changes)"
            )
        with self.store.transaction():
            self.store.set_cursor(self.pair.name, "_cycle", LIVE, None)

    def _tell(self, step: str, advance: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(step, advance, total)

    def _workbook_stamp(self) -> str:
        stat = os.stat(self.workbook)
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    def _workbook_untouched(self) -> bool:
        """The workbook is as the last settled cycle (no errors, not stopped) left it."""
        try:
            return self.store.cursor(self.pair.name, "_cycle", QUIET) == self._workbook_stamp()
        except OSError:
            return False

    def _nothing_new(self, views: Mapping[str, JiraView]) -> bool:
        """Jira showed no change, and no resolution or journaled create is waiting."""
        if any(v.fresh or v.full_read or v.problems or v.deferred for v in views.values()):
            return False
        for entity in self.entities:
            if self.store.pending_resolutions(self.pair.name, entity.type):
                return False
            if self.store.intents(self.pair.name, entity.type):
                return False
        return True

    def _quiet(self, result: CycleResult) -> CycleResult:
        """Finish a cycle in which nothing changed on either side, at a constant cost:
        the last settled cycle left both sides agreeing, so there is nothing to plan."""
        result.open_conflicts = len(self.store.open_conflicts(self.pair.name))
        with self.store.transaction():
            for entity, view in self.jira.last_views.items():
                if view.cursor is not None:
                    self.store.set_cursor(self.pair.name, entity, CURSOR, view.cursor.isoformat())
            self.store.repeat_snapshot(result.cycle_id, self.pair.name)
            self.store.finish_cycle(
                result.cycle_id,
                result.outcome,
                {
                    "counts": {},
                    "errors": [],
                    "open_conflicts": result.open_conflicts,
                    "quiet": True,
                },
            )
        return result

    def _sheet_resolutions(self, result: CycleResult) -> None:
        """Resolutions typed into the Sync Conflicts sheet since the last cycle."""
        from sync.conflict_sheet import read_resolutions
        from sync.resolve import resolve

        for typed in read_resolutions(self.workbook):
            try:
                resolve(
                    self.store, typed.conflict_id, typed.choice, typed.value, mapping=self.mapping
                )  # type: ignore[arg-type]
            except SyncError as exc:
                if "no open conflict" not in str(exc):  # already resolved: the sheet lags
                    result.errors.append(f"Sync Conflicts sheet, #{typed.conflict_id}: {exc}")

    def _remember_projects(self) -> None:
        details = self.jira.project_details()
        if details:
            with self.store.transaction():
                self.store.set_cursor(self.pair.name, "_projects", "details", json.dumps(details))

    def _syncable(self) -> list[EntityMapping]:
        """Entities whose tracker has both id columns (others are refused in _plan).
        Only the header is read: a quiet cycle must not parse a workbook that pmo-sync
        itself just wrote."""
        return [
            entity
            for entity in self.entities
            if {"key", "sync_id"} <= set(tracker_id_columns(self.workbook, entity))
        ]

    def _plan(self, entity: EntityMapping, view: JiraView | None) -> EntityRun:
        fields = synced_fields(entity)
        excel = read_entity(self.workbook, self.mapping, entity, self.context)
        missing = [
            header
            for name, header in (
                ("key", entity.excel.key_column),
                ("sync_id", entity.excel.sync_id_column),
            )
            if name not in excel.id_columns
        ]
        if missing:
            run = EntityRun(
                entity, fields, excel, JiraView({}), [], Plan(self.pair.name, entity.type)
            )
            where = (
                f"table {entity.excel.table}"
                if entity.excel.table
                else f"sheet {excel.location.sheet}"
            )
            run.errors.append(
                f"{entity.type}: {where} has no {' and no '.join(map(repr, missing))} column; "
                "pmo-sync needs both to recognise the rows it synced. Add them at the right "
                "end of the tracker (the Sync ID column may be hidden) and sync again; "
                "nothing was synced for this tracker"
            )
            return run
        assert view is not None  # every entity with id columns was read
        bases = self.store.bases(self.pair.name, entity.type)
        excel, copy_errors, copied_keys = separate_copies(excel, bases)
        excel_side = side_records(excel, fields)
        jira_side = [
            _side(values, fields)
            for sync_id, values in view.records.items()
            if sync_id not in view.deferred
        ]
        # Records one side could not read are left alone this cycle, not seen as deleted.
        blocked_keys = {k for k, _ in excel.rejected_ids if k} | view.problem_keys | copied_keys
        blocked_ids = {s for _, s in excel.rejected_ids if s} | view.deferred
        bases = {
            s: b
            for s, b in bases.items()
            if s not in blocked_ids and b.jira_key not in blocked_keys
        }
        excel_side = [
            r for r in excel_side if r.key not in blocked_keys and r.sync_id not in blocked_ids
        ]
        jira_side = [r for r in jira_side if r.key not in blocked_keys]
        matches, held = hold_unfaithful(
            match_records(bases, jira_side, excel_side), fields, entity.type
        )
        resolutions = self.store.pending_resolutions(self.pair.name, entity.type)
        plan = plan_entity(
            self.pair.name,
            entity.type,
            matches,
            fields,
            merge_rules(self.config, self.pair, entity),
            mass_change_guard=self.config.sync.mass_change_guard,
            resolutions=resolutions,
        )
        run = EntityRun(entity, fields, excel, view, matches, plan, resolutions)
        run.warnings.extend(f"{note.key}: {note.message}" for note in view.notes)
        run.warnings.extend(_waiting_creates(excel, view))
        run.warnings.extend([*held, *plan.warnings, *_lossy_writes(plan, matches, fields)])
        for error in excel.errors:
            run.errors.append(str(error))
        run.errors.extend(copy_errors)
        for problem in view.problems:
            run.errors.append(f"{problem.key}: {problem.message}")
        return run

    # -- applying ---------------------------------------------------------------------------
    def _apply(self, result: CycleResult, stop: threading.Event) -> None:
        first = ExcelChanges(self.mapping)
        stamped: dict[str, dict[str, Any]] = {}  # run type -> row -> ids
        for run in result.runs:
            stamped[run.entity.type] = self._excel_first(run, first)
        fingerprint = result.runs[0].excel.fingerprint if result.runs else None
        excel_ok = self._write_workbook(result, first, fingerprint)
        for run in result.runs:
            if excel_ok:
                run.excel_done.update(
                    op.sync_id or "" for op in run.plan.operations if op.kind.startswith("excel")
                )
            else:
                run.failed.update(
                    op.sync_id or "" for op in run.plan.operations if op.kind.startswith("excel")
                )
        for run in result.runs:
            if stop.is_set():
                result.stopped = True
                break
            self._jira_writes(run, result.cycle_id, stamped[run.entity.type], excel_ok, stop)
            result.stopped = result.stopped or stop.is_set()
        second = ExcelChanges(self.mapping)
        for run in result.runs:
            self._excel_keys(run, second)
        if second:
            current = Fingerprint.of_file(self.workbook)
            if not self._write_workbook(result, second, current):
                for run in result.runs:
                    run.failed.update(run.created)
        for run in result.runs:
            Bookkeeping(self.store, self.pair.name, self.today).record(run, result.cycle_id)
        self._conflict_sheet(result)
        self._log_sheet(result)

    def _copy_workbook_only(self, result: CycleResult) -> None:
        """The workbook's own figures (a Projects sheet's budgets) into the store."""
        for entity in workbook_only_entities(self.mapping, self.pair.entities):
            result.errors.extend(
                copy_to_store(
                    self.store, self.pair.name, self.workbook, self.mapping, entity, self.context
                )
            )

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
                values = self._within_lists(run, op, {c.name: c.value for c in op.changes})
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
            shown = ", ".join(style.allowed[:8]) + (", ..." if style.allowed[8:] else "")
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

    def _jira_writes(
        self,
        run: EntityRun,
        cycle_id: str,
        stamped: Mapping[str, Any],
        excel_ok: bool,
        stop: threading.Event,
    ) -> None:
        entity = run.entity
        closed = closed_status(entity)
        rows = {r.row_number: r for r in run.excel.rows}
        creates = []
        step = f"{self.pair.name}: writing {entity.type} to Jira"
        writes = sum(op.kind.startswith("jira") for op in run.plan.operations)
        edited_meanwhile = self._edited_meanwhile(run)
        recreations = run.recreations
        for op in run.plan.operations:
            if stop.is_set():
                return
            if op.kind.startswith("jira"):
                self._tell(step, 1, writes)
            sync_id = str(op.sync_id)
            if sync_id in edited_meanwhile:
                continue
            if op.kind == "jira_edit":
                current = run.jira.records[sync_id]
                changes = {c.name: c.value for c in op.changes}
                self._update(run, sync_id, current, changes)
            elif op.kind == "jira_close":
                if closed is None:
                    run.errors.append(f"{op.key}: {entity.type} issues have no closed status")
                    run.failed.add(sync_id)
                    continue
                self._update(run, sync_id, run.jira.records[sync_id], {"status": closed})
            elif op.kind == "jira_create" and op.row is not None:
                row = rows[op.row]
                recreate = op.sync_id is not None and sync_id in recreations
                if row.record.key and not recreate:
                    run.errors.append(
                        f"row {op.row}: key {row.record.key} is not in this pair's Jira scope; "
                        "clear the key to create a new issue, or fix the pair's projects/JQL"
                    )
                    run.failed.add(sync_id)
                    continue
                if recreate and row.record.key and not self._left_jira(run, op, row.record.key):
                    continue
                if op.sync_id is None and (not excel_ok or str(row.record.sync_id) not in stamped):
                    continue  # the row's id could not be stamped; next cycle
                record = row.record
                if recreate:  # a new issue; its old key belongs to the one that left
                    record = record.model_copy(update={"key": None})
                if record.project is None and len(self.jira.pair.projects) == 1:
                    record = record.model_copy(update={"project": self.jira.pair.projects[0]})
                creates.append(record)
        if creates:
            self._create(run, cycle_id, creates)
        self._read_back(run)

    def _left_jira(self, run: EntityRun, op: Operation, old_key: str) -> bool:
        """True when the issue a kept row stood for is gone from Jira, so creating the row
        again duplicates nothing. An issue that only left the pair's scope still exists:
        the person is asked to bring it back (or clear the key) instead."""
        try:
            now = self.jira.current_key(old_key)
        except JiraError as exc:
            run.errors.append(f"row {op.row}: checking whether {old_key} still exists: {exc}")
            run.failed.add(str(op.sync_id))
            return False
        if now is None:
            return True
        moved = f" (now {now})" if now != old_key else ""
        run.errors.append(
            f"row {op.row}: {old_key}{moved} still exists in Jira, outside this pair's scope; "
            "bring it back into scope (project, issue type, JQL) to sync it again, or clear "
            "the row's key to create a new issue"
        )
        run.failed.add(str(op.sync_id))
        return False

    def _edited_meanwhile(self, run: EntityRun) -> set[str]:
        """Sync ids of issues about to be written that someone changed in Jira since this
        cycle read them. Writing now would overwrite that edit unseen, so they keep their
        base and the next cycle merges the new edit (a conflict if it touched the same
        field). One bulk read per 100 issues narrows the window to the writes themselves."""
        targets = {
            str(op.sync_id): op.key
            for op in run.plan.operations
            if op.kind in ("jira_edit", "jira_close") and op.key
        }
        if not targets:
            return set()
        keys = sorted(set(targets.values()))  # type: ignore[type-var]
        try:
            now = self.jira.reader.read_keys(self.jira.scoped(run.entity), keys)
        except JiraError as exc:
            run.errors.append(f"checking {len(keys)} issue(s) before writing them: {exc}")
            run.failed.update(targets)
            return set(targets)
        current = {r.key: r.updated for r in now.records}
        moved = set()
        for sync_id, key in targets.items():
            seen = run.jira.records.get(sync_id, {}).get("updated")
            if seen is None:
                continue  # no version to compare (its read-back failed earlier): write
            if current.get(key) != seen:
                moved.add(sync_id)
                run.failed.add(sync_id)
                run.errors.append(
                    f"{key}: changed in Jira (or left its scope) while this cycle ran; the "
                    "workbook's changes to it wait for the next cycle, which merges both"
                )
        return moved

    def _update(
        self, run: EntityRun, sync_id: str, current: Mapping[str, Any], changes: dict[str, Any]
    ) -> None:
        try:
            outcome, values = self.jira.update(run.entity, current, changes)
        except JiraError as exc:
            run.errors.append(f"{current.get('key')}: {exc}")
            run.failed.add(sync_id)
            return
        if outcome.problems or values is None:
            run.errors.extend(outcome.problems)
            run.failed.add(sync_id)
            return
        run.written[sync_id] = values

    def _create(self, run: EntityRun, cycle_id: str, records: list[Any]) -> None:
        rows = {str(r.record.sync_id): r for r in run.excel.rows}
        try:
            outcomes = self.jira.create(run.entity, cycle_id, records)
        except JiraError as exc:
            run.errors.append(f"creating {len(records)} {run.entity.type} issue(s): {exc}")
            run.failed.update(str(r.sync_id) for r in records)
            return
        done = []  # created, or refused outright: either way no create is in flight
        for record, outcome in zip(records, outcomes, strict=True):
            sync_id = str(record.sync_id)
            if outcome.key:
                run.created[sync_id] = outcome.key
                run.written[sync_id] = {**record_values(record), "key": outcome.key}
                done.append(sync_id)
            elif outcome.refused:
                done.append(sync_id)
            if outcome.problems:
                row = rows.get(sync_id)
                where = f"row {row.row_number}: " if row is not None else ""
                run.errors.extend(f"{where}{problem}" for problem in outcome.problems)
                if not outcome.key:
                    run.failed.add(sync_id)
        self.jira.done_creating(run.entity, done)

    def _read_back(self, run: EntityRun) -> None:
        """Confirm the writes: Jira's own values of every written issue, in bulk."""
        keys = sorted({v["key"] for v in run.written.values() if v.get("key")})
        if not keys:
            return
        try:
            fetched = self.jira.reader.read_keys(self.jira.scoped(run.entity), keys)
        except JiraError as exc:
            run.errors.append(f"reading back {len(keys)} written issue(s): {exc}")
            return
        by_key = {r.key: record_values(r) for r in fetched.records}
        for sync_id, values in list(run.written.items()):
            if values.get("key") in by_key:
                run.written[sync_id] = by_key[values["key"]]

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


def _waiting_creates(excel: Any, view: JiraView) -> list[str]:
    """Rows whose create was sent but is not visible in Jira's search yet: left alone this
    cycle (sending it again could duplicate it), and said so instead of "no changes"."""
    if not view.deferred:
        return []
    rows = {str(r.record.sync_id): r.row_number for r in excel.rows}
    return [
        f"row {rows.get(sync_id, '?')}: its issue was sent to Jira moments ago and Jira's "
        "search does not show it yet; it is looked for again next cycle (and created "
        "again only if it never arrived)"
        for sync_id in sorted(view.deferred)
    ]


def _lossy_writes(plan: Plan, matches: list[Match], fields: frozenset[str]) -> list[str]:
    """Warnings for the Jira values a plan writes into cells that cannot hold them whole."""
    by_id = {str(m.sync_id): m for m in matches}
    found = []
    for op in plan.operations:
        match = by_id.get(str(op.sync_id))
        if match is None:
            continue
        if op.kind == "excel_write":
            found += lossy_writes(
                match, [c.name for c in op.changes], {c.name: c.value for c in op.changes}
            )
        elif op.kind == "excel_append":
            found += lossy_writes(match, sorted(fields & set(op.values)), dict(op.values))
    return found


def _side(values: Mapping[str, Any], fields: frozenset[str]) -> Any:
    from sync.plan import SideRecord

    return SideRecord(
        str(values["sync_id"]),
        values.get("key"),
        {name: values.get(name) for name in fields},
        values.get("key"),
    )


def run_record(entity: EntityMapping, values: Mapping[str, Any]) -> Any:
    """A canonical record from stored values (derived fields recomputed)."""
    from mappings.model import build_record

    return build_record(
        entity.type, without_derived(entity.type, values), source=str(values.get("key"))
    )


QUIET = "settled_workbook"  # cursor: the workbook's stamp after the last settled cycle
LIVE = "unsaved_live_write"  # cursor: the file's stamp when Excel took unsaved changes

__all__ = ["BaseEntry", "CycleResult", "EntityRun", "PairSync", "run_record"]
