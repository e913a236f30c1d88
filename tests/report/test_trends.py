"""Per-week (and per-day) trend points from a real state store's snapshots, taken as sync
cycles take them while the store's clock steps through the weeks; every expected point
is worked out by hand in the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from mappings.model import build_record
from report.figures import WeekPoint, compute
from report.trends import cycle_points, period_end, trend_note, weekly
from sync.store import StateStore

PLUS_13 = timezone(timedelta(hours=13))  # New Zealand's summer time: UTC Sunday noon is Monday
ISO_WEEKS = {  # the Sundays that end the ISO weeks used here
    "A": date(2026, 11, 29),  # Mon 23 Nov .. Sun 29 Nov
    "B": date(2026, 12, 6),  # no sync at all this week
    "C": date(2026, 12, 13),
    "D": date(2026, 12, 20),
}


class Portfolio:
    """A state store written as sync cycles write it, at the times the test chooses."""

    def __init__(self, path: Path) -> None:
        self.now = datetime(2026, 11, 1, tzinfo=UTC)
        self.store = StateStore(path, clock=lambda: self.now)
        self.given: dict[str, dict[str, Any]] = {}  # label -> the values read for it
        self.records: dict[str, dict[str, Any]] = {}  # label -> its canonical record
        self.cycles = 0

    def set(self, entity: str, label: str, **values: Any) -> None:
        """An issue as the next cycle reads it (its derived fields computed by the model)."""
        given = self.given.setdefault(
            label,
            {
                "sync_id": str(uuid4()),
                "key": f"ALPHA-{len(self.given) + 1}",
                "ref": label,
                "project": "ALPHA",
                "summary": label,
            },
        )
        given.update(values)
        record = build_record(entity, given, source="test").model_dump()
        record["sync_id"] = str(record["sync_id"])
        self.records[label] = {"_entity": entity, **record}

    def cycle(self, at: datetime, *, quiet: bool = False) -> str:
        """A cycle of the pair at ``at`` (UTC): every issue saved, then the snapshot; a
        quiet cycle (Jira showed no change) copies the previous snapshot, as cycle.py does."""
        self.now = at
        self.cycles += 1
        cycle_id = f"c{self.cycles}"
        with self.store.transaction():
            self.store.begin_cycle(cycle_id, "raid")
        with self.store.transaction():
            if quiet:
                self.store.repeat_snapshot(cycle_id, "raid")
            else:
                for entity in ("risk", "change_request"):
                    records = [
                        {k: v for k, v in r.items() if k != "_entity"}
                        for r in self.records.values()
                        if r["_entity"] == entity
                    ]
                    self.store.save_items("raid", entity, records)
                self.store.snapshot(cycle_id, "raid")
            self.store.finish_cycle(cycle_id, "ok", {"counts": {}})
        return cycle_id


@pytest.fixture
def portfolio(tmp_path: Path) -> Iterator[Portfolio]:
    world = Portfolio(tmp_path / "state.db")
    yield world
    world.store.close()


def utc(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def four_weeks(p: Portfolio) -> None:
    """Week A: two cycles; B: none; C: a change request approved; D: a cycle that UTC
    puts on Sunday of week C but is Monday of week D in UTC+13."""
    p.set("risk", "R1", probability=3, impact=4)  # score 12
    p.set("risk", "R2", probability=2, impact=2)  # score 4
    p.set("risk", "R3", probability=5, impact=5, status="closed")  # 25, never counted
    p.set("change_request", "CR1", status="submitted")
    p.set("change_request", "CR0", status="approved")  # approved before the history began
    p.cycle(utc(23, 9))  # A (local Mon 23 Nov 22:00): open R1, R2 -> 2, exposure 16
    p.set("risk", "R2", status="closed")
    p.cycle(utc(26, 9))  # A, the last one of the week: open R1 -> 1, exposure 12
    p.set("change_request", "CR1", status="approved")
    p.set("risk", "R4", probability=4, impact=4)  # score 16
    p.cycle(utc(8, 12, month=12))  # C: open R1, R4 -> 2, exposure 28; CR1 approved
    p.set("risk", "R4", status="closed")
    p.set("risk", "R1", status="mitigating")  # still open
    p.set("change_request", "CR1", status="implemented")  # still an approved decision
    p.cycle(utc(13, 12, month=12))  # Sun 13 Dec 12:00 UTC = Mon 14 Dec 01:00 in UTC+13


def test_a_point_per_local_week_from_the_last_snapshot_in_it(portfolio):
    four_weeks(portfolio)
    points = weekly(portfolio.store.snapshot_totals(), tz=PLUS_13)
    assert points == [
        WeekPoint(ISO_WEEKS["A"], open_risks=1, exposure=12, approved_changes=0),
        # no point for week B: nothing was synced in it
        WeekPoint(ISO_WEEKS["C"], open_risks=2, exposure=28, approved_changes=1),
        WeekPoint(ISO_WEEKS["D"], open_risks=1, exposure=12, approved_changes=0),
    ]


def test_the_same_snapshots_in_utc_put_the_sunday_cycle_in_week_c(portfolio):
    """The period boundary is local: in UTC the last cycle is Sunday 13 Dec, so it is
    week C's last snapshot and there is no week D."""
    four_weeks(portfolio)
    points = weekly(portfolio.store.snapshot_totals(), tz=UTC)
    assert points == [
        WeekPoint(ISO_WEEKS["A"], 1, 12, 0),
        WeekPoint(ISO_WEEKS["C"], 1, 12, 1),
    ]


