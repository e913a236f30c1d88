"""search/jql and legacy search: fields, properties, paging caps, lag and reconciliation."""

from __future__ import annotations

import time
from typing import Any


def test_fields_default_to_id_only(sandbox_cloud: Any, api: Any) -> None:
    r = api(sandbox_cloud, "GET", "search/jql", params={"jql": "project = ALPHA", "maxResults": 3})
    body = r.json()
    assert set(body) == {"issues", "isLast", "nextPageToken"}
    assert all(set(i) == {"id"} for i in body["issues"])
    assert "total" not in body


def test_fields_selection_like_jira(sandbox_cloud: Any, api: Any) -> None:
    def fields(param: str) -> set[str]:
        r = api(
            sandbox_cloud, "GET", "search/jql", params={"jql": "key = ALPHA-1", "fields": param}
        )
        return set(r.json()["issues"][0]["fields"])

    assert fields("summary,status") == {"summary", "status"}
    everything = fields("*all")
    assert {"comment", "summary", "updated"} <= everything
    navigable = fields("*navigable")
    assert "comment" not in navigable and "summary" in navigable
    assert fields("*all,-comment,-description") == everything - {"comment", "description"}
    r = api(
        sandbox_cloud,
        "GET",
        "search/jql",
        params=[("jql", "key = ALPHA-1"), ("fields", "summary"), ("fields", "labels")],
    )
    assert set(r.json()["issues"][0]["fields"]) == {"summary", "labels"}


def test_names_and_schema_expand(sandbox_cloud: Any, api: Any) -> None:
    r = api(
        sandbox_cloud,
        "POST",
        "search/jql",
        json={"jql": "key = ALPHA-1", "fields": ["summary"], "expand": "names,schema"},
    )
    body = r.json()
    assert body["names"] == {"summary": "Summary"}
    assert body["schema"]["summary"]["type"] == "string"


def test_properties_in_results(sandbox_cloud: Any, api: Any) -> None:
    api(sandbox_cloud, "PUT", "issue/ALPHA-1/properties/pmo.row", json={"row": 4})
    r = api(
        sandbox_cloud,
        "POST",
        "search/jql",
        json={"jql": "key in (ALPHA-1, ALPHA-2)", "properties": ["pmo.row"], "fields": ["summary"]},
    )
    issues = {i["key"]: i for i in r.json()["issues"]}
    assert issues["ALPHA-1"]["properties"] == {"pmo.row": {"row": 4}}
    assert issues["ALPHA-2"]["properties"] == {}
    too_many = ["a", "b", "c", "d", "e", "f"]
    r = api(
        sandbox_cloud, "POST", "search/jql", json={"jql": "project = ALPHA", "properties": too_many}
    )
    assert r.status_code == 400


def test_max_results_capped(sandbox_cloud: Any, api: Any) -> None:
    for n in range(260):
        sandbox_cloud.store.human_create("BETA", "Task", f"bulk {n}")
    r = api(
        sandbox_cloud,
        "GET",
        "search/jql",
        params={"jql": "project = BETA", "maxResults": 5000, "fields": "summary"},
    )
    assert len(r.json()["issues"]) == 100
    r = api(
        sandbox_cloud, "GET", "search/jql", params={"jql": "project = BETA", "maxResults": 5000}
    )
    assert len(r.json()["issues"]) == 278 and r.json()["isLast"] is True


def test_next_page_token_bound_to_query(sandbox_cloud: Any, api: Any) -> None:
    r = api(sandbox_cloud, "GET", "search/jql", params={"jql": "project = ALPHA", "maxResults": 2})
    token = r.json()["nextPageToken"]
    r = api(
        sandbox_cloud, "GET", "search/jql", params={"jql": "project = BETA", "nextPageToken": token}
    )
    assert r.status_code == 400
    r = api(
        sandbox_cloud,
        "GET",
        "search/jql",
        params={"jql": "project = ALPHA", "nextPageToken": "garbage"},
    )
    assert r.status_code == 400


def test_paging_is_disjoint_and_complete(sandbox_cloud: Any, api: Any) -> None:
    seen: list[str] = []
    token = None
    while True:
        body = {
            "jql": "project in (ALPHA, BETA, GAMMA) ORDER BY created DESC",
            "maxResults": 10,
            "fields": ["key"],
        }
        if token:
            body["nextPageToken"] = token
        page = api(sandbox_cloud, "POST", "search/jql", json=body).json()
        seen += [i["key"] for i in page["issues"]]
        token = page.get("nextPageToken")
        if page["isLast"]:
            assert token is None
            break
    assert len(seen) == len(set(seen)) == 54


