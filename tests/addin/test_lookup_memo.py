"""The lookups' per-snapshot indexes and memo, and the store looked at no more often than
``max_staleness`` (a fake monotonic clock: no sleeping, no timing asserts)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from excel_addin import functions as f
from excel_addin.lookups import Portfolio
from excel_addin.metrics import MetricError
from excel_addin.snapshot import ADDIN_MAX_STALENESS
from mappings.model import build_record
from sync.store import StateStore


def _record(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """A stored record; its sync id follows from its key (saved again: updated)."""
    sync_id = str(uuid.uuid5(uuid.NAMESPACE_URL, values["key"]))
    record = build_record(entity, {"sync_id": sync_id, **values}, source="test").model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


def _risk(key: str, probability: int = 4, impact: int = 5, **values: Any) -> dict[str, Any]:
    project = key.split("-")[0]
    return _record(
        "risk",
        {"key": key, "project": project, "summary": f"risk {key}", "probability": probability,
         "impact": impact, **values},
    )  # fmt: skip


def _change(key: str, status: str, cost: float) -> dict[str, Any]:
    project = key.split("-")[0]
    return _record(
        "change_request",
        {"key": key, "project": project, "summary": f"change {key}", "status": status,
         "cost_impact": cost},
    )  # fmt: skip


def _work(key: str, status: str, estimate: int) -> dict[str, Any]:
    project = key.split("-")[0]
    return _record(
        "work_item",
        {"key": key, "project": project, "summary": f"work {key}", "status": status,
         "estimate": estimate},
    )  # fmt: skip


RISKS = [
    _risk("ALPHA-1", 4, 5),  # 20, critical
    _risk("ALPHA-2", 2, 2),  # 4, low
    _risk("ALPHA-3", 5, 5, status="closed"),
    _risk("BETA-1", 3, 4),  # 12, high
]
CHANGES = [
    _change("ALPHA-10", "approved", 1000),
    _change("ALPHA-11", "rejected", 500),
    _change("BETA-10", "approved", 250),
]
WORK = [_work("ALPHA-20", "done", 3), _work("ALPHA-21", "todo", 5), _work("BETA-20", "todo", 2)]


def _save(path: Path, entity: str, records: list[dict[str, Any]]) -> None:
    with StateStore(path) as store, store.transaction():
        store.save_items("test", entity, records)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    _save(path, "risk", RISKS)
    _save(path, "change_request", CHANGES)
    _save(path, "work_item", WORK)
    return path


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.now


def test_a_store_change_is_seen_on_the_first_call_after_the_interval(store, monkeypatch):
    clock = FakeClock()
    portfolio = Portfolio(store, max_staleness=0.5, clock=clock)
    monkeypatch.setattr(f, "PORTFOLIO", portfolio)
    assert f.PMO_OPEN_RISKS("ALPHA") == 2 and f.PMO_EXPOSURE("ALPHA") == 24
    first = portfolio.snapshot()
    _save(store, "risk", [*RISKS, _risk("ALPHA-4", 3, 3)])  # a sync adds a risk
    clock.now += 0.1  # within the interval: the burst goes on with the snapshot it has
    assert f.PMO_OPEN_RISKS("ALPHA") == 2 and portfolio.snapshot() is first
    clock.now += 0.4  # 0.5 s after the look: this call looks, and sees the new risk
    assert f.PMO_OPEN_RISKS("ALPHA") == 3 and f.PMO_EXPOSURE("ALPHA") == 33
    assert portfolio.snapshot() is not first
    assert f.PMO_STATUS("ALPHA-4") == "Open"


def test_within_the_interval_the_store_is_not_looked_at(store, monkeypatch):
    clock = FakeClock()
    portfolio = Portfolio(store, max_staleness=0.5, clock=clock)
    portfolio.open_risks("ALPHA")
    looks = []
    monkeypatch.setattr("excel_addin.snapshot._signature", lambda path: looks.append(path))
    for _ in range(1000):
        assert portfolio.open_risks("ALPHA") == 2
        assert portfolio.field("ALPHA-1", "score") == 20
    assert looks == []


def test_expire_looks_at_once_and_the_refresh_button_expires(store, monkeypatch):
    clock = FakeClock()
    portfolio = Portfolio(store, max_staleness=60, clock=clock)
    assert portfolio.changes("ALPHA") == 2
    _save(store, "change_request", [*CHANGES, _change("ALPHA-12", "approved", 1)])
    assert portfolio.changes("ALPHA") == 2  # no look yet
    portfolio.expire()
    assert portfolio.changes("ALPHA") == 3  # same clock time, but expired
    monkeypatch.setattr(f, "PORTFOLIO", portfolio)
    assert f.PMO_CHANGES("ALPHA", "approved") == 2

    def sync_now(path: Path) -> str:  # the Refresh button's cycle writes the store
        _save(store, "change_request", [_change("ALPHA-12", "rejected", 1)])
        return "pmo-sync: 1 jira write"

    monkeypatch.setattr("sync.refresh.refresh_open_workbook", sync_now)
    assert f.refresh_message(store.parent / "raid.xlsx") == "pmo-sync: 1 jira write"
    assert f.PMO_CHANGES("ALPHA", "approved") == 1  # at once, though 60 s have not passed


def test_the_default_looks_on_every_call(store):
    portfolio = Portfolio(store)  # max_staleness 0, as the report and scripts use it
    assert portfolio.max_staleness == 0 and portfolio.open_risks("BETA") == 1
    _save(store, "risk", [*RISKS, _risk("BETA-2", 1, 1)])
    assert portfolio.open_risks("BETA") == 2


def test_the_addin_portfolio_uses_the_documented_interval():
    assert f.PORTFOLIO.max_staleness == ADDIN_MAX_STALENESS == 0.5
    assert f.PORTFOLIO.path is None  # from PMO_SYNC_STATE_STORE / the config


def test_the_store_path_from_the_environment_is_looked_up_with_the_store(
    store, tmp_path, monkeypatch
):
    other = tmp_path / "other.db"
    _save(other, "risk", [_risk("GAMMA-1", 1, 2)])
    clock = FakeClock()
    monkeypatch.setenv("PMO_SYNC_STATE_STORE", str(store))
    portfolio = Portfolio(max_staleness=0.5, clock=clock)
    assert portfolio.open_risks("*") == 3
    monkeypatch.setenv("PMO_SYNC_STATE_STORE", str(other))
    assert portfolio.open_risks("*") == 3  # within the interval
    clock.now += 0.5
    assert portfolio.open_risks("*") == 1
    assert portfolio.snapshot().path == other


def test_remembered_answers_equal_fresh_ones_errors_included(store):
    portfolio = Portfolio(store)
    calls = [
        ("open_risks", (project, level))
        for project in ("ALPHA", "alpha ", "BETA", "*", "", None, "NOPE")
        for level in (None, "", "Low", "medium", "High", "Critical", "Huge")
    ]
    calls += [("exposure", (p,)) for p in ("ALPHA", "BETA", "*", "NOPE")]
    calls += [
        ("changes", (p, d))
        for p in ("ALPHA", "BETA", "*", "NOPE")
        for d in (None, "Approved", "rejected", "pending", "maybe")
    ]
    calls += [("change_impact", ("ALPHA", k, d)) for k in ("cost", "schedule", "scope")
              for d in ("approved", "*", "rejected")]  # fmt: skip
    calls += [("progress", (p, b)) for p in ("ALPHA", "BETA", "NOPE") for b in (None, "count",
              "estimate", "weight")]  # fmt: skip
    calls += [("status", (k,)) for k in ("ALPHA-1", "alpha-10", "ALPHA-20", "ALPHA-99", "", None)]
    calls += [("field", (k, n)) for k in ("ALPHA-1", "BETA-10", "ALPHA-99")
              for n in ("summary", "score", "Cost Impact", "colour", "_entity")]  # fmt: skip

    def fresh(name: str, args: tuple[Any, ...]) -> Any:
        try:
            return getattr(Portfolio, name).__wrapped__(portfolio, *args)
        except MetricError as exc:
            return exc.cell_text

    def remembered(name: str, args: tuple[Any, ...]) -> Any:
        try:
            return getattr(portfolio, name)(*args)
        except MetricError as exc:
            return exc.cell_text

    expected = [fresh(name, args) for name, args in calls]
    assert any(str(e).startswith("#") for e in expected)  # errors are part of the check
    for _ in range(3):  # first computed, then remembered
        assert [remembered(name, args) for name, args in calls] == expected
    assert portfolio.open_risks("ALPHA", "critical") == 1
    assert portfolio.changes("*", "approved") == 2
    assert portfolio.progress("ALPHA") == 3 / 8


def test_a_remembered_error_is_raised_afresh_each_time(store):
    portfolio = Portfolio(store)
    raised = []
    for _ in range(3):
        with pytest.raises(MetricError, match="no project 'NOPE'") as caught:
            portfolio.exposure("NOPE")
        raised.append(caught.value)
    assert raised[0] is not raised[1] and raised[1].code == "#N/A"
    assert ("exposure", ("NOPE",)) in portfolio.snapshot().memo


def test_equal_arguments_of_other_types_never_share_an_answer(store, monkeypatch):
    """1, 1.0 and True compare equal, but their messages (and str()) differ."""
    portfolio = Portfolio(store)
    texts = []
    for level in (1, True, 1.0, "1"):
        with pytest.raises(MetricError) as caught:
            portfolio.open_risks("ALPHA", level)
        texts.append(str(caught.value))
    assert texts == [
        f"level {v!r} is not Low, Medium, High or Critical" for v in (1, True, 1.0, "1")
    ]
    monkeypatch.setattr(f, "PORTFOLIO", portfolio)
    # Excel's whole-number floats still arrive as ints; ranges (lists) work as arguments.
    assert f.PMO_OPEN_RISKS("ALPHA", 1.0) == "#VALUE! level 1 is not Low, Medium, High or Critical"
    assert f.PMO_ITEMS("risk", "ALPHA", None, [["key", "score"]]) == [
        ["key", "score"], ["ALPHA-1", 20], ["ALPHA-2", 4], ["ALPHA-3", 25]
    ]  # fmt: skip


def test_tables_are_new_lists_on_every_call(store, monkeypatch):
    portfolio = Portfolio(store)
    monkeypatch.setattr(f, "PORTFOLIO", portfolio)
    table = f.PMO_ITEMS("risk", "ALPHA", "status=open", "key, score")
    assert table == [["key", "score"], ["ALPHA-1", 20], ["ALPHA-2", 4]]
    table[1][1] = "altered"
    table.append(["junk"])
    table[0].clear()
    assert f.PMO_ITEMS("risk", "ALPHA", "status=open", "key, score") == [
        ["key", "score"], ["ALPHA-1", 20], ["ALPHA-2", 4]
    ]  # fmt: skip
    assert f.PMO_ITEMS("risk", "alpha", "Status = Open", "key,score") == [
        ["key", "score"], ["ALPHA-1", 20], ["ALPHA-2", 4]
    ]  # fmt: skip
    assert f.PMO_ITEMS("sprint").startswith("#N/A no 'sprint' items synced (synced: ")


def test_the_snapshot_indexes_match_a_scan(store):
    snap = Portfolio(store).snapshot()
    for (project, entity), found in snap.by_project_entity.items():
        assert found == [
            i for i in snap.items if i["project"].upper() == project and i["_entity"] == entity
        ]
    assert sorted(snap.by_entity) == ["change_request", "risk", "work_item"]
    assert sum(map(len, snap.by_entity.values())) == len(snap.items) == 10
    assert snap.by_key["ALPHA-10"]["cost_impact"] == 1000
