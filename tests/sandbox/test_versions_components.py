"""Project versions and components, and the issue fields that use them, in both modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import persistence, running_sandbox
from sandbox.testing import call, make_jira


def _keys(server: Any, jql: str) -> list[str]:
    if server.mode == "cloud":
        r = call(
            server, "GET", "search/jql", params={"jql": jql, "fields": "key", "maxResults": 100}
        )
    else:
        r = call(server, "GET", "search", params={"jql": jql, "fields": "key", "maxResults": 100})
    assert r.status_code == 200, r.text
    return sorted(i["key"] for i in r.json()["issues"])


def _items(server: Any, key: str, field: str) -> list[tuple[Any, ...]]:
    values = call(server, "GET", f"issue/{key}/changelog").json()["values"]
    return [
        (it["from"], it["fromString"], it["to"], it["toString"])
        for g in values
        for it in g["items"]
        if it["field"] == field
    ]


def test_the_demo_projects_have_versions_and_components(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    versions = jira.project_versions("ALPHA")
    assert [(v.name, v.released) for v in versions] == [
        ("1.0", True),
        ("1.1", False),
        ("2.0", False),
    ]
    assert versions[0].releaseDate == "2026-10-30" and versions[0].projectId == 10000
    assert [c.name for c in jira.project_components("BETA")] == [
        "Data",
        "Infrastructure",
        "Governance",
    ]
    story = jira.issue("ALPHA-16")
    assert [v.name for v in story.fields.fixVersions] == ["1.0"]
    assert [c.name for c in story.fields.components] == ["Data"]
    assert story.fields.versions == []
    by_id = {f["id"]: f for f in call(sandbox_any, "GET", "field").json()}
    assert by_id["fixVersions"]["schema"] == {
        "type": "array",
        "items": "version",
        "system": "fixVersions",
    }
    assert by_id["versions"]["clauseNames"] == ["affectedVersion"]
    assert by_id["components"]["schema"]["items"] == "component"


def test_versions_are_created_read_updated_and_deleted_through_the_client(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    created = jira.create_version("3.0", "GAMMA", description="Later", releaseDate="2027-03-01")
    assert created.name == "3.0" and created.released is False
    fetched = jira.version(created.id)
    assert fetched.description == "Later" and fetched.userReleaseDate == "1/Mar/2027"
    fetched.update(name="3.0-beta", released=True)
    assert jira.version(created.id).name == "3.0-beta" and fetched.released is True
    assert jira.get_project_version_by_name("GAMMA", "3.0-beta").id == created.id
    fetched.delete()
    assert call(sandbox_any, "GET", f"version/{created.id}").status_code == 404
    assert [v.name for v in jira.project_versions("GAMMA")] == ["1.0", "1.1", "2.0"]


def test_components_are_created_read_updated_and_deleted_through_the_client(
    sandbox_any: Any,
) -> None:
    jira = make_jira(sandbox_any)
    comp = jira.create_component(
        "Reporting", "BETA", description="Dashboards", assigneeType="PROJECT_LEAD"
    )
    assert (
        comp.name == "Reporting"
        and comp.project == "BETA"
        and comp.assignee.displayName == "Bob Brown"
    )
    assert jira.component(comp.id).description == "Dashboards"
    lead = {"leadAccountId": sandbox_any.store.catalog.users["carol"].account_id}
    if sandbox_any.mode == "datacenter":
        lead = {"leadUserName": "carol"}
    r = call(sandbox_any, "PUT", f"component/{comp.id}", json={"description": "Boards", **lead})
    assert r.status_code == 200 and r.json()["lead"]["displayName"] == "Carol Chen"
    comp.delete()
    assert call(sandbox_any, "GET", f"component/{comp.id}").status_code == 404


def test_issue_fields_take_versions_and_components_by_name_or_id(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    issue = jira.issue("ALPHA-1")
    stamp = issue.fields.updated
    issue.update(
        fields={
            "fixVersions": [{"name": "1.1"}],
            "versions": [{"id": "10000"}],
            "components": [{"name": "data"}],
        }
    )
    issue = jira.issue("ALPHA-1")
    assert [v.name for v in issue.fields.fixVersions] == ["1.1"]
    assert [v.name for v in issue.fields.versions] == ["1.0"]
    assert [c.name for c in issue.fields.components] == ["Data"]
    assert issue.fields.updated > stamp
    assert _items(sandbox_any, "ALPHA-1", "Fix Version") == [(None, None, "10001", "1.1")]
    assert _items(sandbox_any, "ALPHA-1", "Version") == [(None, None, "10000", "1.0")]
    issue.update(update={"fixVersions": [{"add": {"name": "2.0"}}, {"remove": {"name": "1.1"}}]})
    assert [v.name for v in jira.issue("ALPHA-1").fields.fixVersions] == ["2.0"]
    assert _items(sandbox_any, "ALPHA-1", "Fix Version")[-2:] == [
        ("10001", "1.1", None, None),
        (None, None, "10002", "2.0"),
    ]
    issue.update(fields={"components": []})
    assert _items(sandbox_any, "ALPHA-1", "Component")[-1] == ("10000", "Data", None, None)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"fixVersions": [{"name": "9.9"}]}, {"fixVersions": "Version name '9.9' is not valid"}),
        (
            {"versions": [{"id": "10003"}]},
            {"versions": "Version id '10003' is not valid"},
        ),  # BETA's
        ({"components": [{"name": "Nope"}]}, {"components": "Component name 'Nope' is not valid"}),
        ({"fixVersions": {"name": "1.0"}}, {"fixVersions": "Operation value must be an array"}),
    ],
)
def test_unknown_versions_and_components_are_refused(
    sandbox_cloud: Any, fields: Any, error: Any
) -> None:
    r = call(sandbox_cloud, "PUT", "issue/ALPHA-2", json={"fields": fields})
    assert r.status_code == 400 and r.json() == {"errorMessages": [], "errors": error}
    r = call(
        sandbox_cloud,
        "POST",
        "issue",
        json={
            "fields": {
                "project": {"key": "ALPHA"},
                "issuetype": {"name": "Task"},
                "summary": "s",
                **fields,
            }
        },
    )
    assert r.status_code == 400 and r.json()["errors"] == error


def test_create_sets_them_and_meta_offers_the_projects_values(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    issue = jira.create_issue(
        project="BETA",
        issuetype={"name": "Task"},
        summary="With release",
        fixVersions=[{"name": "1.0"}],
        components=[{"name": "Governance"}],
    )
    fields = jira.issue(issue.key).fields
    assert [v.id for v in fields.fixVersions] == ["10003"] and fields.components[
        0
    ].name == "Governance"
    meta = jira.editmeta(issue.key)["fields"]
    assert [v["name"] for v in meta["fixVersions"]["allowedValues"]] == ["1.0", "1.1", "2.0"]
    assert meta["fixVersions"]["operations"] == ["add", "set", "remove"]
    assert {c["name"] for c in meta["components"]["allowedValues"]} == {
        "Data",
        "Infrastructure",
        "Governance",
    }
    r = call(sandbox_any, "GET", "issue/createmeta/BETA/issuetypes/10002")
    listed = r.json()["fields" if sandbox_any.mode == "cloud" else "values"]
    by_id = {f["fieldId"]: f for f in listed}
    assert {"fixVersions", "versions", "components", "issuelinks"} <= set(by_id)
    assert by_id["versions"]["allowedValues"][0]["projectId"] == 10001


def test_jql_on_versions_and_components(sandbox_any: Any) -> None:
    store = sandbox_any.store
    store.human_edit("GAMMA-2", {"versions": ["10007"]})  # GAMMA's 1.1
    assert _keys(sandbox_any, 'fixVersion = "1.0"') == ["ALPHA-16", "BETA-16", "GAMMA-16"]
    assert _keys(sandbox_any, "project = ALPHA AND fixVersion in (1.0, 1.1)") == [
        "ALPHA-16",
        "ALPHA-17",
        "ALPHA-18",
    ]
    assert _keys(sandbox_any, "affectedVersion = 1.1") == ["GAMMA-2"]
    assert _keys(sandbox_any, "project = BETA AND component = Infrastructure") == ["BETA-18"]
    assert _keys(sandbox_any, "project = BETA AND component != Data") == ["BETA-18"]
    empty = _keys(sandbox_any, "project = GAMMA AND fixVersion is EMPTY")
    assert len(empty) == 15 and "GAMMA-16" not in empty
    assert _keys(sandbox_any, "fixVersion in releasedVersions(ALPHA)") == ["ALPHA-16"]
    assert _keys(sandbox_any, "project = ALPHA ORDER BY fixVersion")[:0] == []
    path = "search/jql" if sandbox_any.mode == "cloud" else "search"
    for bad in ('fixVersion = "9.9"', "component = Nope", "fixVersion in nosuch()"):
        r = call(sandbox_any, "GET", path, params={"jql": bad})
        assert r.status_code == 400 and r.json()["errorMessages"], bad


def test_deleting_a_version_or_component_updates_its_issues(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    r = call(
        sandbox_any, "DELETE", "version/10001", params={"moveFixIssuesTo": "10002"}
    )  # ALPHA 1.1
    assert r.status_code == 204
    assert [v.name for v in jira.issue("ALPHA-17").fields.fixVersions] == ["2.0"]
    assert _items(sandbox_any, "ALPHA-17", "Fix Version")[-2:] == [
        ("10001", "1.1", None, None),
        (None, None, "10002", "2.0"),
    ]
    assert call(sandbox_any, "DELETE", "component/10000").status_code == 204  # ALPHA Data
    assert jira.issue("ALPHA-16").fields.components == []
    assert call(sandbox_any, "GET", "version/10001").status_code == 404


def test_renaming_a_version_shows_on_its_issues(sandbox_cloud: Any) -> None:
    jira = make_jira(sandbox_cloud)
    assert jira.issue("ALPHA-16").fields.fixVersions[0].name == "1.0"
    assert call(sandbox_cloud, "PUT", "version/10000", json={"name": "1.0.0"}).status_code == 200
    assert jira.issue("ALPHA-16").fields.fixVersions[0].name == "1.0.0"
    assert _keys(sandbox_cloud, 'fixVersion = "1.0.0"') == ["ALPHA-16"]


def test_the_paged_version_list(sandbox_any: Any) -> None:
    page = call(sandbox_any, "GET", "project/ALPHA/version", params={"maxResults": 2}).json()
    assert [v["name"] for v in page["values"]] == ["1.0", "1.1"]
    assert page["total"] == 3 and page["isLast"] is False and "startAt=2" in page["nextPage"]
    last = call(sandbox_any, "GET", "project/ALPHA/version", params={"startAt": 2}).json()
    assert [v["name"] for v in last["values"]] == ["2.0"] and last["isLast"] is True
    released = call(
        sandbox_any, "GET", "project/ALPHA/version", params={"status": "released"}
    ).json()
    assert [v["name"] for v in released["values"]] == ["1.0"]
    desc = call(sandbox_any, "GET", "project/ALPHA/version", params={"orderBy": "-name"}).json()
    assert [v["name"] for v in desc["values"]] == ["2.0", "1.1", "1.0"]
    assert (
        call(sandbox_any, "GET", "project/ALPHA/version", params={"orderBy": "x"}).status_code
        == 400
    )
    assert call(sandbox_any, "GET", "project/NOPE/versions").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("POST", "version", {"projectId": 10000}, 400, "name"),
        ("POST", "version", {"name": "1.0", "project": "ALPHA"}, 400, "name"),
        ("POST", "version", {"name": "x"}, 400, "project"),
        ("POST", "version", {"name": "x", "projectId": 99}, 404, None),
        (
            "POST",
            "version",
            {"name": "x", "project": "ALPHA", "releaseDate": "soon"},
            400,
            "releaseDate",
        ),
        ("PUT", "version/10000", {"released": "yes"}, 400, "released"),
        ("PUT", "version/99999", {"name": "x"}, 404, None),
        ("POST", "component", {"project": "ALPHA"}, 400, "name"),
        ("POST", "component", {"name": "Data", "project": "ALPHA"}, 400, "name"),
        ("POST", "component", {"name": "New"}, 400, "project"),
        ("PUT", "component/10000", {"assigneeType": "SOMEONE"}, 400, "assigneeType"),
        ("DELETE", "component/10000", None, 204, None),
        ("GET", "component/99999", None, 404, None),
    ],
)
def test_bad_version_and_component_requests(
    sandbox_cloud: Any, method: str, path: str, body: Any, status: int, field: str | None
) -> None:
    r = call(sandbox_cloud, method, path, json=body)
    assert r.status_code == status, r.text
    if status >= 400:
        assert set(r.json()) == {"errorMessages", "errors"}
        if field:
            assert field in r.json()["errors"]


def test_a_site_without_issues_still_has_them(tmp_path: Path) -> None:
    with running_sandbox(mode="cloud", seed="none") as server:
        assert [v["name"] for v in call(server, "GET", "project/ALPHA/versions").json()] == [
            "1.0",
            "1.1",
            "2.0",
        ]
        r = call(
            server,
            "POST",
            "issue",
            json={
                "fields": {
                    "project": {"key": "ALPHA"},
                    "issuetype": {"name": "Task"},
                    "summary": "s",
                    "fixVersions": [{"name": "2.0"}],
                }
            },
        )
        assert r.status_code == 201, r.text


def test_links_versions_and_components_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    with running_sandbox(mode="datacenter", data_file=data) as server:
        jira = make_jira(server)
        jira.create_issue_link("Blocks", "ALPHA-1", "ALPHA-2")
        version = call(server, "POST", "version", json={"name": "4.0", "project": "ALPHA"}).json()
        call(
            server,
            "POST",
            "component",
            json={"name": "Ops", "project": "ALPHA", "leadUserName": "dave"},
        )
        jira.issue("ALPHA-1").update(
            fields={"fixVersions": [{"name": "4.0"}], "components": [{"name": "Ops"}]}
        )
    assert persistence.load(data) is not None
    with running_sandbox(mode="cloud", data_file=data) as server:
        fields = call(server, "GET", "issue/ALPHA-1").json()["fields"]
        assert fields["issuelinks"][0]["outwardIssue"]["key"] == "ALPHA-2"
        assert fields["fixVersions"][0]["id"] == version["id"]
        assert fields["components"][0]["name"] == "Ops"
        comp = call(server, "GET", f"component/{fields['components'][0]['id']}").json()
        assert comp["lead"]["displayName"] == "Dave Diaz"
        types = call(server, "GET", "issueLinkType").json()["issueLinkTypes"]
        assert types[0]["name"] == "Blocks"
        link_id = fields["issuelinks"][0]["id"]
        assert call(server, "GET", f"issueLink/{link_id}").json()["inwardIssue"]["key"] == "ALPHA-1"
