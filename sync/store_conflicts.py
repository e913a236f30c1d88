"""Conflicts a person decides, and the audit trail of every applied change (mixed into
``StateStore``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sync.errors import StateStoreError
from sync.store_records import AuditEntry, Conflict
from sync.store_schema import _dt, _ts, dump_values, load_values


class ConflictsAndAudit:
    """The conflict and audit half of the state store."""

    _db: sqlite3.Connection
    clock: Callable[[], datetime]

    def record_conflict(
        self,
        pair: str,
        entity: str,
        sync_id: str,
        jira_key: str | None,
        field: str,
        *,
        base: Any,
        jira: Any,
        excel: Any,
        jira_updated: datetime | None = None,
        excel_seen: datetime | None = None,
    ) -> int:
        """Record a conflict once; the same open conflict seen again keeps its id."""
        row = self._db.execute(
            "SELECT id, jira, excel FROM conflicts WHERE pair=? AND entity=? AND sync_id=? "
            "AND field=? AND resolved_at IS NULL",
            (pair, entity, sync_id, field),
        ).fetchone()
        values = (dump_values(base), dump_values(jira), dump_values(excel))
        if row is not None and (row[1], row[2]) == values[1:]:
            return int(row[0])  # seen again unchanged: keep when it was first seen
        if row is not None:
            self._db.execute(
                "UPDATE conflicts SET base=?, jira=?, excel=?, jira_updated=?, excel_seen=? "
                "WHERE id=?",
                (*values, _ts(jira_updated), _ts(excel_seen), row[0]),
            )
            return int(row[0])
        cursor = self._db.execute(
            "INSERT INTO conflicts (pair, entity, sync_id, jira_key, field, base, jira, excel,"
            " jira_updated, excel_seen, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pair,
                entity,
                sync_id,
                jira_key,
                field,
                *values,
                _ts(jira_updated),
                _ts(excel_seen),
                _ts(self.clock()),
            ),
        )
        return int(cursor.lastrowid or 0)

    def open_conflicts(self, pair: str | None = None) -> list[Conflict]:
        if pair is None:
            return self._conflicts("resolved_at IS NULL", ())
        return self._conflicts("resolved_at IS NULL AND pair=?", (pair,))

    def _conflicts(self, where: str, params: tuple[Any, ...]) -> list[Conflict]:
        query = (
            "SELECT id, pair, entity, sync_id, jira_key, field, base, jira, excel, "
            f"jira_updated, excel_seen, detected_at FROM conflicts WHERE {where} ORDER BY id"
        )
        return [
            Conflict(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                load_values(row[6]),
                load_values(row[7]),
                load_values(row[8]),
                _dt(row[9]),
                _dt(row[10]),
                datetime.fromisoformat(row[11]),
            )
            for row in self._db.execute(query, params)
        ]

    def resolve_conflict(self, conflict_id: int, value: Any) -> None:
        """Mark a conflict resolved with the value a person chose."""
        cursor = self._db.execute(
            "UPDATE conflicts SET resolved_at=?, resolution=? WHERE id=? AND resolved_at IS NULL",
            (_ts(self.clock()), dump_values(value), conflict_id),
        )
        if cursor.rowcount == 0:
            raise StateStoreError(f"no open conflict #{conflict_id}; see `pmo-sync conflicts`")

    def conflict(self, conflict_id: int) -> Conflict | None:
        for found in self._conflicts("id=?", (conflict_id,)):
            return found
        return None

    def pending_resolutions(self, pair: str, entity: str) -> dict[tuple[str, str], Any]:
        """(sync_id, field) -> chosen value, for resolved conflicts not yet written."""
        rows = self._db.execute(
            "SELECT sync_id, field, resolution FROM conflicts WHERE pair=? AND entity=? AND "
            "resolved_at IS NOT NULL AND applied_at IS NULL AND field NOT LIKE '(%' ORDER BY id",
            (pair, entity),
        )
        return {(sync_id, name): load_values(value) for sync_id, name, value in rows}

    def mark_applied(self, pair: str, entity: str, keys: list[tuple[str, str]]) -> None:
        self._db.executemany(
            "UPDATE conflicts SET applied_at=? WHERE pair=? AND entity=? AND sync_id=? AND "
            "field=? AND resolved_at IS NOT NULL AND applied_at IS NULL",
            [(_ts(self.clock()), pair, entity, sync_id, name) for sync_id, name in keys],
        )

    # Audit trail ---------------------------------------------------------------------

    def append_audit(self, entries: list[AuditEntry]) -> None:
        now = _ts(self.clock())
        self._db.executemany(
            "INSERT INTO audit (cycle_id, at, pair, entity, sync_id, jira_key, field, old, new,"
            " direction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.cycle_id,
                    _ts(e.at) or now,
                    e.pair,
                    e.entity,
                    e.sync_id,
                    e.jira_key,
                    e.field,
                    dump_values(e.old),
                    dump_values(e.new),
                    e.direction,
                )
                for e in entries
            ],
        )

    def audit_log(self, pair: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest applied changes first."""
        query = (
            "SELECT cycle_id, pair, entity, sync_id, jira_key, field, old, new, direction, at "
            "FROM audit"
        )
        params: tuple[Any, ...] = ()
        if pair is not None:
            query += " WHERE pair=?"
            params = (pair,)
        rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                load_values(r[6]),
                load_values(r[7]),
                r[8],
                datetime.fromisoformat(r[9]),
            )
            for r in rows
        ]
