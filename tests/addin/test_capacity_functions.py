"""PMO_CAPACITY, PMO_DEMAND, PMO_UTILISATION and PMO_OVERALLOCATED over a real store:
the resource plan's people and Jira's open work, hand-worked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from excel_addin import functions as f
from excel_addin.lookups import Portfolio
from mappings.model import build_record
from resources import monday
from sync.store import StateStore

THIS_WEEK = monday(date.today())
NEXT_WEEK = THIS_WEEK + timedelta(weeks=1)


def _record(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    record = build_record(entity, values, source="test").model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


@pytest.fixture
def portfolio(tmp_path, monkeypatch) -> Portfolio:
    path = tmp_path / "state.db"
    people = [
        _record("resource", {"key": "alice@example.com", "capacity_hours": 40}),
        _record("resource", {"key": "bob@example.com", "capacity_hours": 20}),
    ]
    week_end = THIS_WEEK + timedelta(days=4)
    work = [
        # alice: 16 h over this week and next (10 working days): 8 h a week
        _record("work_item", {"key": "ALPHA-1", "project": "ALPHA", "summary": "a",
                              "assignee": "alice@example.com", "remaining_estimate": 16,
                              "start_date": THIS_WEEK, "due_date": NEXT_WEEK + timedelta(days=4)}),
        # bob (half time, 20 h): 30 h this week: 150 %
        _record("work_item", {"key": "BETA-1", "project": "BETA", "summary": "b",
                              "assignee": "bob@example.com", "remaining_estimate": 30,
                              "start_date": THIS_WEEK, "due_date": week_end}),
        # done work is no demand
        _record("work_item", {"key": "BETA-2", "project": "BETA", "summary": "c",
                              "assignee": "bob@example.com", "remaining_estimate": 99,
                              "status": "done", "start_date": THIS_WEEK, "due_date": week_end}),
    ]  # fmt: skip
    with StateStore(path) as store, store.transaction():
        store.save_items("plan", "resource", people)
        store.save_items("p", "work_item", work)
    found = Portfolio(path)
    monkeypatch.setattr(f, "PORTFOLIO", found)
    return found


def test_capacity_demand_and_utilisation_by_hand(portfolio):
    assert f.PMO_CAPACITY("alice@example.com", THIS_WEEK) == pytest.approx(40)
    assert f.PMO_CAPACITY("Bob@Example.com ", THIS_WEEK) == pytest.approx(20)
    assert f.PMO_DEMAND("alice@example.com", THIS_WEEK) == pytest.approx(8)
    assert f.PMO_DEMAND("alice@example.com", NEXT_WEEK, "ALPHA") == pytest.approx(8)
    assert f.PMO_DEMAND("alice@example.com", NEXT_WEEK, "BETA") == 0
    assert f.PMO_UTILISATION("alice@example.com", THIS_WEEK) == pytest.approx(0.2)
    assert f.PMO_UTILISATION("bob@example.com", THIS_WEEK) == pytest.approx(1.5)
    table = f.PMO_OVERALLOCATED(THIS_WEEK)
    assert table[0] == ["person", "utilisation"]
    assert [row[0] for row in table[1:]] == ["bob@example.com"]
    assert f.PMO_OVERALLOCATED(NEXT_WEEK) == [["person", "utilisation"]]


def test_unknown_people_and_weeks_are_clear_errors(portfolio):
    assert f.PMO_CAPACITY("nobody@example.com", THIS_WEEK).startswith("#N/A")
    assert f.PMO_DEMAND("alice@example.com", THIS_WEEK - timedelta(weeks=2)).startswith("#N/A")
    assert f.PMO_UTILISATION("", THIS_WEEK).startswith("#VALUE!")


def test_answers_are_remembered_per_snapshot_and_tables_are_new_lists(portfolio, tmp_path):
    table = f.PMO_OVERALLOCATED(THIS_WEEK)
    table[1][0] = "altered"
    table.append(["junk"])
    assert f.PMO_OVERALLOCATED(THIS_WEEK) == [["person", "utilisation"], ["bob@example.com", 1.5]]
    assert f.PMO_UTILISATION("bob@example.com", THIS_WEEK) == pytest.approx(1.5)
    for _ in range(2):  # errors are remembered too, and come out the same
        assert f.PMO_CAPACITY("nobody@example.com", THIS_WEEK) == (
            "#N/A 'nobody@example.com' is neither in the resource plan nor assigned work"
        )
    # bob's 30 h item is moved to next week: the new snapshot answers anew
    sync_id = portfolio.snapshot().by_key["BETA-1"]["sync_id"]
    moved = _record("work_item", {"sync_id": sync_id, "key": "BETA-1", "project": "BETA",
                                  "summary": "b", "assignee": "bob@example.com",
                                  "remaining_estimate": 30, "start_date": NEXT_WEEK,
                                  "due_date": NEXT_WEEK})  # fmt: skip
    with StateStore(portfolio.path) as store, store.transaction():
        store.save_items("p", "work_item", [moved])
    assert f.PMO_OVERALLOCATED(THIS_WEEK) == [["person", "utilisation"]]
    assert f.PMO_DEMAND("bob@example.com", NEXT_WEEK, "beta") == pytest.approx(30)


def test_the_config_is_looked_at_no_more_often_than_the_store(tmp_path, monkeypatch):
    config = tmp_path / "pmo-sync.toml"
    monkeypatch.setenv("PMO_SYNC_CONFIG", str(config))
    now = [0.0]
    found = Portfolio(tmp_path / "state.db", max_staleness=0.5, clock=lambda: now[0])
    assert found.config() is None
    config.write_text(
        '[jira]\nurl = "http://127.0.0.1:9"\n\n[sync]\nhours_per_point = 6\n\n[[pair]]\n'
        'name = "a"\nworkbook = "a.xlsx"\nprojects = ["ALPHA"]\n'
    )
    assert found.config() is None  # within the interval
    now[0] = 0.5
    assert found.config().sync.hours_per_point == 6
