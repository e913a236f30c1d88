"""Fixtures for the sandbox's own tests: running servers, jira clients, raw HTTP, ../shared,
and the OpenAPI checker the conformance tests share (``openapi``).

The checker lives here because tests/ is not an importable package: the conformance modules
get it, with ``Op`` and ``ADF`` to build their tables, through the ``openapi`` fixture.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sandbox import running_sandbox
from sandbox.app import ROUTES
from sandbox.testing import (  # noqa: F401  (fixtures, registered by name)
    api,
    call,
    jira_for,
    make_jira,
    sandbox_any,
    sandbox_cloud,
    sandbox_dc,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skip when absent locally, fail when ``CI`` is set."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is absent: ../shared must sit next to the repository"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared() -> Callable[..., Path]:
    """Locate a file under ../shared: ``shared("reference", "jira", "x.json")``."""
    return shared_path


# -- OpenAPI conformance ------------------------------------------------------------------
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


class OpenApi:
    """The published spec, ready to validate request and response bodies.

    ``Op`` and ``ADF`` are here for the conformance modules to build their tables with.
    """

    Op = Op
    ADF = ADF

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

    def check(self, mode: str, ops: list[Op]) -> list[str]:
        """Run ``ops`` in order on a fresh sandbox: every schema mismatch and wrong status."""
        return run_operations(self, mode, ops)

    def unexercised(self, ops: list[Op], family: str) -> list[tuple[str, str]]:
        """Routes of ``ROUTE_FAMILIES[family]`` that ``ops`` never call."""
        return unexercised_routes(self, ops, family)


def _substitute(value: Any, names: dict[str, str]) -> Any:
    text = json.dumps(value)
    for k, v in names.items():
        text = text.replace("{" + k + "}", v)
    return json.loads(text)


def run_operations(openapi: OpenApi, mode: str, ops: list[Op]) -> list[str]:
    """Run ``ops`` in order on a fresh sandbox; every schema mismatch or wrong status."""
    failures: list[str] = []
    with running_sandbox(mode=mode) as server:
        users = {u: server.store.catalog.users[u].account_id for u in ("alice", "bob")}
        if mode == "datacenter":
            users = {"alice": "alice", "bob": "bob"}
        names = dict(users)
        for op in ops:
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
            r = call(server, op.method, path, json=body, params=params)
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
                links = call(server, "GET", "issue/GAMMA-18", params={"fields": "issuelinks"})
                names["lid"] = links.json()["fields"]["issuelinks"][-1]["id"]
            failures += [
                f"response {op.method} {op.template}: {e}"
                for e in openapi.response_errors(op.method, op.template, r.status_code, payload)
            ]
    return failures


# Which conformance table exercises the routes of each sandbox.api module.
ROUTE_FAMILIES = {
    "core": {
        "meta",
        "issues",
        "createmeta",
        "workflow",
        "changelog",
        "comments",
        "properties",
        "search",
    },
    "breadth": {"links", "versions", "permissions", "lookups", "worklog"},
}


def _norm(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template)


def unexercised_routes(openapi: OpenApi, ops: list[Op], family: str) -> list[tuple[str, str]]:
    """Routes of ``family``'s modules that ``ops`` never calls (every route must be in the
    spec and belong to a family)."""
    covered = {(op.method, _norm(op.template)) for op in ops}
    spec_ops = {(m.upper(), _norm(p)) for p, ops_ in openapi.spec["paths"].items() for m in ops_}
    missing = []
    for r in ROUTES:
        module = r.handler.__module__.rsplit(".", 1)[-1]
        assert any(module in mods for mods in ROUTE_FAMILIES.values()), (
            f"sandbox.api.{module} is in no conformance table (ROUTE_FAMILIES)"
        )
        pattern = r.pattern.pattern.removeprefix("^").removesuffix("/?$")
        template = "/rest/api/3/" + re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "{}", pattern)
        key = (r.method, template)
        assert key in spec_ops, f"route {key} is not in the published spec"
        if module in ROUTE_FAMILIES[family] and key not in covered:
            missing.append(key)
    return missing


@pytest.fixture(scope="session")
def openapi(shared: Callable[..., Path]) -> OpenApi:
    """Atlassian's published v3 spec, ready to validate bodies."""
    path = shared("reference", "jira", "platform-openapi-v3.json")
    return OpenApi(json.loads(path.read_text(encoding="utf-8")))
