"""The read-only ``viewer`` user and ``mypermissions``, through the real client, both modes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from jira import JIRA, JIRAError

from sandbox.testing import call, make_jira

WRITE_KEYS = [
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "ASSIGN_ISSUES",
    "ADD_COMMENTS",
    "DELETE_ISSUES",
    "WORK_ON_ISSUES",
    "LINK_ISSUES",
    "TRANSITION_ISSUES",
]
ALL_KEYS = ["BROWSE_PROJECTS", *WRITE_KEYS]


def _have(answer: dict[str, Any]) -> dict[str, bool]:
    return {k: v["havePermission"] for k, v in answer["permissions"].items()}


def _snapshot(server: Any, key: str) -> tuple[Any, ...]:
    r = call(server, "GET", f"issue/{key}", api="2", params={"expand": "changelog"})
    body = r.json()
    f = body["fields"]
    return (
        f["summary"],
        f["status"]["name"],
        f["updated"],
        f["comment"]["total"],
        f["worklog"]["total"],
        len(f["issuelinks"]),
        body["changelog"]["total"],
    )


def test_the_viewer_logs_in_and_browses(sandbox_any: Any) -> None:
    viewer = make_jira(sandbox_any, user="viewer")
    me = viewer.myself()
    assert me["displayName"] == "Vera Viewer"
    assert (
        viewer.issue("ALPHA-1").fields.summary
        == make_jira(sandbox_any).issue("ALPHA-1").fields.summary
    )
    assert {p.key for p in viewer.projects()} == {"ALPHA", "BETA", "GAMMA"}
    assert viewer.comments("ALPHA-1") is not None
    path = "search/jql" if sandbox_any.mode == "cloud" else "search"
    r = call(sandbox_any, "GET", path, user="viewer", params={"jql": "project = BETA"})
    assert r.status_code == 200 and len(r.json()["issues"]) > 0
    r = call(sandbox_any, "POST", path, user="viewer", json={"jql": "project = BETA"})
    assert r.status_code == 200 and len(r.json()["issues"]) > 0
    assert call(sandbox_any, "GET", "issue/ALPHA-1/changelog", user="viewer").status_code == 200


def test_the_viewer_is_offered_no_transitions_and_no_edit_fields(sandbox_any: Any) -> None:
    viewer = make_jira(sandbox_any, user="viewer")
    assert viewer.transitions("ALPHA-1") == []
    assert viewer.editmeta("ALPHA-1") == {"fields": {}}
    assert make_jira(sandbox_any).transitions("ALPHA-1") != []


WRITES: dict[str, Callable[[JIRA, Any], Any]] = {
    "create": lambda j, s: j.create_issue(
        project="ALPHA", issuetype={"name": "Task"}, summary="not allowed"
    ),
    "edit": lambda j, s: j.issue("ALPHA-1").update(summary="not allowed"),
    "transition": lambda j, s: j.transition_issue("ALPHA-1", "31"),
    "comment": lambda j, s: j.add_comment("ALPHA-1", "not allowed"),
    "worklog": lambda j, s: j.add_worklog("ALPHA-1", timeSpent="1h"),
    "link": lambda j, s: j.create_issue_link("Blocks", "ALPHA-1", "ALPHA-2"),
    "assign": lambda j, s: j.assign_issue("ALPHA-1", None),
    "delete": lambda j, s: j.issue("ALPHA-1").delete(),
    "property": lambda j, s: j.add_issue_property("ALPHA-1", "k", {"a": 1}),
}
# (status, where Jira puts the message, a fragment of it) per write, as Jira answers.
EXPECTED = {
    "create": (400, "errors", "permission to create issues"),
    "edit": (400, "errorMessages", "permission to edit issues"),
    "transition": (400, "errorMessages", "permission to transition"),
    "comment": (400, "errorMessages", "permission to comment"),
    "worklog": (400, "errorMessages", "associate a worklog"),
    "link": (404, "errorMessages", "No Link Issue Permission for issue 'ALPHA-1'"),
    "assign": (403, "errorMessages", "permission to assign"),
    "delete": (403, "errorMessages", "permission to delete"),
    "property": (403, "errorMessages", "permission"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_by_the_viewer_is_refused_and_changes_nothing(
    sandbox_any: Any, write: str
) -> None:
    viewer = make_jira(sandbox_any, user="viewer")
    before = _snapshot(sandbox_any, "ALPHA-1"), _snapshot(sandbox_any, "ALPHA-2")
    with pytest.raises(JIRAError) as err:
        WRITES[write](viewer, sandbox_any)
    status, where, fragment = EXPECTED[write]
    assert err.value.status_code == status, err.value.text
    body = err.value.response.json()
    assert set(body) == {"errorMessages", "errors"}
    messages = body[where] if where == "errorMessages" else list(body["errors"].values())
    assert any(fragment in m for m in messages), body
    assert (_snapshot(sandbox_any, "ALPHA-1"), _snapshot(sandbox_any, "ALPHA-2")) == before
    assert (
        call(
            sandbox_any,
            "GET",
            "search" if sandbox_any.mode != "cloud" else "search/jql",
            params={"jql": "summary ~ 'not allowed'"},
        ).json()["issues"]
        == []
    )


def test_viewer_writes_by_plain_http_in_v3(sandbox_any: Any) -> None:
    cases = [
        ("PUT", "issue/ALPHA-1/assignee", {"accountId": None, "name": None}, 403),
        ("PUT", "issue/ALPHA-1/properties/k", {"a": 1}, 403),
        ("POST", "version", {"name": "9.9", "project": "ALPHA"}, 403),
        ("POST", "component", {"name": "X", "project": "ALPHA"}, 403),
        ("DELETE", "issue/ALPHA-1", None, 403),
        ("POST", "issue/ALPHA-1/transitions", {"transition": {"id": "31"}}, 400),
    ]
    for method, path, body, status in cases:
        r = call(sandbox_any, method, path, user="viewer", json=body)
        assert r.status_code == status, (method, path, r.text)
        assert set(r.json()) == {"errorMessages", "errors"}
    r = call(
        sandbox_any,
        "POST",
        "issue/bulk",
        user="viewer",
        json={
            "issueUpdates": [
                {
                    "fields": {
                        "project": {"key": "ALPHA"},
                        "issuetype": {"name": "Task"},
                        "summary": "x",
                    }
                }
            ]
        },
    )
    assert r.status_code == 400 and r.json()["issues"] == []
    [error] = r.json()["errors"]
    assert "project" in error["elementErrors"]["errors"]


def test_the_viewer_cannot_edit_or_delete_existing_comments_and_worklogs(
    sandbox_any: Any,
) -> None:
    api = make_jira(sandbox_any)
    comment = api.add_comment("ALPHA-3", "by the bot")
    worklog = api.add_worklog("ALPHA-3", timeSpent="1h")
    for method, path in (
        ("PUT", f"issue/ALPHA-3/comment/{comment.id}"),
        ("DELETE", f"issue/ALPHA-3/comment/{comment.id}"),
        ("PUT", f"issue/ALPHA-3/worklog/{worklog.id}"),
        ("DELETE", f"issue/ALPHA-3/worklog/{worklog.id}"),
    ):
        r = call(
            sandbox_any, method, path, api="2", user="viewer", json={"body": "x", "timeSpent": "2h"}
        )
        assert r.status_code == 400 and r.json()["errorMessages"], (method, path, r.text)
    assert api.comment("ALPHA-3", comment.id).body == "by the bot"
    assert api.worklog("ALPHA-3", worklog.id).timeSpent == "1h"


def test_mypermissions_of_the_viewer(sandbox_any: Any) -> None:
    viewer = make_jira(sandbox_any, user="viewer")
    for context in ({"projectKey": "ALPHA"}, {"issueKey": "BETA-2"}, {}):
        answer = viewer.my_permissions(permissions=",".join(ALL_KEYS), **context)
        assert _have(answer) == {"BROWSE_PROJECTS": True, **dict.fromkeys(WRITE_KEYS, False)}
    one = answer["permissions"]["EDIT_ISSUES"]
    assert one == {
        "id": "12",
        "key": "EDIT_ISSUES",
        "name": "Edit Issues",
        "type": "PROJECT",
        "description": "Ability to edit issues.",
        "havePermission": False,
    }


def test_mypermissions_of_the_api_user(sandbox_any: Any) -> None:
    answer = make_jira(sandbox_any).my_permissions(
        projectKey="GAMMA", permissions=",".join(ALL_KEYS)
    )
    assert _have(answer) == dict.fromkeys(ALL_KEYS, True)


def test_mypermissions_follow_set_read_only(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    keys = "BROWSE_PROJECTS,EDIT_ISSUES,CREATE_ISSUES"
    sandbox_any.set_read_only(projects={"GAMMA"})
    assert _have(jira.my_permissions(projectKey="GAMMA", permissions=keys)) == {
        "BROWSE_PROJECTS": True,
        "EDIT_ISSUES": False,
        "CREATE_ISSUES": False,
    }
    assert _have(jira.my_permissions(projectKey="ALPHA", permissions=keys))["EDIT_ISSUES"]
    sandbox_any.set_read_only(users={"pmo-bot"})
    assert not _have(jira.my_permissions(projectKey="ALPHA", permissions=keys))["EDIT_ISSUES"]


def test_mypermissions_without_a_list(sandbox_any: Any) -> None:
    r = call(sandbox_any, "GET", "mypermissions", api="2")
    if sandbox_any.mode == "cloud":  # Cloud requires the list
        assert r.status_code == 400 and r.json()["errorMessages"]
    else:  # Data Center answers every permission
        assert r.status_code == 200 and set(r.json()["permissions"]) >= set(ALL_KEYS)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"permissions": "FLY_TO_THE_MOON"}, 400),
        ({"permissions": "BROWSE_PROJECTS", "projectKey": "NOPE"}, 404),
        ({"permissions": "BROWSE_PROJECTS", "issueKey": "ALPHA-999"}, 404),
    ],
)
def test_mypermissions_errors(sandbox_any: Any, params: dict[str, str], status: int) -> None:
    r = call(sandbox_any, "GET", "mypermissions", params=params)
    assert r.status_code == status and set(r.json()) == {"errorMessages", "errors"}, r.text


def test_mypermissions_needs_a_login(sandbox_any: Any) -> None:
    r = call(sandbox_any, "GET", "mypermissions", auth=False, params={"permissions": "EDIT_ISSUES"})
    assert r.status_code == 401


def test_a_user_can_only_restrict_to_a_role_or_group_they_are_in(sandbox_any: Any) -> None:
    """Bob is a Developer in ALPHA but neither an Administrator there (alice leads it) nor
    in jira-administrators; Jira refuses a restriction the author would not see."""
    sandbox_any.grant("bob", "bob-secret")
    headers = _headers_for(sandbox_any, "bob", "bob-secret")
    for visibility, fragment in (
        ({"type": "role", "value": "Administrators"}, "project role: Administrators"),
        ({"type": "group", "value": "jira-administrators"}, "group: jira-administrators"),
        ({"type": "role", "value": "Testers"}, "does not exist"),
    ):
        r = call(
            sandbox_any,
            "POST",
            "issue/ALPHA-4/comment",
            api="2",
            auth=False,
            headers=headers,
            json={"body": "x", "visibility": visibility},
        )
        assert r.status_code == 400, r.text
        assert fragment in r.json()["errors"]["commentLevel"]
    r = call(
        sandbox_any,
        "POST",
        "issue/ALPHA-4/comment",
        api="2",
        auth=False,
        headers=headers,
        json={"body": "x", "visibility": {"type": "role", "value": "Developers"}},
    )
    assert r.status_code == 201 and r.json()["visibility"]["value"] == "Developers"


def _headers_for(server: Any, username: str, secret: str) -> dict[str, str]:
    if server.mode != "cloud":
        return {"Authorization": f"Bearer {secret}"}
    email = server.store.catalog.users[username].email
    token = base64.b64encode(f"{email}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_the_viewer_is_not_assignable(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    term = {"query": "vera"} if sandbox_any.mode == "cloud" else {"username": "viewer"}
    assert list(jira.search_assignable_users_for_issues(project="ALPHA", **term)) == []
    user = {"accountId": sandbox_any.store.catalog.users["viewer"].account_id}
    if sandbox_any.mode != "cloud":
        user = {"name": "viewer"}
    r = call(sandbox_any, "PUT", "issue/ALPHA-1/assignee", json=user)
    assert r.status_code == 400 and r.json()["errors"].get("assignee"), r.text
