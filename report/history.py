"""What each report showed, so the next one can say what changed since.

Each report leaves a small summary in the state store (per project RAG, the open risk
keys). ``--since 7d`` compares with the newest report at least seven days old (or the
oldest one kept); without it, with the previous report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from report.figures import Figures
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


def summary(figures: Figures) -> dict[str, Any]:
    return {
        "at": figures.generated_at.isoformat(),
        "rag": {p.key: p.rag for p in figures.projects},
        "open_risks": figures.open_risk_keys,
    }


def baseline(store: StateStore, since: timedelta | None, now: datetime) -> dict[str, Any] | None:
    kept = [json.loads(v) for v in store.cursors(SCOPE, SCOPE).values() if v]
    kept.sort(key=lambda r: r["at"])
    if not kept:
        return None
    if since is None:
        return kept[-1]
    cutoff = (now - since).isoformat()
    older = [r for r in kept if r["at"] <= cutoff]
    return older[-1] if older else kept[0]


def changes_since(figures: Figures, previous: dict[str, Any] | None) -> Changes:
    if previous is None:
        return Changes(None)
    was_open, now_open = set(previous["open_risks"]), set(figures.open_risk_keys)
    rag_was = previous["rag"]
    return Changes(
        datetime.fromisoformat(previous["at"]),
        sorted(now_open - was_open),
        sorted(was_open - now_open),
        [
            (p.key, rag_was[p.key], p.rag)
            for p in figures.projects
            if p.key in rag_was and rag_was[p.key] != p.rag
        ],
    )


def remember(store: StateStore, figures: Figures) -> None:
    with store.transaction():
        store.set_cursor(
            SCOPE, SCOPE, figures.generated_at.isoformat(), json.dumps(summary(figures))
        )
        names = sorted(store.cursors(SCOPE, SCOPE))
        for old in names[:-KEEP]:
            store.delete_cursor(SCOPE, SCOPE, old)
