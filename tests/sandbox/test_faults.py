"""Fault injection: each switch, its scoping, and what a client observes on the wire."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from jira import JIRAError

from sandbox.faults import Fault, parse_spec


def test_rate_limit_burst_every_third_request(sandbox_cloud: Any, api: Any) -> None:
    fault = sandbox_cloud.faults.rate_limit("burst", retry_after=7, every=3)
    statuses = [api(sandbox_cloud, "GET", "myself").status_code for _ in range(6)]
    assert statuses == [200, 200, 429, 200, 200, 429]
    assert fault.fired == 2
    r = api(sandbox_cloud, "GET", "myself")  # 7th
    r = api(sandbox_cloud, "GET", "myself")
    r = api(sandbox_cloud, "GET", "myself")  # 9th: limited
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "7"
    assert r.headers["RateLimit-Reason"] == "jira-burst-based"
    assert r.headers["X-RateLimit-Remaining"] == "0"
    assert {"X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-NearLimit"} <= set(r.headers)
    assert r.json()["errorMessages"]


def test_rate_limit_per_issue_write_only_hits_writes(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.rate_limit("per-issue", count=1)
    assert api(sandbox_cloud, "GET", "issue/ALPHA-1").status_code == 200
    r = api(sandbox_cloud, "PUT", "issue/ALPHA-1", api="2", json={"fields": {"summary": "x"}})
    assert r.status_code == 429 and r.headers["RateLimit-Reason"] == "jira-per-issue-on-write"
    assert api(sandbox_cloud, "GET", "issue/ALPHA-1").json()["fields"]["summary"] != "x"
    r = api(sandbox_cloud, "PUT", "issue/ALPHA-1", api="2", json={"fields": {"summary": "x"}})
    assert r.status_code == 204


def test_dc_rate_limit_headers(sandbox_dc: Any, api: Any) -> None:
    sandbox_dc.faults.rate_limit(retry_after=2)
    r = api(sandbox_dc, "GET", "myself", api="2")
    assert r.status_code == 429
    assert {"X-RateLimit-Interval-Seconds", "X-RateLimit-FillRate", "Retry-After"} <= set(r.headers)


def test_client_sees_raw_429_without_retries(sandbox_cloud: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_cloud)
    sandbox_cloud.faults.rate_limit(nth=1, path="/issue/")
    with pytest.raises(JIRAError) as err:
        j.issue("ALPHA-1")
    assert err.value.status_code == 429
    assert j.issue("ALPHA-1").key == "ALPHA-1"


def test_unavailable_with_count(sandbox_any: Any, api: Any) -> None:
    sandbox_any.faults.unavailable(retry_after=3, count=2)
    first, second, third = (api(sandbox_any, "GET", "myself") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Retry-After"] == "3"


def test_latency(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.latency(150, path="/myself")
    started = time.perf_counter()
    assert api(sandbox_cloud, "GET", "myself").status_code == 200
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    api(sandbox_cloud, "GET", "serverInfo")
    assert time.perf_counter() - started < 0.15


def test_dropped_connection_does_not_run_the_request(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.drop(method="PUT", nth=1)
    with pytest.raises(requests.ConnectionError):
        api(sandbox_cloud, "PUT", "issue/ALPHA-1", api="2", json={"fields": {"summary": "dropped"}})
    assert api(sandbox_cloud, "GET", "issue/ALPHA-1").json()["fields"]["summary"] != "dropped"
    assert sandbox_cloud.requests("PUT")[0].status == 0


def test_lost_response_commits_the_write(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.lose_response(method="POST", path=r"/issue$")
    body = {
        "fields": {"project": {"key": "BETA"}, "issuetype": {"name": "Task"}, "summary": "ghost"}
    }
    with pytest.raises(requests.ConnectionError):
        api(sandbox_cloud, "POST", "issue", api="2", json=body)
    found = api(
        sandbox_cloud,
        "POST",
        "search/jql",
        json={"jql": "project = BETA AND summary ~ ghost", "fields": ["summary"]},
    )
    assert [i["fields"]["summary"] for i in found.json()["issues"]] == ["ghost"]
    entry = sandbox_cloud.requests("POST", "/issue")[0]
    assert entry.status == 0 and entry.fault == "lost"


def test_faults_scope_by_method_and_path(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.error(500, method="GET", path=r"/issue/ALPHA-2$")
    assert api(sandbox_cloud, "GET", "issue/ALPHA-2").status_code == 500
    assert api(sandbox_cloud, "GET", "issue/ALPHA-1").status_code == 200
    assert api(sandbox_cloud, "GET", "issue/ALPHA-2/comment").status_code == 200
    sandbox_cloud.faults.clear()
    assert api(sandbox_cloud, "GET", "issue/ALPHA-2").status_code == 200


def test_request_log(sandbox_cloud: Any, api: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_cloud)
    sandbox_cloud.clear_request_log()
    j.issue("ALPHA-1", fields="summary")
    log = sandbox_cloud.request_log
    assert [(e.method, e.path, e.status) for e in log] == [
        ("GET", "/rest/api/2/issue/ALPHA-1", 200)
    ]
    assert "fields=summary" in log[0].query and log[0].timestamp > 0
    sandbox_cloud.clear_request_log()
    assert sandbox_cloud.request_log == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("429:burst:every=3", Fault("status", 429, "jira-burst-based", 1, every=3)),
        (
            "429:per-issue",
            Fault("status", 429, "jira-per-issue-on-write", 1, path=r"/rest/api/[^/]+/issue/[^/]+"),
        ),
        ("503:count=2:retry_after=5", Fault("status", 503, retry_after=5, count=2)),
        ("latency:250:path=/search", Fault("latency", latency_ms=250, path="/search")),
        ("drop:nth=2", Fault("drop", nth=2)),
        ("lost:method=POST", Fault("lost", method="POST")),
        ("409:path=/transitions", Fault("status", 409, path="/transitions")),
    ],
)
def test_cli_fault_specs(spec: str, expected: Fault) -> None:
    got = parse_spec(spec)
    for attr in (
        "kind",
        "status",
        "reason",
        "retry_after",
        "latency_ms",
        "method",
        "path",
        "every",
        "nth",
        "count",
    ):
        assert getattr(got, attr) == getattr(expected, attr), attr


def test_bad_fault_spec() -> None:
    with pytest.raises(ValueError):
        parse_spec("explode")


def test_token_bucket_rate_limit(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.rate_limit("burst", retry_after=None, rate=2, capacity=3)
    statuses = [api(sandbox_cloud, "GET", "myself").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api(sandbox_cloud, "GET", "myself")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    time.sleep(0.6)
    assert api(sandbox_cloud, "GET", "myself").status_code == 200


def test_per_issue_token_bucket_is_per_issue(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.rate_limit("per-issue", rate=1, capacity=1)

    def edit(key: str) -> int:
        body = {"fields": {"summary": f"edit {key}"}}
        return api(sandbox_cloud, "PUT", f"issue/{key}", api="2", json=body).status_code

    assert [edit("ALPHA-1"), edit("ALPHA-1"), edit("ALPHA-2")] == [204, 429, 204]


def test_cli_token_bucket_spec() -> None:
    fault = parse_spec("429:per-issue:rate=0.5:capacity=2")
    assert (fault.rate, fault.capacity, fault.reason) == (0.5, 2, "jira-per-issue-on-write")


def test_retry_after_as_http_date(sandbox_cloud: Any, api: Any) -> None:
    from email.utils import parsedate_to_datetime

    sandbox_cloud.faults.add(parse_spec("429:burst:retry_after=30:retry_format=date"))
    r = api(sandbox_cloud, "GET", "myself")
    assert r.status_code == 429
    when = parsedate_to_datetime(r.headers["Retry-After"])
    assert 25 <= (when.timestamp() - time.time()) <= 31


def test_request_echo(sandbox_cloud: Any, api: Any) -> None:
    import io

    stream = io.StringIO()
    sandbox_cloud.echo = stream
    api(sandbox_cloud, "GET", "issue/ALPHA-1", params={"fields": "summary"})
    assert stream.getvalue().split() == ["GET", "200", "/rest/api/3/issue/ALPHA-1?fields=summary"]
