"""The real ``jira`` 3.10 client works against the sandbox in both deployment modes."""

from __future__ import annotations

from typing import Any

import pytest
from jira import JIRA, JIRAError

pytestmark = pytest.mark.e2e


def field_ids(j: JIRA) -> dict[str, str]:
    return {f["name"]: f["id"] for f in j.fields()}


def test_construction_detects_deployment(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    assert j._is_cloud == (sandbox_any.mode == "cloud")
    assert j.myself()["displayName"] == "PMO Bot"
    if sandbox_any.mode == "cloud":
        assert "accountId" in j.myself() and "name" not in j.myself()
    else:
        assert j.myself()["name"] == "pmo-bot"


def test_validate_login(sandbox_any: Any, jira_for: Any) -> None:
    assert jira_for(sandbox_any, validate=True).myself()["displayName"] == "PMO Bot"


def test_create_get_update_transition(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    ids = field_ids(j)
    issue = j.create_issue(
        project="ALPHA",
        issuetype={"name": "Risk"},
        summary="Supplier insolvency",
        **{ids["Probability"]: {"value": "High"}, ids["Impact"]: {"value": "Medium"}},
    )
    assert issue.key.startswith("ALPHA-")
    assert getattr(issue.fields, ids["Probability"]).value == "High"
    assert issue.fields.status.name == "Open"
    before = issue.fields.updated
    issue.update(fields={"summary": "Supplier insolvency (key vendor)", "labels": ["vendor"]})
    assert issue.fields.summary == "Supplier insolvency (key vendor)"
    assert issue.fields.updated > before
    names = [t["name"] for t in j.transitions(issue)]
    assert names == ["Start Mitigation"]
    j.transition_issue(issue, "Start Mitigation")
    j.transition_issue(issue, "Close Risk")
    again = j.issue(issue.key)
    assert again.fields.status.name == "Closed"
    assert again.fields.resolution.name == "Done"


def test_transition_required_field(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    ids = field_ids(j)
    cr = j.search_issues(
        'project = ALPHA AND issuetype = "Change Request" AND status = "Under Review"'
    )
    key = cr[0].key
    with pytest.raises(JIRAError) as err:
        j.transition_issue(key, "Approve")
    assert err.value.status_code == 400
    assert ids["Decision Date"] in err.value.response.json()["errors"]
    j.transition_issue(key, "Approve", fields={ids["Decision Date"]: "2026-11-30"})
    assert j.issue(key).fields.status.name == "Approved"


def test_cloud_enhanced_search_pages(sandbox_cloud: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_cloud)
    first = j.enhanced_search_issues("project = ALPHA ORDER BY key ASC", maxResults=5)
    assert [i.key for i in first] == [f"ALPHA-{n}" for n in range(1, 6)]
    assert first.nextPageToken
    second = j.enhanced_search_issues(
        "project = ALPHA ORDER BY key ASC", nextPageToken=first.nextPageToken, maxResults=5
    )
    assert [i.key for i in second] == [f"ALPHA-{n}" for n in range(6, 11)]
    sandbox_cloud.clear_request_log()
    everything = j.enhanced_search_issues("project = ALPHA ORDER BY key ASC", maxResults=0)
    assert len(everything) == 18
    assert len(sandbox_cloud.requests("GET", "/search/jql")) == 1  # 100 per page: one page
    assert j.approximate_issue_count("project = ALPHA") == 18


def test_cloud_search_pages_across_several_requests(sandbox_cloud: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_cloud)
    token, keys, pages = None, [], 0
    while True:
        page = j.enhanced_search_issues(
            "project in (ALPHA, BETA) ORDER BY key",
            nextPageToken=token,
            maxResults=7,
            fields="summary",
        )
        keys += [i.key for i in page]
        pages += 1
        token = page.nextPageToken
        if not token:
            break
    assert pages == 6 and len(keys) == 36 == len(set(keys))


def test_dc_search_pages_with_start_at(sandbox_dc: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_dc)
    page = j.search_issues("project = BETA ORDER BY key", startAt=5, maxResults=5)
    assert page.total == 18 and page.startAt == 5
    assert [i.key for i in page] == [f"BETA-{n}" for n in range(6, 11)]
    sandbox_dc.clear_request_log()
    everything = j.search_issues("project = BETA ORDER BY key", maxResults=False)
    assert len(everything) == 18
    assert len(sandbox_dc.requests("GET", "/search")) >= 1


def test_bulk_create_partial_errors(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    result = j.create_issues(
        [
            {"project": "BETA", "issuetype": {"name": "Task"}, "summary": "one"},
            {"project": "BETA", "issuetype": {"name": "Task"}, "summary": "two", "status": "Done"},
            {"project": "BETA", "issuetype": {"name": "Task"}, "summary": "three"},
        ]
    )
    assert [r["status"] for r in result] == ["Success", "Error", "Success"]
    assert "status" in result[1]["error"]
    assert result[2]["issue"].fields.summary == "three"


def test_properties_and_comments(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    j.add_issue_property("GAMMA-2", "pmo.sync", {"row": 7, "hash": "abc"})
    props = j.issue_properties("GAMMA-2")
    assert [p.key for p in props] == ["pmo.sync"]
    assert j.issue_property("GAMMA-2", "pmo.sync").raw["value"] == {"row": 7, "hash": "abc"}
    comment = j.add_comment("GAMMA-2", "Reviewed at *steering* meeting")
    assert comment.body == "Reviewed at *steering* meeting"
    assert [c.body for c in j.comments("GAMMA-2")] == ["Reviewed at *steering* meeting"]


def test_assign_and_user_search(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    j.assign_issue("ALPHA-2", "bob@example.com" if sandbox_any.mode == "cloud" else "bob")
    assert j.issue("ALPHA-2").fields.assignee.displayName == "Bob Brown"


def test_createmeta_and_editmeta(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    ids = field_ids(j)
    meta = j.editmeta("ALPHA-1")["fields"]
    assert ids["Probability"] in meta and "status" not in meta
    assert next(v["value"] for v in meta[ids["Impact"]]["allowedValues"]) == "Very Low"
    if sandbox_any.mode == "cloud":
        cm = j.createmeta(
            projectKeys="ALPHA", issuetypeNames="Risk", expand="projects.issuetypes.fields"
        )
        fields = cm["projects"][0]["issuetypes"][0]["fields"]
        assert fields["summary"]["required"] is True
    else:
        types = j.project_issue_types("ALPHA")
        risk = next(t for t in types if t.name == "Risk")
        fields = j.project_issue_fields("ALPHA", risk.id)
        assert ids["Mitigation"] in [f.fieldId for f in fields]


def test_delete(sandbox_any: Any, jira_for: Any) -> None:
    j = jira_for(sandbox_any)
    issue = j.issue("GAMMA-18")
    issue.delete()
    with pytest.raises(JIRAError) as err:
        j.issue("GAMMA-18")
    assert err.value.status_code == 404