def test_search_lag_and_reconcile(api: Any) -> None:
    from sandbox import running_sandbox

    with running_sandbox(mode="cloud", search_lag=0.5) as server:
        fields = {f["name"]: f["id"] for f in api(server, "GET", "field").json()}
        jql = 'project = ALPHA AND "Risk Category" = Cost'
        assert len(_keys(api, server, jql)) == 1
        api(
            server,
            "PUT",
            "issue/ALPHA-1",
            api="2",
            json={"fields": {fields["Risk Category"]: {"value": "Cost"}, "summary": "changed"}},
        )
        new = api(
            server,
            "POST",
            "issue",
            api="2",
            json={
                "fields": {
                    "project": {"key": "ALPHA"},
                    "issuetype": {"name": "Risk"},
                    "summary": "fresh",
                    fields["Risk Category"]: {"value": "Cost"},
                }
            },
        ).json()
        # Direct reads are current at once; search still shows the previous versions.
        assert api(server, "GET", "issue/ALPHA-1").json()["fields"]["summary"] == "changed"
        assert _keys(api, server, jql) == ["ALPHA-3"]
        old = api(
            server, "POST", "search/jql", json={"jql": "key = ALPHA-1", "fields": ["summary"]}
        )
        assert old.json()["issues"][0]["fields"]["summary"] != "changed"
        reconciled = _keys(api, server, jql, reconcileIssues=[10001, int(new["id"])])
        assert set(reconciled) == {"ALPHA-1", "ALPHA-3", new["key"]}
        time.sleep(0.6)
        assert set(_keys(api, server, jql)) == {"ALPHA-1", "ALPHA-3", new["key"]}


def _keys(api: Any, server: Any, jql: str, **extra: Any) -> list[str]:
    r = api(server, "POST", "search/jql", json={"jql": jql, "fields": ["key"], **extra})
    assert r.status_code == 200, r.text
    return [i["key"] for i in r.json()["issues"]]


def test_dc_legacy_search_shape(sandbox_dc: Any, api: Any) -> None:
    r = api(
        sandbox_dc,
        "GET",
        "search",
        api="2",
        params={"jql": "project = GAMMA ORDER BY key", "startAt": 15, "maxResults": 10},
    )
    body = r.json()
    assert (body["startAt"], body["maxResults"], body["total"]) == (15, 10, 18)
    assert [i["key"] for i in body["issues"]] == ["GAMMA-16", "GAMMA-17", "GAMMA-18"]
    assert "comment" not in body["issues"][0]["fields"]  # *navigable by default
    r = api(
        sandbox_dc, "POST", "search", api="2", json={"jql": "project = GAMMA", "maxResults": 5000}
    )
    assert r.json()["maxResults"] == 1000


def test_bulkfetch(sandbox_cloud: Any, api: Any) -> None:
    r = api(
        sandbox_cloud,
        "POST",
        "issue/bulkfetch",
        json={"issueIdsOrKeys": ["ALPHA-1", "10002", "ALPHA-999"], "fields": ["summary"]},
    )
    body = r.json()
    assert [i["key"] for i in body["issues"]] == ["ALPHA-1", "ALPHA-2"]
    assert body["issueErrors"][0]["id"] == "ALPHA-999"
    r = api(
        sandbox_cloud,
        "POST",
        "issue/bulkfetch",
        json={"issueIdsOrKeys": [str(n) for n in range(101)]},
    )
    assert r.status_code == 400


def test_bulk_create_limit(sandbox_cloud: Any, api: Any) -> None:
    one = {"fields": {"project": {"key": "ALPHA"}, "issuetype": {"name": "Task"}, "summary": "x"}}
    r = api(sandbox_cloud, "POST", "issue/bulk", api="2", json={"issueUpdates": [one] * 51})
    assert r.status_code == 400
    r = api(sandbox_cloud, "POST", "issue/bulk", api="2", json={"issueUpdates": [one] * 50})
    assert r.status_code == 201 and len(r.json()["issues"]) == 50


def test_approximate_count_requires_bounded_query(sandbox_cloud: Any, api: Any) -> None:
    assert api(
        sandbox_cloud, "POST", "search/approximate-count", json={"jql": "issuetype = Risk"}
    ).json() == {"count": 15}
    assert (
        api(sandbox_cloud, "POST", "search/approximate-count", json={"jql": ""}).status_code == 400
    )


def test_bulk_changelog_pages_oldest_first(sandbox_cloud: Any, api: Any) -> None:
    body: dict[str, Any] = {"issueIdsOrKeys": ["ALPHA-8", "ALPHA-3", "NOPE-1"], "maxResults": 2}
    seen: list[tuple[str, str]] = []
    while True:
        page = api(sandbox_cloud, "POST", "changelog/bulkfetch", json=body).json()
        for log in page["issueChangeLogs"]:
            seen += [(log["issueId"], h["created"]) for h in log["changeHistories"]]
        if "nextPageToken" not in page:
            break
        body["nextPageToken"] = page["nextPageToken"]
    assert len(seen) == 4  # ALPHA-3: 2 transitions, ALPHA-8: 2 transitions
    assert [c for _, c in seen] == sorted(c for _, c in seen)
    only = api(
        sandbox_cloud,
        "POST",
        "changelog/bulkfetch",
        json={"issueIdsOrKeys": ["ALPHA-8"], "fieldIds": ["resolution"]},
    ).json()
    items = only["issueChangeLogs"][0]["changeHistories"][0]["items"]
    assert [i["fieldId"] for i in items] == ["resolution"]
