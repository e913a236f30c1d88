"""Every error status in Jira's ErrorCollection shape, and both authentication schemes."""

from __future__ import annotations

import base64
from typing import Any

import pytest


def assert_jira_error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"errorMessages", "errors"}
    assert isinstance(body["errorMessages"], list) and isinstance(body["errors"], dict)
    return body


# -- 401 ----------------------------------------------------------------------------------
def test_cloud_basic_auth(sandbox_cloud: Any, api: Any) -> None:
    assert api(sandbox_cloud, "GET", "myself").status_code == 200
    wrong = base64.b64encode(b"pmo-bot@example.com:wrong").decode()
    r = api(sandbox_cloud, "GET", "myself", auth=False, headers={"Authorization": f"Basic {wrong}"})
    assert_jira_error(r, 401)
    r = api(
        sandbox_cloud, "GET", "myself", auth=False, headers={"Authorization": "Bearer sandbox-pat"}
    )
    assert_jira_error(r, 401)
    assert_jira_error(api(sandbox_cloud, "GET", "issue/ALPHA-1", auth=False), 401)


def test_dc_bearer_pat(sandbox_dc: Any, api: Any) -> None:
    assert api(sandbox_dc, "GET", "myself", api="2").json()["name"] == "pmo-bot"
    r = api(
        sandbox_dc, "GET", "myself", api="2", auth=False, headers={"Authorization": "Bearer nope"}
    )
    assert_jira_error(r, 401)
    basic = base64.b64encode(b"pmo-bot@example.com:sandbox-token").decode()
    r = api(
        sandbox_dc,
        "GET",
        "myself",
        api="2",
        auth=False,
        headers={"Authorization": f"Basic {basic}"},
    )
    assert_jira_error(r, 401)


def test_server_info_is_public_but_not_with_bad_credentials(sandbox_any: Any, api: Any) -> None:
    r = api(sandbox_any, "GET", "serverInfo", auth=False)
    expected = "Cloud" if sandbox_any.mode == "cloud" else "Server"
    assert r.status_code == 200 and r.json()["deploymentType"] == expected
    r = api(sandbox_any, "GET", "serverInfo", auth=False, headers={"Authorization": "Bearer x"})
    assert_jira_error(r, 401)


def test_other_users_can_be_granted_tokens(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.grant("alice", "alice-token")
    basic = base64.b64encode(b"alice@example.com:alice-token").decode()
    r = api(sandbox_cloud, "GET", "myself", auth=False, headers={"Authorization": f"Basic {basic}"})
    assert r.json()["displayName"] == "Alice Anders"


# -- 400 ----------------------------------------------------------------------------------
def test_unknown_field_and_field_not_on_screen(sandbox_any: Any, api: Any) -> None:
    r = api(sandbox_any, "PUT", "issue/ALPHA-1", api="2", json={"fields": {"nosuch": 1}})
    body = assert_jira_error(r, 400)
    assert body["errors"]["nosuch"] == (
        "Field 'nosuch' cannot be set. It is not on the appropriate screen, or unknown."
    )
    fields = {f["name"]: f["id"] for f in api(sandbox_any, "GET", "field").json()}
    story_points = fields["Story Points"]  # not on the Risk screen
    r = api(sandbox_any, "PUT", "issue/ALPHA-1", api="2", json={"fields": {story_points: 3}})
    assert story_points in assert_jira_error(r, 400)["errors"]


def test_status_cannot_be_set_by_edit(sandbox_any: Any, api: Any) -> None:
    r = api(
        sandbox_any,
        "PUT",
        "issue/ALPHA-1",
        api="2",
        json={"fields": {"status": {"name": "Closed"}}},
    )
    assert "status" in assert_jira_error(r, 400)["errors"]


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("Probability", {"value": "Enormous"}, "Option value 'Enormous' is not valid"),
        ("Cost Impact", "lots", "must be a number"),
        ("Next Review Date", "31/12/2026", "Error parsing date string"),
        ("Risk Trigger", 12, "must be a string"),
    ],
)
def test_invalid_values(sandbox_cloud: Any, api: Any, name: str, value: Any, fragment: str) -> None:
    fields = {f["name"]: f["id"] for f in api(sandbox_cloud, "GET", "field").json()}
    issue = "ALPHA-1" if name != "Cost Impact" else "ALPHA-6"
    r = api(sandbox_cloud, "PUT", f"issue/{issue}", api="2", json={"fields": {fields[name]: value}})
    assert fragment in assert_jira_error(r, 400)["errors"][fields[name]]


def test_v3_requires_adf_for_rich_text(sandbox_cloud: Any, api: Any) -> None:
    r = api(sandbox_cloud, "PUT", "issue/ALPHA-1", json={"fields": {"description": "plain"}})
    assert "Atlassian Document" in assert_jira_error(r, 400)["errors"]["description"]


