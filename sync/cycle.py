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
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from connectors.excel import Fingerprint
from mappings.config import Config, SyncPair
from mappings.mapping import EntityMapping, MappingSpec
from sync.bookkeeping import Bookkeeping
from sync.copies import separate_copies
from sync.errors import SyncError
from sync.excel_apply import LIVE, QUIET, ExcelApply
from sync.excel_side import ExcelChanges, read_entity, side_records
from sync.fidelity import hold_unfaithful
from sync.jira_apply import JiraApply, lossy_write_warnings, waiting_creates
from sync.jira_side import JiraSide
from sync.jira_view import JiraView
from sync.link_cells import RowRefs, canonical_rows, pair_row_refs
from sync.outcome import CycleResult, EntityRun
from sync.plan import (
    Plan,
    match_records,
    plan_entity,
)
from sync.quiet_cycle import QuietCycle
from sync.rules import merge_rules, synced_fields
from sync.store import StateStore
from sync.store_records import BaseEntry
from sync.workbook_only import copy_to_store, workbook_only_entities


@dataclass
class PairSync(ExcelApply, JiraApply, QuietCycle):
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
    memo: dict[str, Any] = field(default_factory=dict)
    """What one process may keep between this pair's cycles (the runner's, per pair):
    what is known of the workbook, per its stamp, so a quiet cycle does not open it."""

    def __post_init__(self) -> None:
        if not self.entities:
            wanted = set(self.pair.entities or ())
            self.entities = [
                e
                for e in self.mapping.entities
                if e.jira is not None and (not wanted or e.type in wanted)
            ]
        self.keep_backups = self.config.sync.backups_to_keep
        self._row_refs = RowRefs()

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
        self._refused: dict[str, str] = {}  # entity type -> why its tracker was refused
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
            result.errors.extend(self._refused.values())
            refused = set(self._refused)
            self._row_refs = pair_row_refs(
                self.workbook, self.mapping, self.entities, refused, self.context
            )
            result.runs = [
                self._plan(entity, views.get(entity.type))
                for entity in self.entities
                if entity.type not in self._refused
            ]
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
            # A link cell naming a row that was not in Jira yet is written by the next
            # cycle, which must therefore look at the workbook again.
            waiting = any(run.links_waiting for run in result.runs)
            settled = result.outcome in ("ok", "conflicts") and not result.stopped and not waiting
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

    def _plan(self, entity: EntityMapping, view: JiraView | None) -> EntityRun:
        fields = synced_fields(entity)
        excel = read_entity(self.workbook, self.mapping, entity, self.context)
        links = canonical_rows(excel, entity, self._row_refs)
        excel = links.read
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
                "pmo-sync needs both to recognise the rows it synced. `pmo-sync "
                "add-id-columns` (with this configuration's --config) adds them, or add them "
                "at the right end of the tracker by hand (the Sync ID column may be hidden), "
                "then sync again; nothing was synced for this tracker"
            )
            return run
        assert view is not None  # every entity with id columns was read
        bases = self.store.bases(self.pair.name, entity.type)
        for sync_id, sent in view.recovered.items():
            if sync_id not in bases:  # a create the previous process did not live to record
                bases[sync_id] = BaseEntry(sync_id, sent.get("key"), sent, datetime.now(UTC))
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
        run.row_refs = self._row_refs
        run.warnings.extend(links.warnings)
        run.links_waiting = links.waiting
        run.warnings.extend(f"{note.key}: {note.message}" for note in view.notes)
        run.warnings.extend(waiting_creates(excel, view))
        run.warnings.extend([*held, *plan.warnings, *lossy_write_warnings(plan, matches, fields)])
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


def _side(values: Mapping[str, Any], fields: frozenset[str]) -> Any:
    from sync.plan import SideRecord

    return SideRecord(
        str(values["sync_id"]),
        values.get("key"),
        {name: values.get(name) for name in fields},
        values.get("key"),
    )


__all__ = ["BaseEntry", "CycleResult", "EntityRun", "PairSync"]
