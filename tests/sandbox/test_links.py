"""Issue links and link types, through the real ``jira`` client and raw HTTP, both modes."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.testing import call, make_jira


def _links(server: Any, key: str, api: str = "3") -> list[dict[str, Any]]:
    r = call(server, "GET", f"issue/{key}", api=api, params={"fields": "issuelinks"})
    assert r.status_code == 200, r.text
    return r.json()["fields"]["issuelinks"]


def _link_items(server: Any, key: str) -> list[dict[str, Any]]:
    values = call(server, "GET", f"issue/{key}/changelog").json()["values"]
    return [it for g in values for it in g["items"] if it["field"] == "Link"]


def _keys(server: Any, jql: str) -> list[str]:
    if server.mode == "cloud":
        r = call(server, "GET", "search/jql", params={"jql": jql, "fields": "key"})
    else:
        r = call(server, "GET", "search", params={"jql": jql, "fields": "key"})
    assert r.status_code == 200, r.text
    return sorted(i["key"] for i in r.json()["issues"])


def test_the_standard_link_types_are_there_with_stable_ids(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    types = {t.name: (t.id, t.inward, t.outward) for t in jira.issue_link_types()}
    assert types == {
        "Blocks": ("10000", "is blocked by", "blocks"),
        "Cloners": ("10001", "is cloned by", "clones"),
        "Duplicate": ("10002", "is duplicated by", "duplicates"),
        "Relates": ("10003", "relates to", "relates to"),
    }
    assert jira.issue_link_type("10002").outward == "duplicates"
    r = call(sandbox_any, "GET", "issueLinkType/99999")
    assert r.status_code == 404 and r.json()["errorMessages"]


def test_a_link_shows_on_both_issues_from_each_side(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    before = {k: jira.issue(k).fields.updated for k in ("ALPHA-1", "ALPHA-2")}
    r = jira.create_issue_link("Blocks", "ALPHA-1", "ALPHA-2")
    assert r.status_code == 201 and not r.content
    source, dest = jira.issue("ALPHA-1"), jira.issue("ALPHA-2")
    [out] = source.fields.issuelinks
    assert out.type.name == "Blocks" and not hasattr(out, "inwardIssue")
    assert out.outwardIssue.key == "ALPHA-2"
    assert out.outwardIssue.fields.summary == dest.fields.summary
    assert out.outwardIssue.fields.status.name == dest.fields.status.name
    assert out.outwardIssue.fields.priority.name == dest.fields.priority.name
    assert out.outwardIssue.fields.issuetype.name == "Risk"
    [back] = dest.fields.issuelinks
    assert back.id == out.id and back.inwardIssue.key == "ALPHA-1"
    assert not hasattr(back, "outwardIssue")
    link = jira.issue_link(out.id)
    assert (link.inwardIssue.key, link.outwardIssue.key) == ("ALPHA-1", "ALPHA-2")
    for key in ("ALPHA-1", "ALPHA-2"):
        assert jira.issue(key).fields.updated > before[key]
    assert _link_items(sandbox_any, "ALPHA-1")[-1] == {
        "field": "Link",
        "fieldtype": "jira",
        "fieldId": "issuelinks",
        "from": None,
        "fromString": None,
        "to": "ALPHA-2",
        "toString": "This issue blocks ALPHA-2",
    }
    assert _link_items(sandbox_any, "ALPHA-2")[-1]["toString"] == "This issue is blocked by ALPHA-1"


def test_the_client_turns_an_inward_description_around(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.create_issue_link("is duplicated by", "BETA-1", "BETA-2")
    [entry] = _links(sandbox_any, "BETA-2")
    assert entry["type"]["name"] == "Duplicate" and entry["outwardIssue"]["key"] == "BETA-1"


def test_a_repeated_link_is_kept_once_and_its_comment_still_added(sandbox_any: Any) -> None:
    body = {
        "type": {"id": "10003"},
        "inwardIssue": {"key": "GAMMA-1"},
        "outwardIssue": {"id": str(sandbox_any.store.get("GAMMA-2").id)},
    }
    assert call(sandbox_any, "POST", "issueLink", json=body).status_code == 201
    again = {**body, "comment": {"body": "linked again"}}
    assert call(sandbox_any, "POST", "issueLink", api="2", json=again).status_code == 201
    assert len(_links(sandbox_any, "GAMMA-1")) == 1
    comments = call(sandbox_any, "GET", "issue/GAMMA-2/comment", api="2").json()["comments"]
    assert comments[-1]["body"] == "linked again"


def test_deleting_a_link_takes_it_off_both_issues(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.create_issue_link("Relates", "ALPHA-3", "BETA-3")
    link_id = _links(sandbox_any, "ALPHA-3")[0]["id"]
    stamp = jira.issue("BETA-3").fields.updated
    assert jira.delete_issue_link(link_id).status_code == 204
    assert _links(sandbox_any, "ALPHA-3") == [] and _links(sandbox_any, "BETA-3") == []
    assert jira.issue("BETA-3").fields.updated > stamp
    removed = _link_items(sandbox_any, "BETA-3")[-1]
    assert (removed["from"], removed["fromString"], removed["to"]) == (
        "ALPHA-3",
        "This issue relates to ALPHA-3",
        None,
    )
    assert call(sandbox_any, "GET", f"issueLink/{link_id}").status_code == 404
    assert call(sandbox_any, "DELETE", f"issueLink/{link_id}").status_code == 404


def test_links_can_be_added_through_edit_and_create(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    meta = jira.editmeta("ALPHA-4")["fields"]["issuelinks"]
    assert meta["operations"] == ["add"] and meta["schema"]["items"] == "issuelinks"
    issue = jira.issue("ALPHA-4")
    issue.update(
        update={
            "issuelinks": [
                {"add": {"type": {"name": "Blocks"}, "outwardIssue": {"key": "ALPHA-5"}}}
            ]
        }
    )
    assert _links(sandbox_any, "ALPHA-4")[0]["outwardIssue"]["key"] == "ALPHA-5"
    assert _links(sandbox_any, "ALPHA-5")[0]["inwardIssue"]["key"] == "ALPHA-4"
    r = call(
        sandbox_any,
        "POST",
        "issue",
        api="2",
        json={
            "fields": {
                "project": {"key": "ALPHA"},
                "issuetype": {"name": "Task"},
                "summary": "Depends on ALPHA-4",
            },
            "update": {
                "issuelinks": [
                    {"add": {"type": {"name": "Blocks"}, "inwardIssue": {"key": "ALPHA-4"}}}
                ]
            },
        },
    )
    assert r.status_code == 201, r.text
    created = jira.issue(r.json()["key"])
    [entry] = _links(sandbox_any, created.key)
    assert entry["inwardIssue"]["key"] == "ALPHA-4"  # ALPHA-4 blocks the new issue
    r = call(
        sandbox_any,
        "PUT",
        "issue/ALPHA-4",
        json={
            "update": {
                "issuelinks": [
                    {"add": {"type": {"name": "Nope"}, "outwardIssue": {"key": "ALPHA-5"}}}
                ]
            }
        },
    )
    assert r.status_code == 400 and "issuelinks" in r.json()["errors"]
    r = call(sandbox_any, "PUT", "issue/ALPHA-4", json={"fields": {"issuelinks": []}})
    assert r.status_code == 400 and "issuelinks" in r.json()["errors"]


def test_deleting_an_issue_deletes_its_links(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.create_issue_link("Blocks", "GAMMA-5", "GAMMA-6")
    jira.create_issue_link("Cloners", "GAMMA-7", "GAMMA-5")
    jira.issue("GAMMA-5").delete()
    assert _links(sandbox_any, "GAMMA-6") == [] and _links(sandbox_any, "GAMMA-7") == []
    assert _link_items(sandbox_any, "GAMMA-7")[-1]["fromString"] == "This issue clones GAMMA-5"


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        (
            {
                "type": {"name": "Nope"},
                "inwardIssue": {"key": "ALPHA-1"},
                "outwardIssue": {"key": "ALPHA-2"},
            },
            404,
            "No issue link type with name 'Nope' found.",
        ),
        (
            {
                "type": {"id": "1"},
                "inwardIssue": {"key": "ALPHA-1"},
                "outwardIssue": {"key": "ALPHA-2"},
            },
            404,
            None,
        ),
        (
            {
                "type": {"name": "Blocks"},
                "inwardIssue": {"key": "NOPE-1"},
                "outwardIssue": {"key": "ALPHA-2"},
            },
            404,
            None,
        ),
        (
            {
                "type": {"name": "Blocks"},
                "inwardIssue": {"key": "ALPHA-1"},
                "outwardIssue": {"key": "ALPHA-1"},
            },
            400,
            "You cannot link an issue to itself.",
        ),
        (
            {
                "type": {"name": "Blocks"},
                "inwardIssue": "ALPHA-1",
                "outwardIssue": {"key": "ALPHA-2"},
            },
            400,
            None,
        ),
        ({"inwardIssue": {"key": "ALPHA-1"}, "outwardIssue": {"key": "ALPHA-2"}}, 400, None),
        ([1, 2], 400, None),
    ],
)
def test_bad_link_requests_get_jira_errors(
    sandbox_cloud: Any, body: Any, status: int, where: str | None
) -> None:
    r = call(sandbox_cloud, "POST", "issueLink", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"errorMessages", "errors"}
    if where:
        assert r.json()["errorMessages"] == [where]
    assert _links(sandbox_cloud, "ALPHA-1") == []


def test_a_read_only_project_refuses_links(sandbox_dc: Any) -> None:
    sandbox_dc.set_read_only(projects={"GAMMA"})
    body = {
        "type": {"name": "Blocks"},
        "inwardIssue": {"key": "GAMMA-1"},
        "outwardIssue": {"key": "ALPHA-2"},
    }
    assert call(sandbox_dc, "POST", "issueLink", json=body).status_code == 403


def test_jql_finds_linked_issues_and_link_types(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.create_issue_link("Blocks", "ALPHA-1", "ALPHA-2")
    jira.create_issue_link("Blocks", "ALPHA-3", "ALPHA-1")
    jira.create_issue_link("Relates", "ALPHA-1", "BETA-1")
    assert _keys(sandbox_any, "issue in linkedIssues(ALPHA-1)") == ["ALPHA-2", "ALPHA-3", "BETA-1"]
    assert _keys(sandbox_any, 'issue in linkedIssues(ALPHA-1, "blocks")') == ["ALPHA-2"]
    assert _keys(sandbox_any, 'issue in linkedIssues("ALPHA-1", "is blocked by")') == ["ALPHA-3"]
    assert _keys(
        sandbox_any,
        "project = ALPHA AND issue not in linkedIssues(ALPHA-1) AND issueLinkType = blocks",
    ) == ["ALPHA-1"]
    assert _keys(sandbox_any, 'issueLinkType = "is blocked by"') == ["ALPHA-1", "ALPHA-2"]
    assert _keys(sandbox_any, 'issueLinkType in ("relates to", blocks)') == [
        "ALPHA-1",
        "ALPHA-3",
        "BETA-1",
    ]
    for bad in (
        "issue in linkedIssues(NOPE-1)",
        'issue in linkedIssues(ALPHA-1, "eats")',
        'issueLinkType = "eats"',
    ):
        path = "search/jql" if sandbox_any.mode == "cloud" else "search"
        r = call(sandbox_any, "GET", path, params={"jql": bad})
        assert r.status_code == 400 and r.json()["errorMessages"], bad


def test_issuelinks_is_in_every_default_field_set(sandbox_any: Any) -> None:
    call(
        sandbox_any,
        "POST",
        "issueLink",
        json={
            "type": {"name": "Blocks"},
            "inwardIssue": {"key": "BETA-4"},
            "outwardIssue": {"key": "BETA-5"},
        },
    )
    full = call(sandbox_any, "GET", "issue/BETA-4").json()["fields"]
    assert full["issuelinks"][0]["outwardIssue"]["key"] == "BETA-5"
    assert (
        "issuelinks"
        not in call(sandbox_any, "GET", "issue/BETA-4", params={"fields": "summary"}).json()[
            "fields"
        ]
    )
    if sandbox_any.mode == "datacenter":
        issues = call(sandbox_any, "GET", "search", api="2", params={"jql": "key = BETA-5"}).json()[
            "issues"
        ]
    else:
        issues = call(
            sandbox_any,
            "POST",
            "search/jql",
            json={"jql": "key = BETA-5", "fields": ["*navigable"]},
        ).json()["issues"]
    assert issues[0]["fields"]["issuelinks"][0]["inwardIssue"]["key"] == "BETA-4"
    field = next(f for f in call(sandbox_any, "GET", "field").json() if f["id"] == "issuelinks")
    assert field["schema"] == {"type": "array", "items": "issuelinks", "system": "issuelinks"}


def test_a_linked_issue_shows_the_other_issue_as_it_is_now(sandbox_cloud: Any) -> None:
    jira = make_jira(sandbox_cloud)
    jira.create_issue_link("Blocks", "ALPHA-6", "ALPHA-7")
    assert _links(sandbox_cloud, "ALPHA-6")[0]["outwardIssue"]["fields"]["summary"] != "renamed"
    jira.issue("ALPHA-7").update(fields={"summary": "renamed"})
    assert _links(sandbox_cloud, "ALPHA-6")[0]["outwardIssue"]["fields"]["summary"] == "renamed"
