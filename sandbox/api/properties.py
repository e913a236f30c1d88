"""Issue entity properties: JSON values an integration keeps on an issue."""

from __future__ import annotations

import json
from typing import Any

from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError

MAX_KEY = 255
MAX_VALUE_BYTES = 32768


@route("GET", "issue/{id}/properties")
def keys(app: App, req: Request) -> Any:
    """The property keys of an issue."""
    issue = app.store.get(req.groups[0])
    ctx = app.ctx(req.api)
    return {
        "keys": [
            {"self": ctx.rest(f"issue/{issue.id}/properties/{k}"), "key": k}
            for k in issue.properties
        ]
    }


@route("GET", "issue/{id}/properties/{key}")
def get_property(app: App, req: Request) -> Any:
    """One property (404 if absent)."""
    issue = app.store.get(req.groups[0])
    key = req.groups[1]
    if key not in issue.properties:
        raise JiraError(404, f"The property with key '{key}' does not exist.")
    return {"key": key, "value": issue.properties[key]}


@route("PUT", "issue/{id}/properties/{key}")
def put_property(app: App, req: Request) -> Response:
    """Set a property: 201 when new, 200 when replaced; key <= 255 chars, value <= 32 KB."""
    issue = app.store.get(req.groups[0])
    app.store.check_write(req.me, issue.project_id)
    key = req.groups[1]
    if len(key) > MAX_KEY:
        raise JiraError(400, "The property key can not be longer than 255 characters.")
    if len(req.raw_body) > MAX_VALUE_BYTES:
        raise JiraError(400, "The property value can not be longer than 32768 bytes.")
    if not req.raw_body:
        raise JiraError(400, "The property value must be a valid JSON value.")
    try:
        value = json.loads(req.raw_body)
    except ValueError:
        raise JiraError(400, "The property value must be a valid JSON value.") from None
    created = app.store.set_property(issue, key, value)
    return Response(201 if created else 200)


@route("DELETE", "issue/{id}/properties/{key}")
def delete_property(app: App, req: Request) -> Response:
    """Remove a property (204)."""
    issue = app.store.get(req.groups[0])
    app.store.check_write(req.me, issue.project_id)
    app.store.delete_property(issue, req.groups[1])
    return Response(204)
