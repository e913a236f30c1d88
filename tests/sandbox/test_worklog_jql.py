"""JQL ``worklogDate`` / ``worklogAuthor`` and rendered worklog comments, through the real
``jira`` client, both modes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from jira import JIRA, JIRAError

from sandbox.testing import call, make_jira

SCOPE = "project = ALPHA AND "
ALPHA_ISSUES = 18


def _at(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _keys(jira: JIRA, jql: str) -> list[str]:
    found = jira.search_issues(SCOPE + jql, fields="key", maxResults=100)
    return sorted((i.key for i in found), key=lambda k: int(k.split("-")[1]))


def _error(jira: JIRA, jql: str) -> str:
    with pytest.raises(JIRAError) as err:
        jira.search_issues(jql, fields="key")
    assert err.value.status_code == 400
    return str(err.value.text)


@pytest.fixture
def logged(sandbox_any: Any) -> JIRA:
    """Work logged by the API user on ALPHA-15 (twice), ALPHA-17 and ALPHA-18 (late UTC)."""
    jira = make_jira(sandbox_any)
    jira.add_worklog("ALPHA-15", timeSpent="1h", started=_at(2))
    jira.add_worklog("ALPHA-15", timeSpent="2h", started=_at(5, month=12))
    jira.add_worklog("ALPHA-17", timeSpent="3h", started=_at(30))
    jira.add_worklog("ALPHA-18", timeSpent="30m", started=_at(28, 23, 30))
    return jira


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("worklogDate = 2026-11-30", [17]),
        ('worklogDate = "2026/11/30"', [17]),
        ('worklogDate = "2026-11-30 17:45"', [17]),  # the day of that moment
        ("worklogDate >= 2026-11-30", [15, 17]),  # ALPHA-15 through its December worklog
        ("worklogDate > 2026-11-30", [15]),
        ("worklogDate < 2026-11-29", [15, 18]),
        ("worklogDate <= 2026-11-02", [15]),
        ("worklogDate > 2026-12-05", []),
        ("worklogDate in (2026-11-28, 2026-12-05)", [15, 18]),
        ("worklogDate in (EMPTY, 2026-11-30)", "17 and every issue without work"),
        ("worklogDate != 2026-11-30", [15, 18]),  # has worklogs, none on that day
        ("worklogDate not in (2026-11-28, 2026-12-05)", [17]),
        ("worklogDate is not EMPTY", [15, 17, 18]),
        ("worklogDate >= 2026-11-01 AND worklogDate < 2026-11-03", [15]),
    ],
)
def test_worklog_date_operators(logged: JIRA, jql: str, expected: Any) -> None:
    if isinstance(expected, str):
        got = _keys(logged, jql)
        assert "ALPHA-17" in got and "ALPHA-15" not in got and "ALPHA-18" not in got
        assert len(got) == ALPHA_ISSUES - 2
        return
    assert _keys(logged, jql) == [f"ALPHA-{n}" for n in expected]


def test_issues_without_work_are_empty_and_not_is_the_complement(logged: JIRA) -> None:
    empty = _keys(logged, "worklogDate is EMPTY")
    assert len(empty) == ALPHA_ISSUES - 3 and not {"ALPHA-15", "ALPHA-17", "ALPHA-18"} & set(empty)
    assert _keys(logged, "worklogDate = EMPTY") == empty
    not_on = _keys(logged, "NOT worklogDate = 2026-11-30")
    assert len(not_on) == ALPHA_ISSUES - 1 and "ALPHA-17" not in not_on


def test_worklog_date_is_the_day_in_the_users_time_zone(sandbox_any: Any, logged: JIRA) -> None:
    # ALPHA-18's work started 2026-11-28 23:30 UTC: the 29th in Auckland, still the 28th in
    # New York (18:30).
    sandbox_any.timezone = "Pacific/Auckland"
    assert _keys(logged, "worklogDate = 2026-11-29") == ["ALPHA-18"]
    assert _keys(logged, "worklogDate = 2026-11-28") == []
    sandbox_any.timezone = "America/New_York"
    assert _keys(logged, "worklogDate = 2026-11-28") == ["ALPHA-18"]
    assert _keys(logged, '"worklogdate" = "2026/11/28"') == ["ALPHA-18"]  # names ignore case


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.t = at.timestamp()

    def __call__(self) -> float:
        return self.t


def test_relative_dates_and_date_functions(sandbox_any: Any, logged: JIRA) -> None:
    sandbox_any.store.clock = _Clock(_at(2, 12, month=12))  # Wednesday 2 December, noon UTC
    assert _keys(logged, "worklogDate >= startOfWeek()") == ["ALPHA-15", "ALPHA-17"]  # Sun 29th
    assert _keys(logged, "worklogDate < startOfWeek()") == ["ALPHA-15", "ALPHA-18"]
    assert _keys(logged, "worklogDate >= -3d") == ["ALPHA-15", "ALPHA-17"]
    assert _keys(logged, "worklogDate >= -4d") == ["ALPHA-15", "ALPHA-17", "ALPHA-18"]
    assert _keys(logged, "worklogDate < startOfMonth()") == ["ALPHA-15", "ALPHA-17", "ALPHA-18"]
    assert _keys(logged, "worklogDate > endOfDay(-3)") == ["ALPHA-15", "ALPHA-17"]
    assert _keys(logged, "worklogDate = startOfDay(-2)") == ["ALPHA-17"]
    assert _keys(logged, "worklogDate <= now()") == ["ALPHA-15", "ALPHA-17", "ALPHA-18"]


def test_worklog_author(sandbox_any: Any, logged: JIRA) -> None:
    store = sandbox_any.store
    store.human_log_work("ALPHA-17", "1h", _at(30, 14), author="alice")
    store.human_log_work("ALPHA-3", "2h", _at(1, month=12), author="bob")
    alice = store.catalog.users["alice"]
    ident = alice.account_id if sandbox_any.mode == "cloud" else "alice"
    assert _keys(logged, f'worklogAuthor = "{ident}"') == ["ALPHA-17"]
    assert _keys(logged, 'worklogAuthor = "Alice Anders"') == ["ALPHA-17"]
    assert _keys(logged, "worklogAuthor = alice@example.com") == ["ALPHA-17"]
    mine = ["ALPHA-15", "ALPHA-17", "ALPHA-18"]
    assert _keys(logged, "worklogAuthor = currentUser()") == mine
    assert _keys(logged, "worklogAuthor in (bob, alice@example.com)") == ["ALPHA-3", "ALPHA-17"]
    # != and NOT IN: issues with work logged, none of it by those users.
    assert _keys(logged, "worklogAuthor != currentUser()") == ["ALPHA-3"]
    assert _keys(logged, "worklogAuthor not in (bob, alice)") == ["ALPHA-15", "ALPHA-18"]
    both = "worklogAuthor = alice AND worklogAuthor = currentUser()"
    assert _keys(logged, both) == ["ALPHA-17"]
    assert _keys(logged, "worklogAuthor = bob AND worklogDate = 2026-12-01") == ["ALPHA-3"]
    assert _keys(logged, "worklogAuthor = bob AND worklogDate = 2026-11-30") == []


def test_restricted_worklogs_do_not_match_for_users_who_cannot_see_them(
    sandbox_any: Any,
) -> None:
    jira = make_jira(sandbox_any)
    viewer = make_jira(sandbox_any, user="viewer")  # not a Developer
    secret = {"type": "role", "value": "Developers"}
    jira.add_worklog("ALPHA-17", timeSpent="1h", started=_at(30), visibility=secret)
    jira.add_worklog("ALPHA-18", timeSpent="1h", started=_at(30))
    jira.add_worklog("ALPHA-18", timeSpent="1h", started=_at(1, month=12), visibility=secret)
    assert _keys(jira, "worklogDate = 2026-11-30") == ["ALPHA-17", "ALPHA-18"]
    assert _keys(viewer, "worklogDate = 2026-11-30") == ["ALPHA-18"]
    assert _keys(jira, "worklogAuthor = currentUser()") == ["ALPHA-17", "ALPHA-18"]
    assert _keys(viewer, 'worklogAuthor = "PMO Bot"') == ["ALPHA-18"]
    assert _keys(viewer, "worklogDate = 2026-12-01") == []
    assert _keys(viewer, "worklogDate != 2026-11-30") == []  # ALPHA-18's other one is hidden
    assert "ALPHA-17" in _keys(viewer, "worklogDate is EMPTY")
    assert "ALPHA-17" not in _keys(jira, "worklogDate is EMPTY")
    # != counts only the worklogs the user sees: ALPHA-18's December one is hidden from the
    # viewer, ALPHA-17's only one too.
    assert _keys(jira, "worklogDate != 2026-12-01") == ["ALPHA-17"]
    assert _keys(viewer, "worklogDate != 2026-12-01") == ["ALPHA-18"]


@pytest.mark.parametrize(
    ("jql", "fragment"),
    [
        ("worklogDate = yesterday", "Date value 'yesterday' for field 'worklogDate' is invalid"),
        ("worklogDate ~ 2026-11-30", "The operator '~' is not supported by the 'worklogDate'"),
        ("worklogDate > EMPTY", "does not support the value 'EMPTY'"),
        ("worklogDate = currentUser()", "Unable to find JQL function 'currentUser()'"),
        ("worklogAuthor = nobody", "The value 'nobody' does not exist for the field"),
        ("worklogAuthor > alice", "The operator '>' is not supported by the 'worklogAuthor'"),
        ("worklogAuthor is EMPTY", "The operator 'IS' is not supported by the 'worklogAuthor'"),
        ("worklogAuthor = now()", "The function 'now' is not supported by the field"),
        ("project = ALPHA ORDER BY worklogDate", "Field 'worklogDate' does not support sorting"),
    ],
)
def test_invalid_worklog_clauses_answer_400(sandbox_any: Any, jql: str, fragment: str) -> None:
    assert fragment in _error(make_jira(sandbox_any), jql)


# -- renderedFields ----------------------------------------------------------------------
NOTE = "Paired with <b>ops</b> & *QA*"


def test_rendered_fields_render_worklog_comments_as_escaped_html(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    with_note = jira.add_worklog("ALPHA-17", timeSpent="1h", comment=NOTE)
    silent = jira.add_worklog("ALPHA-17", timeSpent="2h")
    issue = jira.issue("ALPHA-17", fields="worklog", expand="renderedFields")
    assert [w.comment for w in issue.fields.worklog.worklogs if w.id == with_note.id] == [NOTE]
    page = issue.raw["renderedFields"]["worklog"]
    assert page["total"] == 2 and [w["id"] for w in page["worklogs"]] == [
        with_note.id,
        silent.id,
    ]
    first, second = page["worklogs"]
    assert first["comment"] == "<p>Paired with &lt;b&gt;ops&lt;/b&gt; &amp; <b>QA</b></p>"
    assert "comment" not in second
    assert first["timeSpentSeconds"] == 3600 and first["author"]["displayName"] == "PMO Bot"
    # v3 renders the same HTML while fields.worklog keeps the ADF.
    r = call(
        sandbox_any,
        "GET",
        "issue/ALPHA-17",
        params={"fields": "worklog", "expand": "renderedFields"},
    )
    body = r.json()
    assert body["renderedFields"]["worklog"]["worklogs"][0]["comment"] == first["comment"]
    assert body["fields"]["worklog"]["worklogs"][0]["comment"]["type"] == "doc"


def test_rendered_worklogs_in_search_hide_restricted_ones(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.add_worklog("ALPHA-17", timeSpent="1h", comment="open")
    secret = {"type": "role", "value": "Developers"}
    jira.add_worklog("ALPHA-17", timeSpent="1h", comment="hidden", visibility=secret)
    viewer = make_jira(sandbox_any, user="viewer")
    for client, expected in ((jira, ["<p>open</p>", "<p>hidden</p>"]), (viewer, ["<p>open</p>"])):
        [found] = client.search_issues("key = ALPHA-17", fields="worklog", expand="renderedFields")
        page = found.raw["renderedFields"]["worklog"]
        assert [w["comment"] for w in page["worklogs"]] == expected
        assert page["total"] == len(expected)


def test_worklog_resources_expand_only_properties(sandbox_any: Any) -> None:
    # The spec documents expand=properties on the worklog resources, not renderedFields:
    # there the comment stays wiki markup (v2) or ADF (v3).
    w = make_jira(sandbox_any).add_worklog("ALPHA-17", timeSpent="1h", comment="*done*")
    path = f"issue/ALPHA-17/worklog/{w.id}"
    for api, plain in (("2", "*done*"), ("3", None)):
        got = call(sandbox_any, "GET", path, api=api, params={"expand": "renderedFields"}).json()
        assert "properties" not in got
        if plain is not None:
            assert got["comment"] == plain
        else:
            assert got["comment"]["type"] == "doc"
    listed = call(sandbox_any, "GET", "issue/ALPHA-17/worklog", params={"expand": "properties"})
    assert [x["properties"] for x in listed.json()["worklogs"]] == [[]]
    one = call(sandbox_any, "GET", path, params={"expand": "properties"}).json()
    assert one["properties"] == [] and one["id"] == w.id


def test_human_log_work_goes_through_the_worklog_write_path(sandbox_any: Any) -> None:
    store = sandbox_any.store
    rec = store.human_log_work("ALPHA-17", "1h 30m", _at(30, 8), author="Bob Brown", comment="*x*")
    jira = make_jira(sandbox_any)
    [w] = jira.worklogs("ALPHA-17")
    assert (w.id, w.author.displayName, w.timeSpentSeconds) == (rec["id"], "Bob Brown", 5400)
    assert w.started.startswith("2026-11-30T08:00:00.000")
    assert jira.issue("ALPHA-17").fields.timespent == 5400
    with pytest.raises(ValueError):
        store.human_log_work("ALPHA-17", "soon", _at(30))
    with pytest.raises(ValueError):
        store.human_log_work("ALPHA-17", "1h", datetime(2026, 11, 30, 9))  # naive
