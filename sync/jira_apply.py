"""A cycle's Jira side: the plan's Jira operations, written safely.

Split from cycle.py; ``JiraApply`` is mixed into ``PairSync``. Before any edit, one bulk
read finds issues someone changed since the cycle read them (they wait for the next
cycle); creates are journaled before they are sent; every written issue is read back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from connectors.jira.errors import JiraError
from connectors.jira.permissions import grant_hint
from mappings.config import SyncPair
from sync.fidelity import lossy_writes
from sync.jira_side import JiraSide
from sync.jira_view import JiraView, record_values
from sync.outcome import EntityRun
from sync.permission_needs import needed_permissions
from sync.plan import Match, Operation, Plan
from sync.rules import closed_status


class JiraApply:
    """The Jira half of applying a plan (mixed into PairSync)."""

    pair: SyncPair
    jira: JiraSide
    _tell: Callable[[str, int, int | None], None]  # PairSync's progress callback

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
        if writes and not self._allowed(run):
            return
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

    def _allowed(self, run: EntityRun) -> bool:
        """Whether the account may make every Jira write of the plan. Refused as a whole
        (each project's missing permissions named) rather than failing issue by issue, so
        a read-only account leaves no half-written cycle; the rows keep their base and
        are written once the permission is granted."""
        site = self.jira.site
        needed = needed_permissions(run, self.jira.pair.projects)
        refused = False
        for project in sorted(needed):
            try:
                missing = site.permissions.missing(project, needed[project])
            except JiraError as exc:
                run.errors.append(f"checking the account's permissions in {project}: {exc}")
                refused = True
                continue
            if missing:
                run.errors.append(
                    f"{run.entity.type}: nothing written to Jira: "
                    + grant_hint(site.account, project, missing)
                )
                refused = True
        if refused:
            run.failed.update(
                str(op.sync_id)
                for op in run.plan.operations
                if op.kind.startswith("jira") and op.sync_id is not None
            )
        return not refused

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


def waiting_creates(excel: Any, view: JiraView) -> list[str]:
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


def lossy_write_warnings(plan: Plan, matches: list[Match], fields: frozenset[str]) -> list[str]:
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
