"""The newest compliance audit the state store kept, for ``PMO_COMPLIANCE`` and
``PMO_BREACHES``.

After every sync and daemon cycle with ``[sync] policy`` set, ``pmo-sync`` audits the
portfolio and keeps one row per project in the store's ``audits`` table. These lookups
read the newest of those audits, read-only and without auditing anything themselves: a
formula shows what the last cycle found, as every other lookup shows the last sync.
``lookups.Portfolio`` caches the result with its snapshot (reloaded when the store
changes).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from excel_addin.metrics import MetricError
from sync.store_audits import AuditRow

SEVERITIES = ("error", "warning", "info")
BREACH_FIELDS = ("key", "rule", "severity", "why", "who")
ALL = ("", "*", None)


@dataclass
class LatestAudit:
    """The newest audit's rows (one per project), by upper-cased project key."""

    at: datetime | None = None
    rows: dict[str, AuditRow] = field(default_factory=dict)

    def _require(self) -> None:
        if self.at is None:
            raise MetricError(
                "#N/A",
                "no compliance audit in the state store yet: set [sync] policy (e.g. "
                '"builtin:pmo") and run `pmo-sync sync`; every cycle keeps one',
            )

    def _when(self) -> str:
        assert self.at is not None
        return f"{self.at.astimezone():%Y-%m-%d %H:%M}"

    def selected(self, project: Any) -> list[AuditRow]:
        """The rows of one project (or all, for * or blank)."""
        self._require()
        if project in ALL:
            return list(self.rows.values())
        row = self.rows.get(str(project).strip().upper())
        if row is None:
            raise MetricError(
                "#N/A", f"no project {project!r} in the newest compliance audit ({self._when()})"
            )
        return [row]

    def score(self, project: Any) -> float:
        """Passed checks / checks of the project (or the whole portfolio), 0..1."""
        rows = self.selected(project)
        checks = sum(r.checks for r in rows)
        if checks == 0:
            what = "the portfolio" if project in ALL else repr(project)
            raise MetricError("#N/A", f"nothing of {what} to check in the newest compliance audit")
        return sum(r.passed for r in rows) / checks

    def breaches(self, project: Any, severity: Any = None) -> list[list[Any]]:
        """A header row and one row per breach (key, rule, severity, why, who)."""
        wanted = _severity(severity)
        rows = self.selected(project)
        found = [
            [_text(b.get(name)) for name in BREACH_FIELDS]
            for row in sorted(rows, key=lambda r: r.project)
            for b in row.breaches
            if wanted is None or b.get("severity") == wanted
        ]
        return [list(BREACH_FIELDS), *found]


def _severity(value: Any) -> str | None:
    if value in ALL:
        return None
    text = str(value).strip().casefold()
    text = {"errors": "error", "warnings": "warning"}.get(text, text)
    if text not in SEVERITIES:
        raise MetricError("#VALUE!", f"severity {value!r} is not error, warning or info")
    return text


def _text(value: Any) -> Any:
    return None if value in (None, "") else str(value)


def load_latest(path: Path) -> LatestAudit:
    """The newest audit of the store at ``path`` (read-only); none kept: an empty one.
    A store made before audits were kept has no audits table: no audit yet either."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise MetricError("#N/A", f"cannot open the state store {path}: {exc}") from None
    try:
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='audits'"
        ).fetchone():
            return LatestAudit()
        newest = db.execute("SELECT MAX(at) FROM audits").fetchone()[0]
        if newest is None:
            return LatestAudit()
        found = db.execute(
            "SELECT at, project, checks, passed, breaches FROM audits WHERE at=? "
            "ORDER BY project, id",
            (newest,),
        ).fetchall()
    except sqlite3.Error as exc:
        raise MetricError(
            "#N/A", f"{path} is not a pmo-sync state store with audits ({exc})"
        ) from None
    finally:
        db.close()
    rows = {
        str(project).upper(): AuditRow(
            datetime.fromisoformat(at), project, checks, passed, json.loads(breaches)
        )
        for at, project, checks, passed, breaches in found
    }
    return LatestAudit(datetime.fromisoformat(newest), rows)
