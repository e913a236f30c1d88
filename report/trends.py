"""The trend points of the report: the per-cycle snapshots of the state store, one point
per ISO week (or per day), in the users' local time.

Pure functions over ``StateStore.snapshot_totals()``; nothing here reads the store.

- A period's point is the portfolio at its LAST snapshot: open risks (status not
  closed; a risk without a status counts as open, as everywhere in the report) and
  their exposure (the sum of their scores).
- ``approved_changes`` is how many change requests became approved during the period:
  the increase of the count of change requests whose decision (derived from their
  status by the model's own mapping) is approved, from the previous period's last
  snapshot (for the first period: from its first snapshot) to this period's last one;
  never negative (a change request deleted or reopened is not an "unapproval").
- A period without a snapshot gets no point: nothing is invented between two syncs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal

from mappings.model import _DECISION_OF_STATUS
from report.figures import WeekPoint
from sync.store_records import SnapshotTotal

Period = Literal["week", "day"]
PERIODS: tuple[Period, ...] = ("week", "day")


@dataclass(frozen=True)
class CyclePoint:
    """The portfolio after one cycle, as its snapshot counted it."""

    cycle_id: str
    at: datetime  # aware, UTC
    open_risks: int
    exposure: int
    approved: int  # change requests whose decision is approved


def _aware(moment: datetime) -> datetime:
    """The store stamps in UTC; a stamp without an offset is read as UTC too."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _is_approved(status: str | None) -> bool:
    return status is not None and _DECISION_OF_STATUS.get(status) == "approved"


def cycle_points(totals: Iterable[SnapshotTotal]) -> list[CyclePoint]:
    """One point per cycle, oldest first.

    Exposure is the sum of the open risks' ``score_sum``. A snapshot without it (taken
    before schema 3, or copied by a quiet cycle of a pmo-sync before that copy kept it)
    keeps the previous cycle's exposure when its open risks are counted exactly as the
    previous cycle counted them (the same portfolio), and counts 0 otherwise (unknown).
    """
    by_cycle: dict[str, list[SnapshotTotal]] = {}
    for row in totals:
        by_cycle.setdefault(row.cycle_id, []).append(row)
    ordered = sorted(by_cycle.items(), key=lambda kv: (min(_aware(r.at) for r in kv[1]), kv[0]))
    points: list[CyclePoint] = []
    previous: tuple[tuple[str | None, str | None, int], ...] | None = None
    for cycle_id, rows in ordered:
        risks = [r for r in rows if r.entity == "risk" and r.status != "closed" and r.count]
        signature = tuple(sorted(((r.status, r.level, r.count) for r in risks), key=str))
        unknown = any(r.score_sum is None for r in risks)
        if unknown and points and signature == previous:
            exposure = points[-1].exposure
        else:
            exposure = round(sum(r.score_sum or 0 for r in risks))
        points.append(
            CyclePoint(
                cycle_id,
                min(_aware(r.at) for r in rows).astimezone(UTC),
                sum(r.count for r in risks),
                exposure,
                sum(
                    r.count for r in rows if r.entity == "change_request" and _is_approved(r.status)
                ),
            )
        )
        previous = signature
    return points


def period_end(moment: datetime, period: Period = "week", tz: tzinfo | None = None) -> date:
    """The last day of the period holding ``moment`` in local time (``tz``, or the
    computer's own zone when None): the Sunday of its ISO week, or its day."""
    local = _aware(moment).astimezone(tz)
    day = local.date()
    if period == "day":
        return day
    if period == "week":
        return day + timedelta(days=7 - day.isoweekday())
    raise ValueError(f"period {period!r}: use one of {', '.join(PERIODS)}")


def weekly(
    totals: Iterable[SnapshotTotal], period: Period = "week", tz: tzinfo | None = None
) -> list[WeekPoint]:
    """One point per period that has a snapshot, oldest first (see the module's doc)."""
    if period not in PERIODS:
        raise ValueError(f"period {period!r}: use one of {', '.join(PERIODS)}")
    grouped: dict[date, list[CyclePoint]] = {}
    for point in cycle_points(totals):
        grouped.setdefault(period_end(point.at, period, tz), []).append(point)
    out: list[WeekPoint] = []
    approved_before: int | None = None
    for end in sorted(grouped):
        cycles = grouped[end]
        last = cycles[-1]
        start = cycles[0].approved if approved_before is None else approved_before
        out.append(WeekPoint(end, last.open_risks, last.exposure, max(0, last.approved - start)))
        approved_before = last.approved
    return out


def trend_note(points: list[WeekPoint], period: Period = "week") -> str | None:
    """Why the trend charts show no line (no history, or one point), or None."""
    if not points:
        return (
            "No sync history yet: the trends start with the first sync and gain a point "
            f"every {period} one runs."
        )
    if len(points) == 1:
        return (
            f"One {period} of history so far: the trends show a change once a second "
            f"{period} has been synced."
        )
    return None
