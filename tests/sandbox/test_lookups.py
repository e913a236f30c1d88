"""Single-entity lookups and the assignable-user search, through the real client, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from jira import JIRAError

from sandbox.testing import call, make_jira


def _issue_fields(server: Any, key: str, fields: str) -> dict[str, Any]:
    r = call(server, "GET", f"issue/{key}", api="2", params={"fields": fields})
    assert r.status_code == 200, r.text
    return r.json()["fields"]


def test_priority_by_id_matches_the_list_and_the_issue(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    listed = {p.id: p.raw for p in jira.priorities()}
    for pid, raw in listed.items():
        assert jira.priority(pid).raw == raw
    assert jira.priority("1").name == "Highest"
    # Following the issue's own self link answers the same priority.
    prio = _issue_fields(sandbox_any, "ALPHA-1", "priority")["priority"]
    r = call(sandbox_any, "GET", f"priority/{prio['id']}", api="2")
    assert r.json() == listed[prio["id"]] and prio["self"].endswith(f"/priority/{prio['id']}")


def test_resolution_by_id(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    done = jira.resolution("10000")
    assert (done.id, done.name) == ("10000", "Done")
    assert done.raw == next(r.raw for r in jira.resolutions() if r.id == "10000")


@pytest.mark.parametrize(("ident", "key"), [(2, "new"), (4, "indeterminate"), (3, "done")])
def test_status_category_by_id_or_key(sandbox_any: Any, ident: int, key: str) -> None:
    jira = make_jira(sandbox_any)
    by_id = jira.statuscategory(ident)
    assert by_id.key == key and by_id.id == ident
    r = call(sandbox_any, "GET", f"statuscategory/{key}", api="2")
    assert r.status_code == 200 and r.json() == by_id.raw
    r = call(sandbox_any, "GET", f"statuscategory/{key.upper()}", api="2")
    assert r.status_code == 200 and r.json()["id"] == ident
    listed = {c.id: c.raw for c in jira.statuscategories()}
    assert listed[ident] == by_id.raw


def test_a_status_category_self_link_resolves(sandbox_any: Any) -> None:
    status = _issue_fields(sandbox_any, "ALPHA-1", "status")["status"]
    category = status["statusCategory"]
    r = call(sandbox_any, "GET", f"statuscategory/{category['id']}", api="2")
    assert r.json() == category


def test_custom_field_option_by_id(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    fields = {f["name"]: f["id"] for f in jira.fields()}
    prob = _issue_fields(sandbox_any, "ALPHA-1", fields["Probability"])[fields["Probability"]]
    option = jira.custom_field_option(prob["id"])
    assert option.value == prob["value"]
    assert set(option.raw) == {"self", "value"}
    assert option.raw["self"] == prob["self"]
    assert jira.custom_field_option("10100").value == "Very Low"  # first seeded option


@pytest.mark.parametrize(
    "path",
    [
        "priority/99",
        "priority/abc",
        "resolution/1",
        "statuscategory/9",
        "statuscategory/nope",
        "customFieldOption/1",
        "project/NOPE/statuses",
    ],
)
def test_unknown_ids_are_404_in_jira_shape(sandbox_any: Any, path: str) -> None:
    r = call(sandbox_any, "GET", path)
    assert r.status_code == 404, r.text
    body = r.json()
    assert set(body) == {"errorMessages", "errors"} and body["errorMessages"]


def test_the_client_raises_on_an_unknown_priority(sandbox_any: Any) -> None:
    with pytest.raises(JIRAError) as err:
        make_jira(sandbox_any).priority("42")
    assert err.value.status_code == 404


def test_lookups_need_a_login(sandbox_any: Any) -> None:
    for path in ("priority/1", "resolution/10000", "statuscategory/2", "customFieldOption/10100"):
        assert call(sandbox_any, "GET", path, auth=False).status_code == 401


def test_project_statuses_follow_each_types_workflow(sandbox_any: Any) -> None:
    r = call(sandbox_any, "GET", "project/ALPHA/statuses", api="2")
    assert r.status_code == 200
    by_type = {t["name"]: [s["name"] for s in t["statuses"]] for t in r.json()}
    assert by_type["Risk"] == ["Open", "Mitigating", "Closed"]
    assert set(by_type["Change Request"]) == {
        "Submitted",
        "Under Review",
        "Approved",
        "Rejected",
        "Deferred",
        "Implemented",
    }
    assert by_type["Task"] == ["To Do", "In Progress", "Done"]
    types = {t.name: t.id for t in make_jira(sandbox_any).issue_types()}
    assert {t["name"]: t["id"] for t in r.json()} == types
    assert all(t["subtask"] is False for t in r.json())
    # Every status an issue is in appears under its type.
    issue = _issue_fields(sandbox_any, "ALPHA-6", "status,issuetype")
    assert issue["status"]["name"] in by_type[issue["issuetype"]["name"]]
    by_id = call(sandbox_any, "GET", "project/10000/statuses", api="2")
    assert by_id.status_code == 200 and by_id.json() == r.json()


def _assignable(server: Any, **params: str) -> list[str]:
    r = call(server, "GET", "user/assignable/search", params=params)
    assert r.status_code == 200, r.text
    return [u["displayName"] for u in r.json()]


def test_assignable_users_of_a_project_and_an_issue(sandbox_any: Any) -> None:
    everyone = ["Alice Anders", "Bob Brown", "Carol Chen", "Dave Diaz", "PMO Bot"]
    assert _assignable(sandbox_any, project="ALPHA") == everyone  # not the viewer
    assert _assignable(sandbox_any, issueKey="BETA-3") == everyone
    term = "query" if sandbox_any.mode == "cloud" else "username"
    assert _assignable(sandbox_any, project="ALPHA", **{term: "car"}) == ["Carol Chen"]
    assert _assignable(sandbox_any, project="ALPHA", **{term: "chen"}) == ["Carol Chen"]
    assert _assignable(sandbox_any, project="ALPHA", **{term: "dave@"}) == ["Dave Diaz"]
    assert _assignable(sandbox_any, project="ALPHA", **{term: "zed"}) == []
    assert _assignable(sandbox_any, project="ALPHA", startAt="1", maxResults="2") == everyone[1:3]


def test_assignable_users_through_the_client(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    term = {"query": "bob"} if sandbox_any.mode == "cloud" else {"username": "bob"}
    [bob] = jira.search_assignable_users_for_issues(issueKey="ALPHA-1", **term)
    assert bob.displayName == "Bob Brown"
    if sandbox_any.mode == "cloud":
        assert bob.accountId == sandbox_any.store.catalog.users["bob"].account_id
    else:
        assert bob.name == "bob"
    jira.assign_issue("ALPHA-1", bob.accountId if sandbox_any.mode == "cloud" else bob.name)
    assert jira.issue("ALPHA-1").fields.assignee.displayName == "Bob Brown"


def test_assignable_search_by_account_id_on_cloud(sandbox_cloud: Any) -> None:
    dave = sandbox_cloud.store.catalog.users["dave"].account_id
    assert _assignable(sandbox_cloud, project="GAMMA", accountId=dave) == ["Dave Diaz"]
    viewer = sandbox_cloud.store.catalog.users["viewer"].account_id
    assert _assignable(sandbox_cloud, project="GAMMA", accountId=viewer) == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"project": "NOPE"}, 404),
        ({"issueKey": "ALPHA-999"}, 404),
        ({"project": "ALPHA", "maxResults": "x"}, 400),
        ({"project": "ALPHA", "startAt": "-1"}, 400),
    ],
)
def test_assignable_search_errors(sandbox_any: Any, params: dict[str, str], status: int) -> None:
    r = call(sandbox_any, "GET", "user/assignable/search", params=params)
    assert r.status_code == status and set(r.json()) == {"errorMessages", "errors"}, r.text
