"""Issue links and link types: ``issueLinkType`` (read), ``issueLink`` (create, get, delete)."""

from __future__ import annotations

from typing import Any

from sandbox import links, permissions
from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError, not_found
from sandbox.model import Issue
from sandbox.writes import comment_body


@route("GET", "issueLinkType")
def link_types(app: App, req: Request) -> Any:
    """Every link type (IssueLinkTypes)."""
    ctx = app.ctx(req.api)
    types = app.store.catalog.link_types.values()
    return {"issueLinkTypes": [links.link_type_json(t, ctx) for t in types]}


@route("GET", "issueLinkType/{id}")
def link_type(app: App, req: Request) -> Any:
    """One link type by id."""
    found = app.store.catalog.link_types.get(req.groups[0])
    if found is None:
        raise not_found(f"No issue link type with id '{req.groups[0]}' found.")
    return links.link_type_json(found, app.ctx(req.api))


def _issue(app: App, ref: Any, name: str) -> Issue:
    if not isinstance(ref, dict):
        raise JiraError(400, None, {name: f"'{name}' must be given by 'key' or 'id'."})
    ident = ref.get("key") or ref.get("id")
    if not isinstance(ident, str | int) or isinstance(ident, bool) or ident == "":
        raise JiraError(400, None, {name: f"'{name}' must be given by 'key' or 'id'."})
    return app.store.get(str(ident))


def _require_link_permission(app: App, req: Request, source: Issue) -> None:
    """Jira answers 404 to a user without Link Issues in the source issue's project."""
    message = f"No Link Issue Permission for issue '{source.key}'."
    permissions.require(app.store.catalog, req.me, "LINK_ISSUES", source.project_id, message)


@route("POST", "issueLink")
def create_link(app: App, req: Request) -> Response:
    """Link two issues: ``inwardIssue`` <outward description> ``outwardIssue``.

    Like Jira, answers 201 with no body, and a request repeating an existing link creates
    nothing new (its comment is still added). The comment goes on the outward issue.
    """
    body = req.json()
    if not isinstance(body, dict):
        raise JiraError(400, "Can not deserialize the request body: expected a JSON object.")
    link_type = links.find_type(app.store.catalog, body.get("type"))
    source = _issue(app, body.get("inwardIssue"), "inwardIssue")
    dest = _issue(app, body.get("outwardIssue"), "outwardIssue")
    if source.id == dest.id:
        raise JiraError(400, links.SELF_LINK)
    _require_link_permission(app, req, source)
    app.store.check_write(req.me, source.project_id)
    comment = body.get("comment")
    doc = None
    if comment is not None:
        if not isinstance(comment, dict):
            raise JiraError(400, None, {"comment": "The comment must be an object."})
        doc = comment_body(app, req, comment.get("body"))
    links.link(app.store, source, dest, link_type.id, req.me.username)
    if doc is not None:
        app.store.add_comment(dest, doc, req.me.username)
    return Response(201)


@route("GET", "issueLink/{id}")
def get_link(app: App, req: Request) -> Any:
    """One link (IssueLink), the source as ``inwardIssue``."""
    source, dest, type_id = links.get(app.store, req.groups[0])
    return links.link_json(req.groups[0], type_id, source, dest, app.ctx(req.api))


@route("DELETE", "issueLink/{id}")
def delete_link(app: App, req: Request) -> Response:
    """Remove a link from both issues (each logs it and gets a new ``updated``)."""
    source, _, _ = links.get(app.store, req.groups[0])
    _require_link_permission(app, req, source)
    app.store.check_write(req.me, source.project_id)
    links.unlink(app.store, req.groups[0], req.me.username)
    return Response(204)
