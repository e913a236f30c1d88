"""Portfolio lookups against a state store filled by a real sync of the sandbox."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from excel_addin.lookups import Portfolio
from excel_addin.metrics import MetricError


@pytest.fixture(scope="module")
def portfolio(synced):
    return Portfolio(synced.store)


def test_open_risks_and_exposure_match_the_sandbox(portfolio, synced, sandbox_issues):
    for project in ("ALPHA", "BETA"):
        risks = sandbox_issues(synced.server, project, "Risk")
        open_ = [r for r in risks if r["status_name"] != "Closed"]
        assert portfolio.open_risks(project) == len(open_)
        levels = {"Very Low": 1, "Low": 2, "Medium": 3, "High": 4, "Very High": 5}
        scores = [
            levels[r["Probability"]] * levels[r["Impact"]]
            for r in open_
            if r.get("Probability") and r.get("Impact")
        ]
        assert portfolio.exposure(project) == sum(scores)
        assert portfolio.open_risks(project, "Critical") == sum(s >= 16 for s in scores)
        assert portfolio.open_risks(project, "high") == sum(s >= 10 for s in scores)
    assert portfolio.open_risks("*") == portfolio.open_risks("ALPHA") + portfolio.open_risks("BETA")


def test_change_requests(portfolio, synced, sandbox_issues):
    changes = sandbox_issues(synced.server, "ALPHA", "Change Request")
    assert portfolio.changes("ALPHA") == len(changes)
    approved = [c for c in changes if c["status_name"] in ("Approved", "Implemented")]
    assert portfolio.changes("ALPHA", "Approved") == len(approved)
    assert portfolio.change_impact("ALPHA", "cost") == sum(
        c.get("Cost Impact") or 0 for c in approved
    )
    assert portfolio.change_impact("ALPHA", "schedule", "*") == sum(
        c.get("Schedule Impact (days)") or 0 for c in changes
    )


def test_progress_overdue_status_field_and_items(portfolio, synced, sandbox_issues):
    work = [
        w
        for kind in ("Epic", "Story", "Task")
        for w in sandbox_issues(synced.server, "ALPHA", kind)
    ]
    done = [w for w in work if w["status_name"] == "Done"]
    if all(w.get("Story Points") for w in work):
        expected = sum(w["Story Points"] for w in done) / sum(w["Story Points"] for w in work)
    else:
        expected = len(done) / len(work)
    assert portfolio.progress("ALPHA") == pytest.approx(expected)
    assert portfolio.progress("ALPHA", "count") == pytest.approx(len(done) / len(work))
    far_future = date(2100, 1, 1)
    assert (
        portfolio.overdue("ALPHA", far_future) >= portfolio.overdue("ALPHA", date(2000, 1, 1)) == 0
    )
    risk = sandbox_issues(synced.server, "ALPHA", "Risk")[0]
    assert portfolio.status(risk["key"]) == risk["status_name"]
    assert portfolio.field(risk["key"], "summary") == risk["Summary"]
    table = portfolio.items("risk", "ALPHA", "status=open", "key, summary, level")
    assert table[0] == ["key", "summary", "level"]
    opened = [
        r for r in sandbox_issues(synced.server, "ALPHA", "Risk") if r["status_name"] == "Open"
    ]
    assert sorted(row[0] for row in table[1:]) == sorted(r["key"] for r in opened)
    assert isinstance(portfolio.last_sync(), datetime)


def test_health_uses_the_projects_sheet_figures_risks_and_overdue_items(portfolio, project_budgets):
    from excel_addin.metrics import rag

    today = date.today()
    for key, budget in project_budgets.items():
        spi, cpi = budget["ev"] / budget["pv"], budget["ev"] / budget["ac"]
        critical = portfolio.open_risks(key, "critical")
        expected = rag(spi, cpi, critical, portfolio.overdue(key, today))
        assert portfolio.health(key, today) == expected
        # The Projects sheet's own figures are lookups like any synced field.
        assert portfolio.field(key, "ev") == budget["ev"]
        assert portfolio.field(key, "manager") == budget["manager"]
    # ALPHA is behind schedule and over budget: never Green; BETA's figures are healthy.
    assert portfolio.health("ALPHA") != "Green"
    with pytest.raises(MetricError, match="per project"):
        portfolio.health("*")
    with pytest.raises(MetricError, match="no project"):
        portfolio.health("NOPE")
    table = portfolio.items("project", None, None, "key, name, bac")
    assert table[1:] == [[k, b["name"], b["bac"]] for k, b in sorted(project_budgets.items())]
    # Without fields, a project table shows the budget columns, not an issue's.
    table = portfolio.items("project")
    assert table[0] == ["key", "name", "manager", "bac", "pv", "ev", "ac"]
    assert table[1][:3] == ["ALPHA", "Alpha rollout", "Priya Shah"]


def test_utilization_spreads_estimates_over_working_days(portfolio):
    snapshot = portfolio.snapshot()
    assigned = [
        i
        for i in snapshot.items
        if i["_entity"] == "work_item"
        and i.get("assignee")
        and i.get("estimate")
        and i.get("status") != "done"
        and (i.get("start_date") or i.get("due_date"))
    ]
    if not assigned:
        pytest.skip("the demo seed has no open, estimated, dated work item")
    item = assigned[0]
    start = item.get("start_date") or item["due_date"]
    end = item.get("due_date") or start
    value = portfolio.utilization(item["assignee"], start, end, 8)
    assert value > 0
    assert portfolio.utilization("nobody at all", start, end) == 0


def test_unknown_project_key_and_bad_arguments_are_clear(portfolio):
    for call, code, text in (
        (lambda: portfolio.open_risks("NOPE"), "#N/A", "no project 'NOPE'"),
        (lambda: portfolio.status("ALPHA-99999"), "#N/A", "no issue"),
        (lambda: portfolio.field("ALPHA-1", "colour"), "#N/A", "no field"),
        (lambda: portfolio.open_risks("ALPHA", "Huge"), "#VALUE!", "not Low"),
        (lambda: portfolio.change_impact("ALPHA", "scope"), "#VALUE!", "cost' or 'schedule"),
        (lambda: portfolio.items("risk", "ALPHA", "status"), "#VALUE!", "field=value"),
        (lambda: portfolio.utilization("x", date(2026, 2, 1), date(2026, 1, 1)), "#NUM!", "before"),
    ):
        with pytest.raises(MetricError) as caught:
            call()
        assert caught.value.code == code and text in str(caught.value)


def test_a_missing_store_says_to_sync_first(tmp_path):
    with pytest.raises(MetricError, match="run `pmo-sync sync` first"):
        Portfolio(tmp_path / "none.db").open_risks("ALPHA")


def test_the_snapshot_is_reloaded_only_when_the_store_changes(synced, tmp_path):
    import shutil

    copy = tmp_path / "state.db"
    shutil.copy2(synced.store, copy)
    portfolio = Portfolio(copy)
    first = portfolio.snapshot()
    assert portfolio.snapshot() is first
    from sync.store import StateStore

    with StateStore(copy) as store, store.transaction():
        store.save_items(
            "extra",
            "risk",
            [
                {
                    "sync_id": "x",
                    "key": "ZED-1",
                    "project": "ZED",
                    "status": "open",
                    "level": "low",
                    "score": 2,
                }
            ],
        )
    assert portfolio.snapshot() is not first
    assert portfolio.open_risks("ZED") == 1
