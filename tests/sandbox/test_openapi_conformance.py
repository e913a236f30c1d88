"""Every implemented v3 operation answers (and accepts) what Atlassian's OpenAPI spec says.

The spec is OpenAPI 3.0: ``nullable`` is turned into JSON Schema's ``null`` type and local
``$ref``s are resolved through a registry, then jsonschema validates each body. A response
that does not match its published component schema fails the test, and so does a sandbox
route that this table forgets to exercise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sandbox import running_sandbox
from sandbox.app import ROUTES

BASE = "urn:jira-openapi"


def _convert(node: Any) -> Any:
    """OpenAPI 3.0 schema objects -> JSON Schema draft 4 (nullable, absolute $refs)."""
    if isinstance(node, list):
        return [_convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        out["$ref"] = BASE + ref
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


# Where the schema and Atlassian's own examples disagree, and real Jira does what the examples
# show. Each entry is (component schema, property) made nullable; keep this list short.
KNOWN_NULLABLE = [
    # ChangeDetails types from/to as strings, but the spec's changelog examples (and Jira)
    # send "from": null / "to": null for a side that had no value.
    ("ChangeDetails", "from"),
    ("ChangeDetails", "fromString"),
    ("ChangeDetails", "to"),
    ("ChangeDetails", "toString"),
]


def _relax(raw: dict[str, Any]) -> dict[str, Any]:
    for schema, prop in KNOWN_NULLABLE:
        raw["components"]["schemas"][schema]["properties"][prop]["nullable"] = True
    return raw


class OpenApi:
    """The published spec, ready to validate request and response bodies."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.spec = _convert(_relax(raw))
        resource = Resource.from_contents(self.spec, default_specification=DRAFT4)
        self.registry = Registry().with_resource(BASE, resource)

    def operation(self, method: str, template: str) -> dict[str, Any]:
        return self.spec["paths"][template][method.lower()]

    def _validate(self, schema: dict[str, Any], body: Any) -> list[str]:
        validator = Draft4Validator(schema, registry=self.registry)
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in validator.iter_errors(body)
        ]

    def response_errors(self, method: str, template: str, status: int, body: Any) -> list[str]:
        responses = self.operation(method, template)["responses"]
        spec = responses.get(str(status)) or responses.get("default")
        assert spec is not None, f"{method} {template} does not document status {status}"
        schema = spec.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return []
        return self._validate(schema, body)

    def request_errors(self, method: str, template: str, body: Any) -> list[str]:
        req = self.operation(method, template).get("requestBody")
        if req is None:
            return []
        schema = req["content"]["application/json"]["schema"]
        return self._validate(schema, body)


@pytest.fixture(scope="module")
def openapi(shared: Any) -> OpenApi:
    path = shared("reference", "jira", "platform-openapi-v3.json")
    return OpenApi(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Op:
    """One call: spec template, concrete path, body and expected status."""

    method: str
    template: str
    path: str
    status: int
    body: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    mode: str = "cloud"


ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "content": [{"type": "text", "text": "noted", "marks": [{"type": "strong"}]}],
        }
    ],
}

OPS: list[Op] = [
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
    Op("GET", "/rest/api/3/issue/{issueIdOrKey}/comment/{id}", "issue/ALPHA-2/comment/{cid}", 200),
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
    Op("GET", "/rest/api/3/version/{id}", "version/{vid}", 200, params={"expand": "issuesstatus"}),
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
    Op("PUT", "/rest/api/3/component/{id}", "component/{compid}", 200, body={"description": "x"}),
    Op("GET", "/rest/api/3/project/{projectIdOrKey}/components", "project/ALPHA/components", 200),
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
        body={"fields": {"timetracking": {"originalEstimate": "2d", "remainingEstimate": "1d 4h"}}},
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
    Op("GET", "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}", "issue/ALPHA-2/worklog/{wid}", 200),
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


def _substitute(value: Any, names: dict[str, str]) -> Any:
    text = json.dumps(value)
    for k, v in names.items():
        text = text.replace("{" + k + "}", v)
    return json.loads(text)


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_every_v3_operation_matches_the_published_schema(
    openapi: OpenApi, api: Any, mode: str
) -> None:
    failures: list[str] = []
    with running_sandbox(mode=mode) as server:
        users = {u: server.store.catalog.users[u].account_id for u in ("alice", "bob")}
        if mode == "datacenter":
            users = {"alice": "alice", "bob": "bob"}
        names = dict(users)
        for op in OPS:
            if op.mode != mode and op.template.endswith("/search"):
                continue
            body = _substitute(op.body, names) if op.body is not None else None
            params = _substitute(op.params, names)
            if mode == "datacenter":
                params = {("username" if k == "accountId" else k): v for k, v in params.items()}
                if op.template.endswith("/assignee"):
                    body = {"name": "bob"}
                if op.template.startswith(
                    ("/rest/api/3/search/", "/rest/api/3/changelog/")
                ) or op.template.endswith("/createmeta"):
                    continue  # Cloud-only endpoints
            path = _substitute(op.path, names)
            if body is not None:
                failures += [
                    f"request {op.method} {op.template}: {e}"
                    for e in openapi.request_errors(op.method, op.template, body)
                ]
            r = api(server, op.method, path, json=body, params=params)
            if r.status_code != op.status:
                failures.append(
                    f"{op.method} {path}: status {r.status_code} != {op.status}: {r.text[:300]}"
                )
                continue
            payload = r.json() if r.content else None
            if op.template.endswith("/comment") and op.method == "POST":
                names["cid"] = payload["id"]
            if op.method == "POST" and op.template.endswith(("/version", "/component")):
                names["vid" if op.template.endswith("/version") else "compid"] = payload["id"]
            if op.method == "POST" and op.template.endswith("/worklog"):
                names["wid"] = payload["id"]
            if op.method == "POST" and op.template.endswith("/issueLink"):
                links = api(server, "GET", "issue/GAMMA-18", params={"fields": "issuelinks"})
                names["lid"] = links.json()["fields"]["issuelinks"][-1]["id"]
            failures += [
                f"response {op.method} {op.template}: {e}"
                for e in openapi.response_errors(op.method, op.template, r.status_code, payload)
            ]
    assert not failures, "\n".join(failures)


def test_error_bodies_match_error_collection(
    openapi: OpenApi, sandbox_cloud: Any, api: Any
) -> None:
    schema = {"$ref": f"{BASE}#/components/schemas/ErrorCollection"}
    for r in (
        api(sandbox_cloud, "GET", "issue/NOPE-1"),
        api(sandbox_cloud, "GET", "search/jql", params={"jql": "project = "}),
        api(sandbox_cloud, "GET", "myself", auth=False),
        api(sandbox_cloud, "PUT", "issue/ALPHA-1", json={"fields": {"nosuch": 1}}),
    ):
        assert r.status_code >= 400
        assert openapi._validate(schema, r.json()) == []


def _norm(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template)


def test_every_route_is_exercised_here(openapi: OpenApi) -> None:
    covered = {(op.method, _norm(op.template)) for op in OPS}
    spec_ops = {(m.upper(), _norm(p)) for p, ops in openapi.spec["paths"].items() for m in ops}
    missing = []
    for r in ROUTES:
        pattern = r.pattern.pattern.removeprefix("^").removesuffix("/?$")
        template = "/rest/api/3/" + re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "{}", pattern)
        key = (r.method, template)
        assert key in spec_ops, f"route {key} is not in the published spec"
        if key not in covered:
            missing.append(key)
    assert not missing, missing
