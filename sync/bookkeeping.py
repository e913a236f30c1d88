"""The last step of a cycle: what the writes achieved becomes the new state.

For each record whose writes all succeeded, the base advances to what both sides now
hold; every applied change goes to the audit trail; conflicts are recorded with the
three values a person decides on; the portfolio items and the Jira cursor are saved.
All of an entity's bookkeeping is one store transaction, so a crash leaves the store
either before or after the cycle, never half way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sync.excel_side import flag_text
from sync.fidelity import as_excel_holds
from sync.jira_side import CURSOR
from sync.outcome import EntityRun
from sync.plan import CLOSED, FLAGGED, RECORD_FIELD, REMOVED, Match, Operation
from sync.rules import closed_status
from sync.store import StateStore
from sync.store_records import AuditEntry


@dataclass
class Bookkeeping:
    """Saves one pair's cycle outcome into the state store."""

    store: StateStore
    pair: str
    today: Callable[[], date] = date.today

    def record(self, run: EntityRun, cycle_id: str) -> None:
        """Step 5 of a cycle for one entity, in one store transaction."""
        pair, kind = self.pair, run.entity.type
        ops_by_id: dict[str, list[Operation]] = {}
        for op in run.plan.operations:
            ops_by_id.setdefault(str(op.sync_id), []).append(op)
        rows = {r.row_number: r for r in run.excel.rows}
        audit: list[AuditEntry] = []
        applied_resolutions: list[tuple[str, str]] = []
        with self.store.transaction():
            items = dict(run.jira.records)
            for sync_id, values in run.written.items():
                items[sync_id] = values
            if run.jira.full_read:
                known = {str(r["sync_id"]) for r in self.store.items(kind, pair)}
                self.store.drop_items(pair, kind, sorted(known - set(items)))
            elif run.jira.dropped:  # a scope check found them gone
                self.store.drop_items(pair, kind, sorted(run.jira.dropped - set(items)))
            changed = run.jira.fresh | set(run.written)  # unchanged items stay as stored
            self.store.save_items(pair, kind, [items[s] for s in changed if s in items])
            for match in run.matches:
                sync_id = str(match.sync_id) if match.sync_id else None
                ops = ops_by_id.get(str(match.sync_id), [])
                if match.sync_id is None and match.excel is not None:
                    sync_id = str(rows[match.excel.ref].record.sync_id)
                    ops = ops_by_id.get("None", []) if match.excel.ref else []
                    ops = [o for o in ops if o.row == match.excel.ref]
                if sync_id is None or sync_id in run.failed:
                    continue
                self._advance(run, match, sync_id, ops, items, audit, cycle_id)
                applied_resolutions.extend(k for k in run.resolutions if k[0] == sync_id)
            self.store.mark_applied(pair, kind, applied_resolutions)
            self.store.append_audit(audit)
            if run.jira.cursor is not None:
                self.store.set_cursor(pair, kind, CURSOR, run.jira.cursor.isoformat())
            for name, value in run.jira.marks.items():
                self.store.set_cursor(pair, kind, name, value)
        for op in run.plan.operations:
            if op.kind != "conflict" and str(op.sync_id) not in run.failed:
                run.applied[op.kind] += 1

    def _advance(
        self,
        run: EntityRun,
        match: Match,
        sync_id: str,
        ops: list[Operation],
        items: Mapping[str, Mapping[str, Any]],
        audit: list[AuditEntry],
        cycle_id: str,
    ) -> None:
        """Save the record's new base (and its conflicts and audit entries)."""
        pair, kind, fields = self.pair, run.entity.type, run.fields
        old = dict(match.base.values) if match.base else None
        key = run.created.get(sync_id) or match.key
        kinds = {op.kind for op in ops}

        def log(name: str, before: Any, after: Any, direction: str) -> None:
            audit.append(
                AuditEntry(cycle_id, pair, kind, sync_id, key, name, before, after, direction)
            )

        if "conflict" in kinds:
            for op in ops:
                if op.kind != "conflict":
                    continue
                if op.changes:
                    for c in op.changes:
                        self._conflict(run, sync_id, key, c.name, (c.base, c.jira, c.excel))
                else:  # edited on one side, removed on the other: keep both records whole
                    whole = tuple(
                        dict(side.values) if side else None
                        for side in (match.base, match.jira, match.excel)
                    )
                    self._conflict(run, sync_id, key, RECORD_FIELD, whole)
        if match.jira is None and match.excel is None:
            if old is not None:
                self.store.forget(pair, kind, sync_id)
            return
        new: dict[str, Any]
        if "jira_create" in kinds:
            if sync_id not in run.created:
                return
            values = items.get(sync_id, run.written.get(sync_id, {}))
            new = {n: values.get(n) for n in fields}
            log("(created in Jira)", None, run.created[sync_id], "excel->jira")
        elif "excel_append" in kinds:
            jira = items[sync_id]
            new = {n: jira.get(n) for n in fields}
            log("(appended row)", None, jira.get("summary"), "jira->excel")
        elif match.jira is None:  # left Jira's scope
            if old is None or "conflict" in kinds:
                return
            new = old
            if "excel_flag" in kinds:
                new = {**old, FLAGGED: self.today().isoformat()}
                log("(flagged)", None, flag_text(self.today()), "jira->excel")
        elif match.excel is None:  # row removed from the workbook
            if old is None or "conflict" in kinds:
                return
            if "jira_close" in kinds:
                new = {**old, "status": closed_status(run.entity), CLOSED: True}
                log("status", old.get("status"), new["status"], "excel->jira")
            else:
                new = {**old, REMOVED: True}
        else:
            new = {} if old is None else {n: v for n, v in old.items() if n in fields}
            conflicted = {c.name for op in ops if op.kind == "conflict" for c in op.changes}
            conflicted |= run.plan.held.get(sync_id, set())  # not written: keep their base
            for change in (c for op in ops for c in op.changes if op.kind != "conflict"):
                direction = "excel->jira" if change.action == "to_jira" else "jira->excel"
                before = change.jira if change.action == "to_jira" else change.excel
                # What the cell received: a text cut to fit shows its mark in the trail.
                after = change.value if change.action == "to_jira" else as_excel_holds(change.value)
                log(change.name, before, after, direction)
            for name in fields:
                if name in conflicted:
                    new.setdefault(name, None)
                    continue
                changed = [
                    c for op in ops for c in op.changes if c.name == name and op.kind != "conflict"
                ]
                new[name] = changed[-1].value if changed else match.jira.values.get(name)
        if old is None or new != old or (match.base and match.base.jira_key != key):
            self.store.save_base(pair, kind, sync_id, key, new)

    def _conflict(
        self, run: EntityRun, sync_id: str, key: str | None, name: str, views: tuple[Any, Any, Any]
    ) -> None:
        """Record (or refresh) one open conflict with the three values a person decides on."""
        base, jira, excel = views
        self.store.record_conflict(
            self.pair,
            run.entity.type,
            sync_id,
            key,
            name,
            base=base,
            jira=jira,
            excel=excel,
            jira_updated=_updated(run.jira.records.get(sync_id)),
            excel_seen=datetime.now(UTC),
        )


def _updated(values: Mapping[str, Any] | None) -> datetime | None:
    return values.get("updated") if values else None
