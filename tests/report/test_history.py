"""`--since`: which earlier report a report is compared with, from reports remembered at
known times (the state store's clock stepped by the test)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mappings.model import build_record
from report import generate, history
from report.figures import compute
from sync.store import StateStore

DAY = timedelta(days=1)


class Clocked:
    """A state store whose clock the test sets."""

    def __init__(self, path: Path) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.store = StateStore(path, clock=lambda: self.now)

    def report_at(self, at: datetime, *risks: str) -> None:
        """A report made at ``at`` while ``risks`` (keys) were open: remembered as
        `pmo-sync report` remembers it."""
        self.now = at
        with self.store.transaction():
            self.store.drop_items("p", "risk", [i["sync_id"] for i in self.store.items("risk")])
            self.store.save_items("p", "risk", [_risk(key) for key in risks])
        history.remember(self.store, compute(self.store))


def _risk(key: str) -> dict[str, Any]:
    record = build_record(
        "risk", {"key": key, "project": "ALPHA", "summary": key}, source="test"
    ).model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[Clocked]:
    world = Clocked(tmp_path / "state.db")
    yield world
    world.store.close()


def _open(report: dict[str, Any] | None) -> list[str]:
    assert report is not None
    return report["open_risks"]


T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_since_picks_the_newest_report_at_least_that_old(clocked):
    for day, key in enumerate(["ALPHA-1", "ALPHA-2", "ALPHA-3", "ALPHA-4"]):
        clocked.report_at(T0 + day * 3 * DAY, key)  # on the 2nd, 5th, 8th and 11th
    store, now = clocked.store, T0 + 12 * DAY  # the 14th
    assert _open(history.baseline(store, timedelta(days=7), now)) == ["ALPHA-2"]  # 9 days old
    assert _open(history.baseline(store, timedelta(days=6), now)) == ["ALPHA-3"]  # exactly 6
    assert _open(history.baseline(store, timedelta(hours=12), now)) == ["ALPHA-4"]
    assert _open(history.baseline(store, None, now)) == ["ALPHA-4"]  # the previous report
    # None that old: the oldest kept.
    assert _open(history.baseline(store, timedelta(weeks=4), now)) == ["ALPHA-1"]
    # "now" may be given in local time (naive), as the report shows it, or aware.
    local_now = now.astimezone().replace(tzinfo=None)
    assert _open(history.baseline(store, timedelta(days=7), local_now)) == ["ALPHA-2"]


def test_generate_compares_as_of_the_stores_clock(clocked, tmp_path):
    """A replay of past weeks: --since is measured from the store's clock, not from the
    computer's clock (which would find every replayed report old enough)."""
    clocked.report_at(T0, "ALPHA-1")
    clocked.report_at(T0 + 5 * DAY, "ALPHA-1", "ALPHA-2")
    clocked.now = T0 + 8 * DAY
    with clocked.store.transaction():
        clocked.store.save_items("p", "risk", [_risk("ALPHA-3")])
    result = generate(clocked.store, tmp_path / "r.xlsx", since=7 * DAY)
    assert result.changes.baseline == T0.astimezone().replace(tzinfo=None)  # local, naive
    assert result.changes.new_risks == ["ALPHA-2", "ALPHA-3"]
    assert result.figures.generated_at == clocked.now.astimezone().replace(tzinfo=None)
    # and it is remembered at the store's time, as the newest report
    latest = history.baseline(clocked.store, None, clocked.now)
    assert latest is not None and latest["at"] == "2026-11-10T09:00:00+00:00"


def test_reports_an_hour_apart_across_the_end_of_summer_time(clocked, local_zone):
    """New York leaves summer time at 02:00 on 1 Nov 2026: 01:30 EDT is before 01:10
    EST. By their local clock times the earlier report would look like the newer."""
    local_zone("EST5EDT,M3.2.0,M11.1.0")
    clocked.report_at(datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "ALPHA-1")  # 01:30 EDT
    clocked.report_at(datetime(2026, 11, 1, 6, 10, tzinfo=UTC), "ALPHA-2")  # 01:10 EST
    now = datetime(2026, 11, 1, 6, 40, tzinfo=UTC)
    assert _open(history.baseline(clocked.store, None, now)) == ["ALPHA-2"]
    assert _open(history.baseline(clocked.store, timedelta(minutes=30), now)) == ["ALPHA-2"]
    assert _open(history.baseline(clocked.store, timedelta(minutes=40), now)) == ["ALPHA-1"]


def test_reports_of_the_earlier_version_are_read_as_local_time(clocked, local_zone):
    """Earlier versions kept a report's time naive, in local time; they still compare
    with the newer ones (kept in UTC) as moments."""
    local_zone("<+13>-13")
    old = {"at": "2026-11-20T10:00:00", "rag": {}, "open_risks": ["ALPHA-9"]}  # 19th 21:00Z
    clocked.store.set_cursor(history.SCOPE, history.SCOPE, old["at"], json.dumps(old))
    clocked.report_at(datetime(2026, 11, 19, 22, 0, tzinfo=UTC), "ALPHA-1")  # an hour later
    now = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)
    assert _open(history.baseline(clocked.store, None, now)) == ["ALPHA-1"]
    assert _open(history.baseline(clocked.store, timedelta(days=8), now)) == ["ALPHA-9"]
    assert _open(history.baseline(clocked.store, timedelta(days=7), now)) == ["ALPHA-1"]
    changes = history.changes_since(
        compute(clocked.store), history.baseline(clocked.store, timedelta(days=8), now)
    )
    assert changes.baseline == datetime(2026, 11, 20, 10, 0)  # as that report showed it


def test_the_newest_reports_are_kept(clocked):
    for n in range(history.KEEP + 2):
        clocked.report_at(T0 + n * timedelta(hours=1))
    kept = clocked.store.cursors(history.SCOPE, history.SCOPE)
    assert len(kept) == history.KEEP
    oldest = history.baseline(clocked.store, timedelta(weeks=52), T0 + 200 * timedelta(hours=1))
    assert oldest is not None and oldest["at"] == (T0 + 2 * timedelta(hours=1)).isoformat()


def test_an_unreadable_summary_is_skipped(clocked):
    clocked.store.set_cursor(history.SCOPE, history.SCOPE, "broken", "{not json")
    assert history.baseline(clocked.store, None, T0) is None
    clocked.report_at(T0, "ALPHA-1")
    assert _open(history.baseline(clocked.store, timedelta(days=1), T0)) == ["ALPHA-1"]
    assert "broken" not in clocked.store.cursors(history.SCOPE, history.SCOPE)