def test_create_validation(sandbox_any: Any, api: Any) -> None:
    r = api(sandbox_any, "POST", "issue", api="2", json={"fields": {"summary": "x"}})
    body = assert_jira_error(r, 400)
    assert {"project", "issuetype"} <= set(body["errors"])
    r = api(
        sandbox_any,
        "POST",
        "issue",
        api="2",
        json={"fields": {"project": {"key": "ALPHA"}, "issuetype": {"name": "Task"}}},
    )
    assert "summary" in assert_jira_error(r, 400)["errors"]
    user = {"name": "ghost"} if sandbox_any.mode == "datacenter" else {"accountId": "nope"}
    r = api(
        sandbox_any,
        "POST",
        "issue",
        api="2",
        json={
            "fields": {
                "project": {"key": "ALPHA"},
                "issuetype": {"name": "Task"},
                "summary": "s",
                "assignee": user,
            }
        },
    )
    assert "assignee" in assert_jira_error(r, 400)["errors"]


def test_cloud_rejects_user_names(sandbox_cloud: Any, api: Any) -> None:
    r = api(
        sandbox_cloud,
        "PUT",
        "issue/ALPHA-1",
        api="2",
        json={"fields": {"assignee": {"name": "bob"}}},
    )
    assert "assignee" in assert_jira_error(r, 400)["errors"]


def test_malformed_json(sandbox_cloud: Any, api: Any) -> None:
    r = api(
        sandbox_cloud,
        "POST",
        "issue",
        api="2",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_jira_error(r, 400)


def test_bad_transition(sandbox_cloud: Any, api: Any) -> None:
    r = api(sandbox_cloud, "POST", "issue/ALPHA-2/transitions", json={"transition": {"id": "21"}})
    assert "not valid for this issue" in assert_jira_error(r, 400)["errorMessages"][0]
    r = api(sandbox_cloud, "POST", "issue/ALPHA-2/transitions", json={})
    assert_jira_error(r, 400)


# -- 403 ----------------------------------------------------------------------------------
def test_read_only_project_and_user(sandbox_any: Any, api: Any) -> None:
    sandbox_any.set_read_only(projects={"GAMMA"})
    r = api(sandbox_any, "PUT", "issue/GAMMA-1", api="2", json={"fields": {"summary": "x"}})
    assert_jira_error(r, 403)
    assert api(sandbox_any, "GET", "issue/GAMMA-1/transitions").json()["transitions"] == []
    assert api(sandbox_any, "GET", "issue/GAMMA-1").status_code == 200
    sandbox_any.set_read_only(users={"pmo-bot"})
    r = api(sandbox_any, "POST", "issue/ALPHA-1/comment", api="2", json={"body": "hi"})
    assert_jira_error(r, 403)
    r = api(sandbox_any, "PUT", "issue/ALPHA-1/properties/k", json={"a": 1})
    assert_jira_error(r, 403)


# -- 404 / 405 / 409 / 410 ---------------------------------------------------------------------
def test_not_found(sandbox_any: Any, api: Any) -> None:
    body = assert_jira_error(api(sandbox_any, "GET", "issue/ALPHA-999"), 404)
    assert body["errorMessages"] == [
        "Issue does not exist or you do not have permission to see it."
    ]
    assert_jira_error(api(sandbox_any, "GET", "project/NOPE"), 404)
    assert_jira_error(api(sandbox_any, "GET", "issue/ALPHA-1/properties/none"), 404)
    assert_jira_error(api(sandbox_any, "GET", "issue/ALPHA-1/comment/1"), 404)
    assert_jira_error(api(sandbox_any, "GET", "no/such/resource"), 404)


def test_conflict_can_be_injected(sandbox_cloud: Any, api: Any) -> None:
    sandbox_cloud.faults.error(409, method="POST", path="/transitions$")
    r = api(sandbox_cloud, "POST", "issue/ALPHA-2/transitions", json={"transition": {"id": "11"}})
    assert_jira_error(r, 409)
    after = api(sandbox_cloud, "GET", "issue/ALPHA-2", params={"fields": "status"}).json()
    assert after["fields"]["status"]["name"] == "Open"  # not applied


def test_legacy_search_is_gone_on_cloud(sandbox_cloud: Any, api: Any) -> None:
    for version in ("2", "3"):
        body = assert_jira_error(
            api(sandbox_cloud, "GET", "search", api=version, params={"jql": "project = ALPHA"}), 410
        )
        assert "search/jql" in body["errorMessages"][0]
        assert_jira_error(api(sandbox_cloud, "POST", "search", api=version, json={"jql": "x"}), 410)


def test_search_jql_absent_on_dc(sandbox_dc: Any, api: Any) -> None:
    assert (
        api(sandbox_dc, "GET", "search/jql", api="2", params={"jql": "project = A"}).status_code
        == 404
    )


def test_classic_createmeta_removed_on_dc(sandbox_dc: Any, api: Any) -> None:
    assert_jira_error(api(sandbox_dc, "GET", "issue/createmeta", api="2"), 404)
    r = api(sandbox_dc, "GET", "issue/createmeta/ALPHA/issuetypes", api="2")
    assert r.status_code == 200 and "values" in r.json()


def test_unexpected_failure_answers_500_in_jira_shape(
    sandbox_cloud: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(sandbox_cloud.app.renderer, "issue_json", broken)
    body = assert_jira_error(api(sandbox_cloud, "GET", "issue/ALPHA-1"), 500)
    assert "RuntimeError: boom" in body["errorMessages"][0]
    assert api(sandbox_cloud, "GET", "myself").status_code == 200