def test_per_day(portfolio):
    four_weeks(portfolio)
    points = weekly(portfolio.store.snapshot_totals(), period="day", tz=PLUS_13)
    assert points == [
        WeekPoint(date(2026, 11, 23), 2, 16, 0),
        WeekPoint(date(2026, 11, 26), 1, 12, 0),
        WeekPoint(date(2026, 12, 9), 2, 28, 1),  # 12:00 UTC on the 8th is the 9th here
        WeekPoint(date(2026, 12, 14), 1, 12, 0),
    ]
    with pytest.raises(ValueError, match="week, day"):
        weekly(portfolio.store.snapshot_totals(), period="month")  # type: ignore[arg-type]


def test_compute_uses_the_computers_own_time_zone(portfolio, local_zone):
    four_weeks(portfolio)
    local_zone("<+13>-13")  # POSIX for UTC+13, no time zone database needed
    figures = compute(portfolio.store)
    assert [p.period_end for p in figures.weekly] == [ISO_WEEKS[w] for w in "ACD"]
    assert figures.trend_note is None
    assert len(figures.trend) == 4  # the per-cycle trend is still there
    local_zone("UTC")
    assert [p.period_end for p in compute(portfolio.store).weekly] == [ISO_WEEKS[w] for w in "AC"]


def test_approvals_count_in_their_week_only_and_never_go_negative(portfolio):
    p = portfolio
    p.set("change_request", "CR1", status="under_review")
    p.set("change_request", "CR2", status="submitted")
    p.cycle(utc(23, 9))  # week A: nothing approved
    p.set("change_request", "CR1", status="approved")
    p.cycle(utc(1, 9, month=12))  # week B: CR1 approved
    p.cycle(utc(2, 9, month=12))  # week B again: still one approved, nothing new
    p.set("change_request", "CR1", status="rejected")  # the board changed its mind
    p.cycle(utc(8, 9, month=12))  # week C: the approved count falls: 0, not -1
    p.set("change_request", "CR2", status="approved")
    p.set("change_request", "CR3", status="implemented")  # new, approved already
    p.cycle(utc(15, 9, month=12))  # week D: two more approved
    points = weekly(p.store.snapshot_totals(), tz=UTC)
    assert [(x.period_end, x.approved_changes) for x in points] == [
        (ISO_WEEKS["A"], 0),
        (ISO_WEEKS["B"], 1),
        (ISO_WEEKS["C"], 0),
        (ISO_WEEKS["D"], 2),
    ]
    assert all(x.open_risks == x.exposure == 0 for x in points)  # no risks at all


