"""Every implemented v3 operation answers (and accepts) what Atlassian's OpenAPI spec says:
links, versions, components, permissions, lookups, time tracking and worklogs (the core
resources are in ``test_openapi_conformance.py``; both use the ``openapi`` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest

FAMILY = "breadth"


def operations(Op: Any, ADF: Any) -> list[Any]:
    """The calls, in order; ``{lid}``, ``{vid}``, ``{compid}`` and ``{wid}`` come from the
    calls that create them."""
    return [
        # Links, versions, components ({lid}, {vid}, {compid} come from the creating call).
        Op("GET", "/rest/api/3/issueLinkType", "issueLinkType", 200),
        Op("GET", "/rest/api/3/issueLinkType/{issueLinkTypeId}", "issueLinkType/10000", 200),
        Op(
            "POST",
            "/rest/api/3/issueLink",
            "issueLink",
            201,
            body={
                "type": {"name": "Blocks"},
                "inwardIssue": {"key": "ALPHA-1"},
                "outwardIssue": {"key": "GAMMA-18"},
                "comment": {"body": ADF},
            },
        ),
        Op("GET", "/rest/api/3/issueLink/{linkId}", "issueLink/{lid}", 200),
        Op(
            "POST",
            "/rest/api/3/issueLink",
            "issueLink",
            201,
            body={
                "type": {"id": "10003"},
                "inwardIssue": {"id": "10002"},
                "outwardIssue": {"key": "GAMMA-18"},
            },
        ),
        Op("DELETE", "/rest/api/3/issueLink/{linkId}", "issueLink/{lid}", 204),
        Op(
            "POST",
            "/rest/api/3/version",
            "version",
            201,
            body={
                "name": "3.0",
                "projectId": 10000,
                "description": "spec check",
                "startDate": "2026-12-01",
                "releaseDate": "2027-01-15",
                "released": False,
                "archived": False,
            },
        ),
        Op(
            "GET",
            "/rest/api/3/version/{id}",
            "version/{vid}",
            200,
            params={"expand": "issuesstatus"},
        ),
        Op(
            "PUT",
            "/rest/api/3/version/{id}",
            "version/{vid}",
            200,
            body={"description": "edited", "released": True},
        ),
        Op("GET", "/rest/api/3/project/{projectIdOrKey}/versions", "project/ALPHA/versions", 200),
        Op(
            "GET",
            "/rest/api/3/project/{projectIdOrKey}/version",
            "project/ALPHA/version",
            200,
            params={"maxResults": 2, "orderBy": "-name", "status": "released,unreleased"},
        ),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}",
            "issue/ALPHA-17",
            204,
            body={
                "fields": {"fixVersions": [{"id": "{vid}"}], "versions": [{"name": "1.0"}]},
                "update": {"components": [{"add": {"name": "Governance"}}]},
            },
        ),
        Op(
            "DELETE",
            "/rest/api/3/version/{id}",
            "version/{vid}",
            204,
            params={"moveFixIssuesTo": "10001"},
        ),
        Op(
            "POST",
            "/rest/api/3/component",
            "component",
            201,
            body={
                "name": "Spec",
                "project": "ALPHA",
                "description": "spec check",
                "assigneeType": "COMPONENT_LEAD",
                "leadAccountId": "{alice}",
            },
        ),
        Op("GET", "/rest/api/3/component/{id}", "component/{compid}", 200),
        Op(
            "PUT",
            "/rest/api/3/component/{id}",
            "component/{compid}",
            200,
            body={"description": "x"},
        ),
        Op(
            "GET",
            "/rest/api/3/project/{projectIdOrKey}/components",
            "project/ALPHA/components",
            200,
        ),
        Op("DELETE", "/rest/api/3/component/{id}", "component/{compid}", 204),
        # Permissions, lookups, time tracking and worklogs ({wid} comes from the creating call).
        Op(
            "GET",
            "/rest/api/3/mypermissions",
            "mypermissions",
            200,
            params={
                "permissions": "BROWSE_PROJECTS,CREATE_ISSUES,WORK_ON_ISSUES",
                "projectKey": "BETA",
            },
        ),
        Op(
            "GET",
            "/rest/api/3/user/assignable/search",
            "user/assignable/search",
            200,
            params={"project": "ALPHA", "query": "a"},
        ),
        Op("GET", "/rest/api/3/project/{projectIdOrKey}/statuses", "project/ALPHA/statuses", 200),
        Op("GET", "/rest/api/3/priority/{id}", "priority/3", 200),
        Op("GET", "/rest/api/3/resolution/{id}", "resolution/10000", 200),
        Op("GET", "/rest/api/3/statuscategory/{idOrKey}", "statuscategory/done", 200),
        Op("GET", "/rest/api/3/customFieldOption/{id}", "customFieldOption/10100", 200),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}",
            "issue/ALPHA-2",
            204,
            body={
                "fields": {"timetracking": {"originalEstimate": "2d", "remainingEstimate": "1d 4h"}}
            },
        ),
        Op(
            "POST",
            "/rest/api/3/issue/{issueIdOrKey}/worklog",
            "issue/ALPHA-2/worklog",
            201,
            body={
                "timeSpent": "3h 30m",
                "started": "2026-01-17T09:30:00.000+0000",
                "comment": ADF,
                "visibility": {"type": "role", "value": "Developers"},
            },
            params={"adjustEstimate": "auto"},
        ),
        Op("GET", "/rest/api/3/issue/{issueIdOrKey}/worklog", "issue/ALPHA-2/worklog", 200),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/worklog",
            "issue/ALPHA-2/worklog",
            200,
            params={"expand": "properties"},
        ),
        Op(
            "GET",
            "/rest/api/3/search/jql",
            "search/jql",
            200,
            params={
                "jql": "worklogAuthor = currentUser() AND worklogDate >= 2026-01-01",
                "fields": "worklog",
                "expand": "renderedFields",
            },
        ),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}",
            "issue/ALPHA-2/worklog/{wid}",
            200,
        ),
        Op(
            "PUT",
            "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}",
            "issue/ALPHA-2/worklog/{wid}",
            200,
            body={"timeSpentSeconds": 7200},
            params={"adjustEstimate": "new", "newEstimate": "1d"},
        ),
        Op(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}",
            "issue/ALPHA-2",
            200,
            params={"fields": "*all", "expand": "renderedFields,names,schema,changelog"},
        ),
        Op(
            "DELETE",
            "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}",
            "issue/ALPHA-2/worklog/{wid}",
            204,
            params={"adjustEstimate": "leave"},
        ),
        Op("DELETE", "/rest/api/3/issue/{issueIdOrKey}", "issue/GAMMA-18", 204),
    ]


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_links_versions_permissions_and_worklogs_match_the_published_schema(
    openapi: Any, mode: str
) -> None:
    failures = openapi.check(mode, operations(openapi.Op, openapi.ADF))
    assert not failures, "\n".join(failures)


def test_every_breadth_route_is_exercised_here(openapi: Any) -> None:
    missing = openapi.unexercised(operations(openapi.Op, openapi.ADF), FAMILY)
    assert not missing, missing
