"""Worklogs and time tracking, through the real ``jira`` client and raw HTTP, both modes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from jira import JIRAError

from sandbox.testing import call, make_jira

STORY = "ALPHA-17"  # a Story, In Progress, with no estimate and no work logged in the seed


def _tt(server: Any, key: str) -> dict[str, Any]:
    r = call(server, "GET", f"issue/{key}", api="2", params={"fields": "timetracking"})
    assert r.status_code == 200, r.text
    return r.json()["fields"]["timetracking"]


def _estimate(server: Any, key: str, original: str, remaining: str | None = None) -> None:
    tt = {"originalEstimate": original}
    if remaining is not None:
        tt["remainingEstimate"] = remaining
    r = call(server, "PUT", f"issue/{key}", json={"fields": {"timetracking": tt}})
    assert r.status_code == 204, r.text


def _keys(server: Any, jql: str) -> list[str]:
    path = "search/jql" if server.mode == "cloud" else "search"
    r = call(server, "GET", path, params={"jql": jql, "fields": "key", "maxResults": 100})
    assert r.status_code == 200, r.text
    return sorted(i["key"] for i in r.json()["issues"])


def _changes(server: Any, key: str) -> list[dict[str, Any]]:
    values = call(server, "GET", f"issue/{key}/changelog").json()["values"]
    return values[-1]["items"]


def test_estimates_set_by_put_show_in_every_time_field(sandbox_any: Any) -> None:
    assert _tt(sandbox_any, STORY) == {}
    _estimate(sandbox_any, STORY, "1w 2d")
    # With no work logged, the remaining estimate follows the original one.
    assert _tt(sandbox_any, STORY) == {
        "originalEstimate": "1w 2d",
        "originalEstimateSeconds": 7 * 8 * 3600,
        "remainingEstimate": "1w 2d",
        "remainingEstimateSeconds": 7 * 8 * 3600,
    }
    _estimate(sandbox_any, STORY, "3d", "1d 4h")
    fields = "timeoriginalestimate,timeestimate,timespent,aggregatetimeoriginalestimate"
    got = call(sandbox_any, "GET", f"issue/{STORY}", params={"fields": fields}).json()["fields"]
    assert got == {
        "timeoriginalestimate": 3 * 8 * 3600,
        "timeestimate": 12 * 3600,
        "timespent": None,
        "aggregatetimeoriginalestimate": 3 * 8 * 3600,
    }
    [item] = [i for i in _changes(sandbox_any, STORY) if i["field"] == "timeoriginalestimate"]
    assert (item["from"], item["to"]) == (str(7 * 8 * 3600), str(3 * 8 * 3600))
    r = call(sandbox_any, "PUT", f"issue/{STORY}", json={"fields": {"timetracking": None}})
    assert r.status_code == 204 and _tt(sandbox_any, STORY) == {}


def test_a_new_issue_takes_its_estimate_from_create(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    issue = jira.create_issue(
        project="BETA",
        issuetype={"name": "Task"},
        summary="estimated",
        timetracking={"originalEstimate": "4h"},
    )
    tt = jira.issue(issue.key).fields.timetracking
    assert (tt.originalEstimate, tt.remainingEstimate, tt.remainingEstimateSeconds) == (
        "4h",
        "4h",
        14400,
    )


@pytest.mark.parametrize(
    ("value", "error_key"),
    [
        ({"originalEstimate": "soon"}, "timetracking_originalestimate"),
        ({"remainingEstimate": "3x"}, "timetracking_remainingestimate"),
        ("2d", "timetracking"),
    ],
)
def test_invalid_estimates_answer_400(sandbox_any: Any, value: Any, error_key: str) -> None:
    r = call(sandbox_any, "PUT", f"issue/{STORY}", json={"fields": {"timetracking": value}})
    assert r.status_code == 400 and error_key in r.json()["errors"], r.text
    assert _tt(sandbox_any, STORY) == {}


def test_logging_work_moves_time_spent_and_the_remaining_estimate(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    _estimate(sandbox_any, STORY, "1w")
    before = jira.issue(STORY).fields.updated
    started = datetime.datetime(2026, 1, 5, 9, 0)
    w1 = jira.add_worklog(STORY, timeSpent="1d 2h", started=started, comment="kick-off")
    assert (w1.timeSpent, w1.timeSpentSeconds) == ("1d 2h", 10 * 3600)
    assert w1.started == "2026-01-05T09:00:00.000+0000"
    assert w1.comment == "kick-off"  # v2: plain wiki text
    assert w1.issueId == jira.issue(STORY).id
    tt = _tt(sandbox_any, STORY)
    assert tt["timeSpent"] == "1d 2h" and tt["remainingEstimate"] == "3d 6h"
    assert jira.issue(STORY).fields.updated > before
    # The client sends timeSpentSeconds as a string; Jira reads it as a number.
    jira.add_worklog(STORY, timeSpentSeconds="1800")
    assert _tt(sandbox_any, STORY)["timeSpentSeconds"] == 10 * 3600 + 1800
    items = {i["field"]: i for i in _changes(sandbox_any, STORY)}
    assert set(items) == {"timespent", "timeestimate", "WorklogId"}
    assert (items["timespent"]["from"], items["timespent"]["to"]) == ("36000", "37800")
    assert items["WorklogId"]["from"] is None and items["WorklogId"]["to"]
    assert [w.id for w in jira.worklogs(STORY)] == [w1.id, items["WorklogId"]["to"]]
    assert jira.worklog(STORY, w1.id).timeSpentSeconds == 36000


@pytest.mark.parametrize(
    ("params", "remaining"),
    [
        ({}, "1d 4h"),
        ({"adjustEstimate": "auto"}, "1d 4h"),
        ({"adjustEstimate": "leave"}, "2d"),
        ({"adjustEstimate": "new", "newEstimate": "5h"}, "5h"),
        ({"adjustEstimate": "manual", "reduceBy": "1d"}, "1d"),
    ],
)
def test_adjust_estimate_rules(sandbox_any: Any, params: dict[str, str], remaining: str) -> None:
    _estimate(sandbox_any, STORY, "2d")
    r = call(sandbox_any, "POST", f"issue/{STORY}/worklog", json={"timeSpent": "4h"}, params=params)
    assert r.status_code == 201, r.text
    assert _tt(sandbox_any, STORY)["remainingEstimate"] == remaining


def test_the_remaining_estimate_never_goes_below_zero(sandbox_any: Any) -> None:
    _estimate(sandbox_any, STORY, "1h")
    make_jira(sandbox_any).add_worklog(STORY, timeSpent="3h")
    tt = _tt(sandbox_any, STORY)
    assert (tt["remainingEstimate"], tt["remainingEstimateSeconds"]) == ("0m", 0)


def test_editing_and_deleting_a_worklog(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    _estimate(sandbox_any, STORY, "2d")
    w = jira.add_worklog(STORY, timeSpent="2h")
    w.update(timeSpent="5h", comment="took longer")
    again = jira.worklog(STORY, w.id)
    assert (again.timeSpent, again.comment) == ("5h", "took longer")
    assert _tt(sandbox_any, STORY)["remainingEstimate"] == "1d 3h"
    jira.worklog(STORY, w.id).delete(adjustEstimate="manual", increaseBy="1h")
    tt = _tt(sandbox_any, STORY)
    assert "timeSpent" not in tt and tt["remainingEstimate"] == "1d 4h"
    assert jira.worklogs(STORY) == []
    items = {i["field"]: i for i in _changes(sandbox_any, STORY)}
    assert items["WorklogId"]["from"] == w.id and items["WorklogId"]["to"] is None
    with pytest.raises(JIRAError) as err:
        jira.worklog(STORY, w.id)
    assert err.value.status_code == 404


def test_deleting_with_auto_gives_the_time_back(sandbox_any: Any) -> None:
    _estimate(sandbox_any, STORY, "1d")
    w = make_jira(sandbox_any).add_worklog(STORY, timeSpent="3h")
    assert _tt(sandbox_any, STORY)["remainingEstimate"] == "5h"
    r = call(sandbox_any, "DELETE", f"issue/{STORY}/worklog/{w.id}")
    assert r.status_code == 204 and not r.content
    assert _tt(sandbox_any, STORY)["remainingEstimate"] == "1d"


def test_the_worklog_list_pages_and_filters_by_start(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    early = jira.add_worklog(STORY, timeSpent="1h", started=datetime.datetime(2026, 1, 5, 9))
    late = jira.add_worklog(STORY, timeSpent="2h", started=datetime.datetime(2026, 2, 5, 9))
    cut = int(datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC).timestamp() * 1000)
    r = call(sandbox_any, "GET", f"issue/{STORY}/worklog", params={"startedAfter": cut})
    page = r.json()
    assert [w["id"] for w in page["worklogs"]] == [late.id] and page["total"] == 1
    r = call(sandbox_any, "GET", f"issue/{STORY}/worklog", params={"startedBefore": cut})
    assert [w["id"] for w in r.json()["worklogs"]] == [early.id]
    r = call(sandbox_any, "GET", f"issue/{STORY}/worklog", params={"startAt": 1, "maxResults": 1})
    page = r.json()
    assert (page["startAt"], page["total"], [w["id"] for w in page["worklogs"]]) == (
        1,
        2,
        [late.id],
    )
    embedded = jira.issue(STORY, fields="worklog").fields.worklog
    assert embedded.total == 2 and [w.id for w in embedded.worklogs] == [early.id, late.id]


def test_v3_worklog_comments_are_adf(sandbox_any: Any) -> None:
    adf = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "paired"}]}],
    }
    r = call(
        sandbox_any, "POST", f"issue/{STORY}/worklog", json={"timeSpent": "1h", "comment": adf}
    )
    assert r.status_code == 201 and r.json()["comment"] == adf
    v2 = call(sandbox_any, "GET", f"issue/{STORY}/worklog/{r.json()['id']}", api="2").json()
    assert v2["comment"] == "paired"


@pytest.mark.parametrize(
    ("body", "params", "error_key"),
    [
        ({}, {}, "timeLogged"),
        ({"timeSpent": "abc"}, {}, "timeLogged"),
        ({"timeSpentSeconds": 0}, {}, "timeLogged"),
        ({"timeSpent": "1h"}, {"adjustEstimate": "new"}, "newEstimate"),
        ({"timeSpent": "1h"}, {"adjustEstimate": "manual"}, "reduceBy"),
        ({"timeSpent": "1h"}, {"adjustEstimate": "sideways"}, "adjustEstimate"),
        ({"timeSpent": "1h", "started": "yesterday"}, {}, "started"),
    ],
)
def test_invalid_worklogs_answer_400_and_log_nothing(
    sandbox_any: Any, body: dict[str, Any], params: dict[str, str], error_key: str
) -> None:
    r = call(sandbox_any, "POST", f"issue/{STORY}/worklog", json=body, params=params)
    assert r.status_code == 400 and error_key in r.json()["errors"], r.text
    assert call(sandbox_any, "GET", f"issue/{STORY}/worklog").json()["total"] == 0


def test_unknown_issue_or_worklog_is_404(sandbox_any: Any) -> None:
    r = call(sandbox_any, "POST", "issue/ALPHA-999/worklog", json={"timeSpent": "1h"})
    assert r.status_code == 404
    for method in ("GET", "PUT", "DELETE"):
        r = call(sandbox_any, method, f"issue/{STORY}/worklog/99999", json={"timeSpent": "1h"})
        assert r.status_code == 404 and r.json()["errorMessages"], (method, r.text)


def test_jql_on_time_tracking_fields(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    _estimate(sandbox_any, "ALPHA-17", "2d")
    _estimate(sandbox_any, "ALPHA-18", "4h")
    jira.add_worklog("ALPHA-17", timeSpent="3h")
    jira.add_worklog("ALPHA-15", timeSpent="30m")
    scope = "project = ALPHA AND "
    assert _keys(sandbox_any, scope + "timespent > 1h") == ["ALPHA-17"]
    assert _keys(sandbox_any, scope + "timeSpent = 30") == ["ALPHA-15"]  # minutes
    assert _keys(sandbox_any, scope + "timespent is not EMPTY") == ["ALPHA-15", "ALPHA-17"]
    assert _keys(sandbox_any, scope + "originalEstimate >= 1d") == ["ALPHA-17"]
    assert _keys(sandbox_any, scope + "timeoriginalestimate = 4h") == ["ALPHA-18"]
    # Work logged on an issue without an estimate leaves 0m remaining, as in Jira.
    assert _keys(sandbox_any, scope + 'remainingEstimate <= "1d 5h"') == [
        "ALPHA-15",
        "ALPHA-17",
        "ALPHA-18",
    ]
    assert _keys(sandbox_any, scope + "remainingEstimate > 4h") == ["ALPHA-17"]
    path = "search/jql" if sandbox_any.mode == "cloud" else "search"
    r = call(sandbox_any, "GET", path, params={"jql": "project = ALPHA ORDER BY timespent DESC"})
    assert r.status_code == 200
    r = call(sandbox_any, "GET", path, params={"jql": "timespent > soon"})
    assert r.status_code == 400 and "soon" in r.json()["errorMessages"][0]


def test_search_returns_time_tracking_fields(sandbox_any: Any) -> None:
    _estimate(sandbox_any, STORY, "1d")
    make_jira(sandbox_any).add_worklog(STORY, timeSpent="2h")
    path = "search/jql" if sandbox_any.mode == "cloud" else "search"
    params = {"jql": f"key = {STORY}", "fields": "timetracking,timespent,aggregatetimespent"}
    [issue] = call(sandbox_any, "GET", path, params=params).json()["issues"]
    assert issue["fields"]["timespent"] == 7200
    assert issue["fields"]["aggregatetimespent"] == 7200
    assert issue["fields"]["timetracking"]["remainingEstimate"] == "6h"


def test_time_tracking_fields_are_published(sandbox_any: Any) -> None:
    fields = {f["id"]: f for f in call(sandbox_any, "GET", "field").json()}
    assert fields["timeoriginalestimate"]["clauseNames"] == [
        "originalEstimate",
        "timeoriginalestimate",
    ]
    assert fields["timespent"]["schema"]["type"] == "number"
    assert fields["timetracking"]["schema"]["type"] == "timetracking"
    editmeta = call(sandbox_any, "GET", f"issue/{STORY}/editmeta").json()["fields"]
    assert "timetracking" in editmeta
