"""JQL evaluated against the demo data through the search endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox import running_sandbox


def keys(api: Any, server: Any, jql: str, **params: Any) -> list[str]:
    body = {"jql": jql, "fields": ["summary"], "maxResults": 100, **params}
    r = api(server, "POST", "search/jql", json=body)
    assert r.status_code == 200, r.text
    return [i["key"] for i in r.json()["issues"]]


def error(api: Any, server: Any, jql: str) -> str:
    r = api(server, "GET", "search/jql", params={"jql": jql})
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"errorMessages", "errors"}
    return body["errorMessages"][0]


@pytest.mark.parametrize(
    ("jql", "count"),
    [
        ("project = ALPHA", 18),
        ("project in (ALPHA, BETA)", 36),
        ("project != ALPHA", 36),
        ("issuetype = Risk", 15),
        ('issuetype = "Change Request" AND project = BETA', 3),
        ("type in (Story, Epic) AND project = GAMMA", 4),
        ("issuetype = Risk AND status = Mitigating", 6),
        ("issuetype = Risk AND status not in (Open)", 9),
        ("statusCategory = Done", 9),
        ('statusCategory = "In Progress" AND project = ALPHA', 4),
        ('"Risk Category" = Technical', 3),
        ("cf[10010] = High AND project = ALPHA", 1),
        ('"Risk Category" in (Cost, Resource) AND issuetype = Risk', 6),
        ("Mitigation is EMPTY AND issuetype = Risk", 6),
        ("Mitigation is not EMPTY AND issuetype = Risk", 9),
        ("Mitigation ~ fallback", 3),
        ("text ~ fallback", 3),
        ("text ~ steering AND project = BETA", 1),
        ("summary ~ vendor AND project = ALPHA", 1),
        ("labels = wave-1", 9),
        ("labels in (risk) AND labels != wave-1", 6),
        ("labels is EMPTY AND project = ALPHA", 13),
        ("assignee = alice", 17),
        ("assignee = alice@example.com AND issuetype = Story", 2),
        ("assignee is EMPTY", 0),
        ("assignee = EMPTY", 0),
        ("duedate in (EMPTY) AND project = ALPHA", 14),
        ("duedate in (EMPTY, 2026-10-17) AND project = ALPHA", 15),
        ("project in (EMPTY)", 0),
        ('"Affected Areas" = Vendor', 9),
        ('"Story Points" >= 5', 6),
        ('"Percent Complete" < 50 AND project = BETA', 2),
        ('"Next Review Date" <= 2026-12-02', 3),
        ("duedate < 2026-11-01", 3),
        ("parent = ALPHA-15", 3),
        ("key in (ALPHA-1, BETA-2, GAMMA-3)", 3),
        ("key = ALPHA-1 OR key = ALPHA-2", 2),
        ("NOT project = ALPHA AND NOT project = BETA", 18),
        ("priority = Highest", 3),
        ("resolution = Unresolved AND project = ALPHA", 15),
        ("Stakeholders = dave AND project = GAMMA", 5),
        ("created >= 2026-10-05 AND created < 2026-10-06", 54),
        ("updated > -1w", 0),
        ("reporter = currentUser()", 0),
    ],
)
def test_query_counts(sandbox_cloud: Any, api: Any, jql: str, count: int) -> None:
    assert len(keys(api, sandbox_cloud, jql)) == count


def test_order_by(sandbox_cloud: Any, api: Any) -> None:
    got = keys(api, sandbox_cloud, "project = ALPHA AND issuetype = Risk ORDER BY key DESC")
    assert got == [f"ALPHA-{n}" for n in (5, 4, 3, 2, 1)]
    by_prob = keys(
        api, sandbox_cloud, "project = ALPHA AND issuetype = Risk ORDER BY Probability DESC, key"
    )
    assert by_prob[0] == "ALPHA-4"  # Very High
    by_updated = keys(api, sandbox_cloud, "project = BETA ORDER BY updated ASC")
    r = api(
        sandbox_cloud,
        "POST",
        "search/jql",
        json={"jql": "project = BETA ORDER BY updated ASC", "fields": ["updated"]},
    )
    stamps = [i["fields"]["updated"] for i in r.json()["issues"]]
    assert stamps == sorted(stamps) and len(by_updated) == 18


@pytest.mark.parametrize(
    ("jql", "fragment"),
    [
        ("nosuchfield = 1", "Field 'nosuchfield' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'"),
        ("status = Imaginary", "The value 'Imaginary' does not exist for the field 'status'"),
        ('"Risk Category" = Weather', "does not exist for the field 'Risk Category'"),
        ("key = ALPHA-999", "An issue with key 'ALPHA-999' does not exist"),
        ("updated > yesterday", "Date value 'yesterday' for field 'updated' is invalid"),
        ("assignee = nobody", "The value 'nobody' does not exist for the field 'assignee'"),
        ("summary = exact", "The operator '=' is not supported by the 'summary' field"),
        ("project = ALPHA AND updated > madeUp()", "Unable to find JQL function 'madeUp()'"),
        ("project = (", "Error in the JQL Query"),
    ],
)
def test_invalid_queries_answer_400(sandbox_cloud: Any, api: Any, jql: str, fragment: str) -> None:
    assert fragment in error(api, sandbox_cloud, jql)


def test_unbounded_queries_refused_on_cloud(sandbox_cloud: Any, api: Any) -> None:
    assert "Unbounded JQL" in error(api, sandbox_cloud, "")
    assert "Unbounded JQL" in error(api, sandbox_cloud, "ORDER BY created DESC")


def test_unbounded_allowed_on_dc_legacy_search(sandbox_dc: Any, api: Any) -> None:
    r = api(sandbox_dc, "GET", "search", api="2", params={"jql": "", "maxResults": 0})
    assert r.status_code == 200 and r.json()["total"] == 54


def test_current_user(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.store.human_edit("BETA-1", {"assignee": "pmo-bot"})
    assert keys(api, sandbox_cloud, "assignee = currentUser()") == ["BETA-1"]


class _Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize("tz", ["UTC", "Australia/Sydney", "America/New_York"])
def test_updated_minute_precision_in_user_time_zone(tz: str, api: Any) -> None:
    from zoneinfo import ZoneInfo

    with running_sandbox(mode="cloud", timezone=tz) as server:
        at = datetime(2026, 11, 28, 12, 10, 47, 123000, tzinfo=UTC)
        clock = _Clock(at.timestamp())
        server.store.clock = clock
        server.store.human_edit("ALPHA-3", {"summary": "edited at 12:10:47.123 UTC"})
        local = at.astimezone(ZoneInfo(tz))
        minute = local.strftime("%Y-%m-%d %H:%M")
        slash = local.strftime("%Y/%m/%d %H:%M")
        me = api(server, "GET", "myself").json()
        assert me["timeZone"] == tz
        issue = api(server, "GET", "issue/ALPHA-3", params={"fields": "updated"}).json()
        assert issue["fields"]["updated"] == local.strftime("%Y-%m-%dT%H:%M:%S.123%z")
        base = "project = ALPHA AND "
        assert keys(api, server, base + f'updated >= "{minute}"') == ["ALPHA-3"]
        assert keys(api, server, base + f'updated = "{slash}"') == ["ALPHA-3"]
        assert keys(api, server, base + f'updated > "{minute}"') == []
        assert "ALPHA-3" not in keys(api, server, base + f'updated < "{minute}"')
        assert "ALPHA-3" in keys(api, server, base + f'updated <= "{minute}"')
        clock.t += 10 * 60
        assert keys(api, server, base + "updated >= -15m") == ["ALPHA-3"]
        assert keys(api, server, base + "updated >= -5m") == []
        assert keys(api, server, base + "updated >= -1h") == ["ALPHA-3"]
        assert keys(api, server, base + "updated >= -2d AND updated <= now()") == ["ALPHA-3"]
        assert keys(api, server, base + "updated >= -1w") == ["ALPHA-3"]
        assert keys(api, server, base + "updated >= startOfDay()") == ["ALPHA-3"]


def test_updated_index_agrees_with_a_full_scan(api: Any) -> None:
    with running_sandbox(mode="cloud", seed="scale:600") as server:
        store = server.store
        clock = _Clock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC).timestamp())
        store.clock = clock
        for n in range(40):
            clock.t += 37.5
            store.human_edit(f"ALPHA-{n * 3 + 1}", {"summary": f"edit {n}"})
        store.delete(store.get("ALPHA-4"))
        for minute in range(0, 26, 5):
            stamp = f"2026-11-28 09:{minute:02d}"
            for op in (">=", ">"):
                jql = f'project = ALPHA AND updated {op} "{stamp}" ORDER BY updated DESC'
                got = keys(api, server, jql)
                floor = int(datetime(2026, 11, 28, 9, minute, tzinfo=UTC).timestamp() * 1000)
                expected = [
                    i.key
                    for i in sorted(store.issues.values(), key=lambda i: i.updated, reverse=True)
                    if i.key.startswith("ALPHA-")
                    and (
                        i.updated - i.updated % 60000 >= floor
                        if op == ">="
                        else i.updated - i.updated % 60000 > floor
                    )
                ]
                assert got == expected[:100], jql


def test_time_zone_can_change_at_run_time(sandbox_cloud: Any, api: Any) -> None:
    before = api(sandbox_cloud, "GET", "issue/ALPHA-1", params={"fields": "created"}).json()
    assert before["fields"]["created"].endswith("+0000")
    sandbox_cloud.timezone = "Asia/Kolkata"
    after = api(sandbox_cloud, "GET", "issue/ALPHA-1", params={"fields": "created"}).json()
    assert after["fields"]["created"].endswith("+0530")
    assert api(sandbox_cloud, "GET", "myself").json()["timeZone"] == "Asia/Kolkata"
