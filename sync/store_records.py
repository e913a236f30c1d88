"""What the state store hands out: bases, conflicts, audit entries, journaled intents,
cycles and snapshot lines, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class BaseEntry:
    """What both sides held for a record after its last successful sync."""

    sync_id: str
    jira_key: str | None
    values: dict[str, Any]
    synced_at: datetime


@dataclass(frozen=True)
class Conflict:
    """A field edited differently on both sides, waiting for a person."""

    id: int
    pair: str
    entity: str
    sync_id: str
    jira_key: str | None
    field: str
    base: Any
    jira: Any
    excel: Any
    jira_updated: datetime | None
    excel_seen: datetime | None
    detected_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One applied change."""

    cycle_id: str
    pair: str
    entity: str
    sync_id: str
    jira_key: str | None
    field: str
    old: Any
    new: Any
    direction: str
    at: datetime | None = None


@dataclass(frozen=True)
class Intent:
    """A side effect written down before it was attempted (the intent journal)."""

    id: int
    cycle_id: str
    pair: str
    entity: str
    sync_id: str
    kind: str
    payload: Any
    created_at: datetime


@dataclass(frozen=True)
class CycleEntry:
    """One sync cycle of one pair: when, how it ended, what it counted."""

    id: str
    pair: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str  # running (or crashed), ok, conflicts, errors, failed
    stats: Any


@dataclass(frozen=True)
class SnapshotTotal:
    """One line of a cycle's portfolio snapshot, summed over projects."""

    cycle_id: str
    at: datetime
    entity: str
    status: str | None
    level: str | None
    count: int
    score_sum: float | None
