"""What each report showed, so the next one can say what changed since.

Each report leaves a small summary in the state store (per project RAG, the open risk
keys). ``--since 7d`` compares with the newest report at least seven days old (or the
oldest one kept); without it, with the previous report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from report.figures import Figures, _local
from sync.store import StateStore

SCOPE = "_report"
KEEP = 100
_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")


def parse_since(text: str) -> timedelta:
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"--since {text!r}: use a number of hours, days or weeks: 12h, 7d, 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(hours=amount) * {"h": 1, "d": 24, "w": 24 * 7}[unit]


@dataclass
class Changes:
    baseline: datetime | None
    new_risks: list[str] = field(default_factory=list)
    closed_risks: list[str] = field(default_factory=list)
    rag_changes: list[tuple[str, str, str]] = field(default_factory=list)  # project, was, now


def _utc(moment: datetime) -> datetime:
    """A moment as aware UTC; a naive one is local time (what the report shows)."""
    return moment.astimezone(UTC)  # astimezone reads a naive datetime as local time


def _at(report: dict[str, Any]) -> datetime:
    """When a remembered report was made. Reports of earlier versions kept a naive
    local time, newer ones UTC with its offset: both are compared as moments."""
    return _utc(datetime.fromisoformat(report["at"]))


def summary(figures: Figures) -> dict[str, Any]:
    return {
        "at": _utc(figures.generated_at).isoformat(timespec="seconds"),
        "rag": {p.key: p.rag for p in figures.projects},
        "open_risks": figures.open_risk_keys,
    }


def _kept(store: StateStore) -> list[tuple[datetime, str, dict[str, Any]]]:
    """The remembered reports, oldest first, as (when, cursor name, summary); a summary
    that cannot be read is skipped (it cannot be compared with)."""
    kept = []
    for name, value in store.cursors(SCOPE, SCOPE).items():
        try:
            report = json.loads(value or "")
            kept.append((_at(report), name, report))
        except (ValueError, TypeError, KeyError):
            continue
    kept.sort(key=lambda r: (r[0], r[1]))
    return kept


def baseline(store: StateStore, since: timedelta | None, now: datetime) -> dict[str, Any] | None:
    """The report to compare with: without ``since`` the newest one; with it the newest
    made at least ``since`` before ``now`` (naive: local time), or the oldest kept
    when none is that old."""
    kept = [report for _, _, report in _kept(store)]
    if not kept:
        return None
    if since is None:
        return kept[-1]
    cutoff = _utc(now) - since
    older = [report for report in kept if _at(report) <= cutoff]
    return older[-1] if older else kept[0]


def changes_since(figures: Figures, previous: dict[str, Any] | None) -> Changes:
    if previous is None:
        return Changes(None)
    was_open, now_open = set(previous["open_risks"]), set(figures.open_risk_keys)
    rag_was = previous["rag"]
    return Changes(
        _local(_at(previous)),  # local time, as the report shows it
        sorted(now_open - was_open),
        sorted(was_open - now_open),
        [
            (p.key, rag_was[p.key], p.rag)
            for p in figures.projects
            if p.key in rag_was and rag_was[p.key] != p.rag
        ],
    )


def remember(store: StateStore, figures: Figures) -> None:
    """Keep this report's summary (under its UTC time) and the newest KEEP of them."""
    report = summary(figures)
    with store.transaction():
        store.set_cursor(SCOPE, SCOPE, report["at"], json.dumps(report))
        kept = _kept(store)
        names = set(store.cursors(SCOPE, SCOPE))
        for old in names - {name for _, name, _ in kept[-KEEP:]}:
            store.delete_cursor(SCOPE, SCOPE, old)
