"""How a client reaches the server: request size limits, Basic auth, a context path."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from jira import JIRAError

from sandbox import running_sandbox
from sandbox.server import MAX_HEADER_BYTES
from sandbox.testing import auth_headers, call, make_jira

UNAUTHORISED = "You are not authenticated. Authentication required to perform this operation."


def _big_jql() -> str:
    """``key in (...)`` of about 34 KB, naming only issues that exist (ALPHA-1..18, repeated)."""
    keys = [f"ALPHA-{n % 18 + 1}" for n in range(3600)]
    jql = f"key in ({', '.join(keys)})"
    assert len(jql) > 34_000
    return jql


def _search_path(server: Any) -> str:
    return "search/jql" if server.mode == "cloud" else "search"


def _basic(login: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{secret}".encode()).decode()}


# -- request line and header size -------------------------------------------------------------
def test_a_huge_get_url_is_refused_but_the_same_jql_by_post_works(sandbox_any: Any) -> None:
    jql = _big_jql()
    path = _search_path(sandbox_any)
    r = call(sandbox_any, "GET", path, params={"jql": jql, "fields": "key"})
    assert len(r.request.url) > MAX_HEADER_BYTES
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/html")
    assert "HTTP Status 400 – Bad Request" in r.text
    assert r.headers.get("Connection") == "close"
    logged = sandbox_any.requests(path_contains=path)
    assert [e.status for e in logged] == [400] and logged[0].fault == "header-too-large"
    r = call(sandbox_any, "POST", path, json={"jql": jql, "fields": ["key"], "maxResults": 50})
    assert r.status_code == 200, r.text[:300]
    assert sorted(int(i["key"].split("-")[1]) for i in r.json()["issues"]) == list(range(1, 19))


def test_the_client_sees_the_refusal_as_a_400(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    with pytest.raises(JIRAError) as err:
        if sandbox_any.mode == "cloud":
            jira.enhanced_search_issues(_big_jql(), fields="key")
        else:
            jira.search_issues(_big_jql(), fields="key")
    assert err.value.status_code == 400
    assert jira.myself()["displayName"] == "PMO Bot"  # the next request on a new connection


def test_oversized_headers_are_refused_too(sandbox_any: Any) -> None:
    r = call(sandbox_any, "GET", "myself", headers={"X-Padding": "p" * MAX_HEADER_BYTES})
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/html")
    r = call(sandbox_any, "GET", "myself", headers={"X-Padding": "p" * 1000})
    assert r.status_code == 200


def test_the_header_limit_is_configurable(sandbox_any: Any) -> None:
    with running_sandbox(mode=sandbox_any.mode, max_header_bytes=65536) as roomy:
        r = call(roomy, "GET", _search_path(roomy), params={"jql": _big_jql(), "fields": "key"})
        assert r.status_code == 200 and len(r.json()["issues"]) == 18
    with running_sandbox(mode=sandbox_any.mode, max_header_bytes=1024) as tight:
        r = call(tight, "GET", "issue/ALPHA-1", params={"fields": "summary," * 150})
        assert r.status_code == 400


# -- Basic auth -------------------------------------------------------------------------------
def test_dc_takes_basic_username_and_password(sandbox_dc: Any) -> None:
    c = sandbox_dc.credentials
    assert (c.username, c.password) == ("pmo-bot", "sandbox-password")
    jira = make_jira(sandbox_dc, password=True)
    assert jira.myself()["name"] == "pmo-bot"
    issue = jira.create_issue(project="ALPHA", issuetype={"name": "Task"}, summary="by password")
    assert jira.issue(issue.key).fields.reporter.name == "pmo-bot"
    r = requests.get(
        f"{sandbox_dc.url}/rest/api/2/myself", auth=("PMO-BOT", "sandbox-password"), timeout=10
    )
    assert r.status_code == 200  # Data Center usernames are case-insensitive
    viewer = make_jira(sandbox_dc, user="viewer", password=True)
    assert viewer.myself()["name"] == "viewer"
    with pytest.raises(JIRAError) as err:
        viewer.add_comment("ALPHA-1", "no")
    assert err.value.status_code == 400


@pytest.mark.parametrize(
    ("login", "secret"),
    [
        ("pmo-bot", "wrong"),
        ("pmo-bot", ""),
        ("nobody", "sandbox-password"),
        ("pmo-bot", "sandbox-pat"),  # a PAT goes as Bearer, not as a password
        ("pmo-bot@example.com", "sandbox-token"),  # Cloud-style credentials
        ("viewer", "sandbox-password"),  # someone else's password
    ],
)
def test_dc_wrong_passwords_are_401(sandbox_dc: Any, login: str, secret: str) -> None:
    r = call(sandbox_dc, "GET", "myself", api="2", auth=False, headers=_basic(login, secret))
    assert r.status_code == 401
    assert r.json() == {"errorMessages": [UNAUTHORISED], "errors": {}}
    assert "WWW-Authenticate" in r.headers


def test_a_garbled_basic_header_is_401(sandbox_any: Any) -> None:
    for value in ("Basic !!!not-base64", "Basic " + base64.b64encode(b"\xff\xfe").decode()):
        r = call(sandbox_any, "GET", "myself", auth=False, headers={"Authorization": value})
        assert r.status_code == 401, value


def test_the_client_reports_a_wrong_password(sandbox_dc: Any) -> None:
    from jira import JIRA

    jira = JIRA(
        sandbox_dc.url,
        basic_auth=("pmo-bot", "wrong"),
        options={"check_update": False},
        max_retries=0,
        get_server_info=False,
    )
    with pytest.raises(JIRAError) as err:
        jira.myself()
    assert err.value.status_code == 401


def test_cloud_refuses_a_username_and_password(sandbox_cloud: Any) -> None:
    """Jira Cloud takes Basic auth only as email + API token (passwords were retired)."""
    for login, secret in (
        ("pmo-bot", "sandbox-password"),
        ("pmo-bot@example.com", "sandbox-password"),
        ("pmo-bot", "sandbox-token"),
    ):
        r = call(sandbox_cloud, "GET", "myself", auth=False, headers=_basic(login, secret))
        assert r.status_code == 401, (login, secret)
        assert r.json()["errorMessages"] == [UNAUTHORISED]
    ok = call(
        sandbox_cloud,
        "GET",
        "myself",
        auth=False,
        headers=_basic("PMO-Bot@Example.com", "sandbox-token"),
    )
    assert ok.status_code == 200  # emails are case-insensitive
    bearer = call(
        sandbox_cloud,
        "GET",
        "myself",
        auth=False,
        headers={"Authorization": "Bearer sandbox-token"},
    )
    assert bearer.status_code == 401


# -- context path -----------------------------------------------------------------------------
@pytest.fixture(params=["cloud", "datacenter"])
def under_jira(request: pytest.FixtureRequest) -> Any:
    with running_sandbox(mode=request.param, context_path="/jira/") as server:
        yield server


def test_requests_under_the_context_path_work(under_jira: Any) -> None:
    assert under_jira.url.endswith("/jira") and under_jira.context_path == "/jira"
    jira = make_jira(under_jira)
    issue = jira.issue("ALPHA-1")
    assert issue.fields.summary and issue.self.startswith(f"{under_jira.url}/rest/api/2/")
    issue.update(summary="edited under /jira")
    assert jira.issue("ALPHA-1").fields.summary == "edited under /jira"
    assert jira.server_info()["baseUrl"] == under_jira.url
    r = call(under_jira, "GET", "issue/ALPHA-1", params={"fields": "status"})
    assert r.json()["fields"]["status"]["self"].startswith(f"{under_jira.url}/rest/api/3/status/")
    # Links in payloads are followable as they are.
    assert requests.get(r.json()["self"], headers=auth_headers(under_jira), timeout=10).ok
    session = requests.get(
        f"{under_jira.url}/rest/auth/1/session", headers=auth_headers(under_jira), timeout=10
    )
    assert session.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/rest/api/2/myself", "/rest/api/2/serverInfo", "/jirafoo/rest/api/2/myself", "/"],
)
def test_requests_outside_the_context_path_are_404(under_jira: Any, path: str) -> None:
    root = under_jira.url.removesuffix("/jira")
    r = requests.get(root + path, headers=auth_headers(under_jira), timeout=10)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html") and "404" in r.text
    r = requests.post(
        root + "/rest/api/2/issue",
        headers=auth_headers(under_jira),
        json={
            "fields": {"project": {"key": "ALPHA"}, "issuetype": {"name": "Task"}, "summary": "x"}
        },
        timeout=10,
    )
    assert r.status_code == 404
    assert under_jira.store.find("ALPHA-19") is None  # nothing was created


def test_without_a_context_path_the_root_serves(sandbox_any: Any) -> None:
    assert sandbox_any.context_path == ""
    r = requests.get(
        f"{sandbox_any.url}/jira/rest/api/2/myself", headers=auth_headers(sandbox_any), timeout=10
    )
    assert r.status_code == 404
