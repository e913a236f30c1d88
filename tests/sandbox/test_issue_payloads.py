"""Issue payload details: expand, properties, field exclusions, users per deployment."""

from __future__ import annotations

from typing import Any


def test_get_issue_expand_and_properties(sandbox_cloud: Any, api: Any) -> None:
    prob = {f["name"]: f["id"] for f in api(sandbox_cloud, "GET", "field").json()}["Probability"]
    api(sandbox_cloud, "PUT", "issue/ALPHA-3/properties/pmo.sync", json={"hash": "h1"})
    issue = api(
        sandbox_cloud,
        "GET",
        "issue/ALPHA-3",
        params={
            "expand": "changelog,names,schema",
            "properties": "*all",
            "fields": "*all,-comment",
        },
    ).json()
    assert "comment" not in issue["fields"] and "summary" in issue["fields"]
    assert issue["names"][prob] == "Probability"
    assert issue["schema"][prob]["custom"].endswith(":select")
    histories = issue["changelog"]["histories"]
    assert [h["items"][0]["toString"] for h in histories] == ["Mitigating", "Closed"]
    assert issue["properties"] == {"pmo.sync": {"hash": "h1"}}


def test_transition_screen_lists_required_fields(sandbox_cloud: Any, api: Any) -> None:
    body = api(
        sandbox_cloud, "GET", "issue/ALPHA-7/transitions", params={"expand": "transitions.fields"}
    ).json()
    by_name = {t["name"]: t for t in body["transitions"]}
    assert set(by_name) == {"Approve", "Reject", "Defer"}
    approve = by_name["Approve"]
    assert approve["hasScreen"] is True and approve["to"]["name"] == "Approved"
    (meta,) = approve["fields"].values()
    assert meta["name"] == "Decision Date" and meta["required"] is True
    assert by_name["Defer"]["fields"] == {}


def test_users_by_deployment(sandbox_any: Any, api: Any) -> None:
    assignee = api(sandbox_any, "GET", "issue/BETA-1", api="2").json()["fields"]["assignee"]
    assert assignee["displayName"] == "Bob Brown"
    if sandbox_any.mode == "cloud":
        assert "name" not in assignee and "key" not in assignee
        assert len(assignee["accountId"]) == 24
        found = api(sandbox_any, "GET", "user/search", params={"query": "bob"}).json()
    else:
        assert "accountId" not in assignee
        assert assignee["name"] == "bob" and assignee["key"].startswith("JIRAUSER")
        found = api(sandbox_any, "GET", "user/search", api="2", params={"username": "bob"}).json()
    assert [u["displayName"] for u in found] == ["Bob Brown"]


def test_fields_endpoint_describes_custom_fields(sandbox_cloud: Any, api: Any) -> None:
    fields = {f["name"]: f for f in api(sandbox_cloud, "GET", "field").json()}
    expected = {
        "Probability": ("option", None, "select"),
        "Mitigation": ("string", None, "textarea"),
        "Next Review Date": ("date", None, "datepicker"),
        "Requester": ("user", None, "userpicker"),
        "Cost Impact": ("number", None, "float"),
        "Stakeholders": ("array", "user", "multiuserpicker"),
        "Affected Areas": ("array", "option", "multiselect"),
        "Change Board Ref": ("string", None, "textfield"),
    }
    for name, (kind, items, custom) in expected.items():
        schema = fields[name]["schema"]
        assert schema["type"] == kind and schema.get("items") == items
        assert schema["custom"] == f"com.atlassian.jira.plugin.system.customfieldtypes:{custom}"
        assert fields[name]["custom"] is True and fields[name]["id"].startswith("customfield_")
    assert fields["Summary"]["schema"] == {"type": "string", "system": "summary"}


def test_update_operations(sandbox_cloud: Any, api: Any) -> None:
    fields = {f["name"]: f["id"] for f in api(sandbox_cloud, "GET", "field").json()}
    areas = fields["Affected Areas"]
    r = api(
        sandbox_cloud,
        "PUT",
        "issue/ALPHA-1",
        api="2",
        json={
            "update": {
                "labels": [{"add": "new"}, {"remove": "risk"}],
                areas: [{"add": {"value": "Process"}}],
                "comment": [{"add": {"body": "via update"}}],
            }
        },
    )
    assert r.status_code == 204, r.text
    issue = api(sandbox_cloud, "GET", "issue/ALPHA-1", api="2").json()["fields"]
    assert issue["labels"] == ["wave-1", "new"]
    assert [a["value"] for a in issue[areas]] == ["Data", "Vendor", "Process"]
    assert issue["comment"]["comments"][-1]["body"] == "via update"


def test_unassign(sandbox_any: Any, api: Any) -> None:
    key = "accountId" if sandbox_any.mode == "cloud" else "name"
    r = api(
        sandbox_any, "PUT", "issue/ALPHA-1", api="2", json={"fields": {"assignee": {key: None}}}
    )
    assert r.status_code == 204, r.text
    assert api(sandbox_any, "GET", "issue/ALPHA-1").json()["fields"]["assignee"] is None
    r = api(sandbox_any, "PUT", "issue/ALPHA-2", api="2", json={"fields": {"assignee": None}})
    assert r.status_code == 204
    assert api(sandbox_any, "GET", "issue/ALPHA-2").json()["fields"]["assignee"] is None