def test_exposure_sums_the_scores_of_open_risks_only(portfolio):
    p = portfolio
    p.set("risk", "R1", probability=5, impact=5)  # 25
    p.set("risk", "R2", probability=1, impact=3, status="mitigating")  # 3, open
    p.set("risk", "R3", probability=4, impact=5, status="closed")  # 20, closed
    p.set("risk", "R4", summary="not assessed yet")  # no score: counts, adds nothing
    p.cycle(utc(24, 9))
    (point,) = weekly(p.store.snapshot_totals(), tz=UTC)
    assert (point.open_risks, point.exposure) == (3, 28)


def test_a_quiet_cycle_keeps_the_exposure(portfolio):
    """A cycle in which Jira showed no change copies the previous snapshot; the copy has
    no score sums, but its risks are the same, so their exposure is the same."""
    p = portfolio
    p.set("risk", "R1", probability=3, impact=3)  # 9
    p.cycle(utc(23, 9))
    p.cycle(utc(30, 9), quiet=True)  # week B
    p.cycle(utc(1, 9, month=12), quiet=True)  # week B, a copy of a copy
    assert [c.exposure for c in cycle_points(p.store.snapshot_totals())] == [9, 9, 9]
    assert weekly(p.store.snapshot_totals(), tz=UTC) == [
        WeekPoint(ISO_WEEKS["A"], 1, 9, 0),
        WeekPoint(ISO_WEEKS["B"], 1, 9, 0),
    ]


def test_an_empty_store_and_a_single_week_say_why_there_is_no_line(portfolio):
    figures = compute(portfolio.store)
    assert figures.weekly == [] and figures.trend == []
    assert figures.trend_note is not None
    assert figures.trend_note.startswith("No sync history yet: ")
    portfolio.set("risk", "R1", probability=2, impact=2)
    portfolio.cycle(utc(23, 9))
    portfolio.cycle(utc(25, 9))  # two cycles in the same week: still one point
    figures = compute(portfolio.store)
    assert len(figures.weekly) == 1 and figures.weekly[0].open_risks == 1
    assert figures.trend_note is not None
    assert figures.trend_note.startswith("One week of history so far: ")
    assert trend_note(figures.weekly, period="day").startswith("One day of history so far: ")


def test_a_cycle_that_found_nothing_is_a_point_of_zero(portfolio):
    p = portfolio
    p.set("risk", "R1", probability=2, impact=3)
    p.cycle(utc(23, 9))
    with p.store.transaction():  # the pair's scope emptied
        p.store.drop_items("raid", "risk", [i["sync_id"] for i in p.store.items("risk")])
    p.records.clear()
    p.cycle(utc(1, 9, month=12))
    assert weekly(p.store.snapshot_totals(), tz=UTC) == [
        WeekPoint(ISO_WEEKS["A"], 1, 6, 0),
        WeekPoint(ISO_WEEKS["B"], 0, 0, 0),
    ]


def test_period_end_is_the_sunday_of_the_local_iso_week():
    sunday_night = datetime(2026, 11, 29, 10, 59, tzinfo=UTC)  # 23:59 on Sunday in UTC+13
    assert period_end(sunday_night, tz=PLUS_13) == date(2026, 11, 29)
    assert period_end(sunday_night + timedelta(minutes=1), tz=PLUS_13) == date(2026, 12, 6)
    assert period_end(datetime(2026, 11, 23, 0, 0, tzinfo=UTC), tz=UTC) == date(2026, 11, 29)
    assert period_end(datetime(2026, 11, 29, 12), period="day", tz=PLUS_13) == date(2026, 11, 30)
