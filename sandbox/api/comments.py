"""Comments: list, add, read, edit, delete (wiki in v2, ADF in v3)."""

from __future__ import annotations

from typing import Any

from sandbox import html, permissions
from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError
from sandbox.model import Comment, Issue
from sandbox.visibility import parse_visibility
from sandbox.writes import comment_body


def _comment(issue: Issue, cid: str, app: App | None = None, req: Request | None = None) -> Comment:
    """A comment by id; with ``req``, one the caller may see (restricted ones are 404)."""
    found = next((c for c in issue.comments if c.id == cid), None)
    if found is not None and req is not None and app is not None:
        cat = app.store.catalog
        if not permissions.can_see(cat, req.me, found.visibility, issue.project_id):
            found = None
    if found is None:
        raise JiraError(404, f"Can not find a comment for the id: {cid}.")
    return found


def _json(app: App, req: Request, issue: Issue, c: Comment) -> dict[str, Any]:
    """A comment for this request, with ``renderedBody`` when ``expand=renderedBody``."""
    out = app.renderer.comment(issue, c, app.ctx(req.api))
    if "renderedbody" in {e.lower() for e in req.param_list("expand")}:
        out["renderedBody"] = html.adf_to_html(c.body) or ""
    return out


@route("GET", "issue/{id}/comment")
def list_comments(app: App, req: Request) -> Any:
    """Comments of an issue, paged (PageOfComments)."""
    issue = app.store.get(req.groups[0])
    cat = app.store.catalog
    items = [
        c
        for c in issue.comments
        if permissions.can_see(cat, req.me, c.visibility, issue.project_id)
    ]
    if (req.param("orderBy") or "").startswith("-"):
        items.reverse()
    start = req.int_param("startAt", 0)
    size = req.int_param("maxResults", 5000)
    page = items[start : start + size]
    return {
        "startAt": start,
        "maxResults": size,
        "total": len(items),
        "comments": [_json(app, req, issue, c) for c in page],
    }


@route("POST", "issue/{id}/comment")
def add_comment(app: App, req: Request) -> Response:
    """Add a comment (201); bumps the issue's ``updated``."""
    issue = app.store.get(req.groups[0])
    permissions.require(app.store.catalog, req.me, "ADD_COMMENTS", issue.project_id)
    app.store.check_write(req.me, issue.project_id)
    body = req.json()
    doc = comment_body(app, req, body.get("body") if isinstance(body, dict) else None)
    visibility = parse_visibility(
        app.store.catalog, req.me, body.get("visibility"), issue.project_id
    )
    c = app.store.add_comment(issue, doc, req.me.username)
    c.visibility = visibility  # same write: nothing has rendered the new version yet
    return Response(201, _json(app, req, issue, c))


@route("GET", "issue/{id}/comment/{cid}")
def get_comment(app: App, req: Request) -> Any:
    """One comment."""
    issue = app.store.get(req.groups[0])
    return _json(app, req, issue, _comment(issue, req.groups[1], app, req))


@route("PUT", "issue/{id}/comment/{cid}")
def edit_comment(app: App, req: Request) -> Any:
    """Replace a comment's body."""
    issue = app.store.get(req.groups[0])
    comment = _comment(issue, req.groups[1], app, req)
    permissions.require(
        app.store.catalog,
        req.me,
        "ADD_COMMENTS",
        issue.project_id,
        "You do not have the permission to edit this comment.",
    )
    app.store.check_write(req.me, issue.project_id)
    body = req.json()
    doc = comment_body(app, req, body.get("body") if isinstance(body, dict) else None)
    visibility = comment.visibility
    if isinstance(body, dict) and "visibility" in body:  # absent: the restriction stays
        visibility = parse_visibility(
            app.store.catalog, req.me, body.get("visibility"), issue.project_id
        )
    app.store.update_comment(issue, comment, doc, req.me.username)
    comment.visibility = visibility  # same write: nothing has rendered the new version yet
    return _json(app, req, issue, comment)


@route("DELETE", "issue/{id}/comment/{cid}")
def delete_comment(app: App, req: Request) -> Response:
    """Delete a comment (204)."""
    issue = app.store.get(req.groups[0])
    comment = _comment(issue, req.groups[1], app, req)
    permissions.require(
        app.store.catalog,
        req.me,
        "ADD_COMMENTS",
        issue.project_id,
        "You do not have the permission to delete this comment.",
    )
    app.store.check_write(req.me, issue.project_id)
    app.store.delete_comment(issue, comment)
    return Response(204)
