"""Compliance audits kept over time: per audit and project, the checks, how many passed
and the breaches (mixed into ``StateStore``; written by ``compliance.audit.remember``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.store_schema import _ts

KEEP_AUDITS = 500  # per project: a year of daily audits, plus room


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    project: str
    checks: int
    passed: int
    breaches: list[dict[str, Any]]

    @property
    def score(self) -> float | None:
        return None if self.checks == 0 else self.passed / self.checks


class Audits:
    """The audit half of the state store."""

    _db: sqlite3.Connection
    clock: Callable[[], datetime]

    def save_audit(self, at: datetime, rows: Sequence[tuple[str, int, int, str]]) -> None:
        self._db.executemany(
            "INSERT INTO audits (at, project, checks, passed, breaches) VALUES (?, ?, ?, ?, ?)",
            [
                (_ts(at), project, checks, passed, breaches)
                for project, checks, passed, breaches in rows
            ],
        )
        self._db.execute(
            "DELETE FROM audits WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER ("
            "PARTITION BY project ORDER BY at DESC, id DESC) AS n FROM audits) WHERE n > ?)",
            (KEEP_AUDITS,),
        )

    def audits(self, project: str | None = None, limit: int = 1000) -> list[AuditRow]:
        """Kept audits, oldest first (optionally one project's)."""
        query = "SELECT at, project, checks, passed, breaches FROM audits"
        params: tuple[Any, ...] = ()
        if project is not None:
            query, params = query + " WHERE project=?", (project,)
        rows = self._db.execute(query + " ORDER BY at DESC, id DESC LIMIT ?", (*params, limit))
        found = [
            AuditRow(datetime.fromisoformat(at), p, c, ok, json.loads(b))
            for at, p, c, ok, b in rows
        ]
        return found[::-1]

    def breach_notes(self, kind: str) -> dict[tuple[str, str], str | None]:
        """(issue key, rule) -> the Jira note's id (a comment id; None for a label)."""
        rows = self._db.execute(
            "SELECT jira_key, rule, note_id FROM breach_notes WHERE kind=?", (kind,)
        )
        return {(key, rule): note for key, rule, note in rows}

    def save_breach_note(self, key: str, rule: str, kind: str, note_id: str | None) -> None:
        self._db.execute(
            "INSERT INTO breach_notes (jira_key, rule, kind, note_id, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (jira_key, rule, kind) DO UPDATE SET note_id=excluded.note_id, "
            "at=excluded.at",
            (key, rule, kind, note_id, _ts(self.clock())),
        )

    def drop_breach_note(self, key: str, rule: str, kind: str) -> None:
        self._db.execute(
            "DELETE FROM breach_notes WHERE jira_key=? AND rule=? AND kind=?", (key, rule, kind)
        )

    def latest_audit(self) -> list[AuditRow]:
        """The newest audit's rows, one per project."""
        row = self._db.execute("SELECT MAX(at) FROM audits").fetchone()
        if row is None or row[0] is None:
            return []
        return [
            AuditRow(datetime.fromisoformat(at), p, c, ok, json.loads(b))
            for at, p, c, ok, b in self._db.execute(
                "SELECT at, project, checks, passed, breaches FROM audits WHERE at=? "
                "ORDER BY project",
                (row[0],),
            )
        ]
