"""Every implemented v3 operation answers (and accepts) what Atlassian's OpenAPI spec says:
the core resources (site metadata, issues, createmeta, transitions, changelogs, comments,
properties, search). Links, versions, components, permissions, lookups and worklogs are in
``test_openapi_conformance_breadth.py``.

The spec is OpenAPI 3.0: ``nullable`` is turned into JSON Schema's ``null`` type and local
``$ref``s are resolved through a registry, then jsonschema validates each body (the checker is
the ``openapi`` fixture of conftest.py). A response that does not match its published
component schema fails the test, and so does a sandbox route that no table exercises.
"""

from __future__ import annotations

from typing import Any

import pytest

FAMILY = "core"


def operations(Op: Any, ADF: Any) -> list[Any]:
    """The calls, in order; ``{cid}`` comes from the comment they create."""
    return [
        Op("GET", "/rest/api/3/serverInfo", "serverInfo", 200),
        Op("GET", "/rest/api/3/myself", "myself", 200),
        Op("GET", "/rest/api/3/field", "field", 200),
        Op("GET", "/rest/api/3/project", "project", 200),
        Op("GET", "/rest/api/3/project/search", "project/search", 200),
        Op("GET", "/rest/api/3/project/{projectIdOrKey}", "project/ALPHA", 200),
        Op("GET", "/rest/api/3/issuetype", "issuetype", 200),
        Op("GET", "/rest/api/3/issuetype/{id}", "issuetype/10003", 200),
        Op("GET", "/rest/api/3/status", "status", 200),
        Op("GET", "/rest/api/3/status/{idOrName}", "status/Open", 200),
        Op("GET", "/rest/api/3/statuscategory", "statuscategory", 200),
        Op("GET", "/rest/api/3/priority", "priority", 200),
        Op("GET", "/rest/api/3/resolution", "resolution", 200),
        Op("GET", "/rest/api/3/user/search", "user/search", 200, params={"query": "alice"}),
        Op("GET", "/rest/api/3/user", "user", 200, params={"accountId": "{alice}"}),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}",
            "issue/ALPHA-1",
            200,
            params={"expand": "names,schema,changelog,transitions,editmeta", "properties": "*all"},
        ),
        Op("GET", "/rest/api/3/issue/{issueIdOrKey}/editmeta", "issue/ALPHA-6/editmeta", 200),
        Op(
            "GET",
            "/rest/api/3/issue/createmeta",
            "issue/createmeta",
            200,
            params={"projectKeys": "ALPHA", "expand": "projects.issuetypes.fields"},
        ),
        Op(
            "GET",
            "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
            "issue/createmeta/ALPHA/issuetypes",
            200,
        ),
        Op(
            "GET",
            "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
            "issue/createmeta/ALPHA/issuetypes/10004",
            200,
        ),
        Op(
            "POST",
            "/rest/api/3/issue",
            "issue",
            201,
            body={
                "fields": {
                    "project": {"key": "ALPHA"},
                    "issuetype": {"name": "Risk"},
                    "summary": "spec check",
                    "description": ADF,
                    "labels": ["spec"],
                },
                "properties": [{"key": "k", "value": {"a": 1}}],
            },
        ),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}",
            "issue/ALPHA-1",
            204,
            body={"fields": {"summary": "edited"}, "update": {"labels": [{"add": "x"}]}},
        ),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}/assignee",
            "issue/ALPHA-1/assignee",
            204,
            body={"accountId": "{bob}"},
        ),
        Op(
            "POST",
            "/rest/api/3/issue/bulk",
            "issue/bulk",
            201,
            body={
                "issueUpdates": [
                    {
                        "fields": {
                            "project": {"key": "BETA"},
                            "issuetype": {"name": "Task"},
                            "summary": "a",
                        }
                    },
                    {
                        "fields": {
                            "project": {"key": "BETA"},
                            "issuetype": {"name": "Task"},
                            "summary": "b",
                            "status": {"name": "Done"},
                        }
                    },
                ]
            },
        ),
        Op(
            "POST",
            "/rest/api/3/issue/bulkfetch",
            "issue/bulkfetch",
            200,
            body={
                "issueIdsOrKeys": ["ALPHA-1", "NOPE-1"],
                "fields": ["summary", "status"],
                "expand": ["names"],
                "properties": ["k"],
            },
        ),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/transitions",
            "issue/ALPHA-6/transitions",
            200,
            params={"expand": "transitions.fields"},
        ),
        Op(
            "POST",
            "/rest/api/3/issue/{issueIdOrKey}/transitions",
            "issue/ALPHA-6/transitions",
            204,
            body={"transition": {"id": "11"}},
        ),
        Op("GET", "/rest/api/3/issue/{issueIdOrKey}/changelog", "issue/ALPHA-3/changelog", 200),
        Op(
            "POST",
            "/rest/api/3/issue/{issueIdOrKey}/comment",
            "issue/ALPHA-2/comment",
            201,
            body={"body": ADF},
        ),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/comment",
            "issue/ALPHA-2/comment",
            200,
            params={"expand": "renderedBody"},
        ),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
            "issue/ALPHA-2/comment/{cid}",
            200,
        ),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
            "issue/ALPHA-2/comment/{cid}",
            200,
            body={"body": ADF, "visibility": {"type": "group", "value": "jira-administrators"}},
        ),
        Op(
            "DELETE",
            "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
            "issue/ALPHA-2/comment/{cid}",
            204,
        ),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
            "issue/ALPHA-2/properties/pmo.sync",
            201,
            body={"row": 3},
        ),
        Op("GET", "/rest/api/3/issue/{issueIdOrKey}/properties", "issue/ALPHA-2/properties", 200),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
            "issue/ALPHA-2/properties/pmo.sync",
            200,
        ),
        Op(
            "DELETE",
            "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
            "issue/ALPHA-2/properties/pmo.sync",
            204,
        ),
        Op(
            "GET",
            "/rest/api/3/search/jql",
            "search/jql",
            200,
            params={
                "jql": "project = ALPHA ORDER BY key",
                "maxResults": 3,
                "fields": "*all",
                "expand": "names,schema,changelog",
                "properties": "k",
            },
        ),
        Op(
            "POST",
            "/rest/api/3/search/jql",
            "search/jql",
            200,
            body={
                "jql": "project = BETA",
                "maxResults": 2,
                "fields": ["summary", "status"],
                "reconcileIssues": [10001],
                "properties": ["k"],
                "expand": "names",
            },
        ),
        Op(
            "POST",
            "/rest/api/3/search/approximate-count",
            "search/approximate-count",
            200,
            body={"jql": "project = BETA"},
        ),
        Op(
            "GET",
            "/rest/api/3/search",
            "search",
            200,
            params={"jql": "project = GAMMA", "maxResults": 2, "expand": "names,schema"},
            mode="datacenter",
        ),
        Op(
            "POST",
            "/rest/api/3/search",
            "search",
            200,
            body={"jql": "project = GAMMA", "maxResults": 2, "fields": ["summary"]},
            mode="datacenter",
        ),
        Op(
            "POST",
            "/rest/api/3/changelog/bulkfetch",
            "changelog/bulkfetch",
            200,
            body={
                "issueIdsOrKeys": ["ALPHA-1", "ALPHA-3", "ALPHA-8"],
                "fieldIds": ["status"],
                "maxResults": 3,
            },
        ),
        Op("DELETE", "/rest/api/3/issue/{issueIdOrKey}", "issue/GAMMA-18", 204),
    ]


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_every_v3_operation_matches_the_published_schema(openapi: Any, mode: str) -> None:
    failures = openapi.check(mode, operations(openapi.Op, openapi.ADF))
    assert not failures, "\n".join(failures)


def test_error_bodies_match_error_collection(openapi: Any, sandbox_cloud: Any, api: Any) -> None:
    schema = {"$ref": "urn:jira-openapi#/components/schemas/ErrorCollection"}
    for r in (
        api(sandbox_cloud, "GET", "issue/NOPE-1"),
        api(sandbox_cloud, "GET", "search/jql", params={"jql": "project = "}),
        api(sandbox_cloud, "GET", "myself", auth=False),
        api(sandbox_cloud, "PUT", "issue/ALPHA-1", json={"fields": {"nosuch": 1}}),
    ):
        assert r.status_code >= 400
        assert openapi._validate(schema, r.json()) == []


def test_every_route_is_exercised_here(openapi: Any) -> None:
    missing = openapi.unexercised(operations(openapi.Op, openapi.ADF), FAMILY)
    assert not missing, missing
