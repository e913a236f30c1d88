"""Transitions: list the ones available and perform one (the only way to change status)."""

from __future__ import annotations

from typing import Any

from sandbox import fieldmeta, permissions
from sandbox.api.issues import available_transitions
from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError
from sandbox.writes import parse_update


@route("GET", "issue/{id}/transitions")
def list_transitions(app: App, req: Request) -> Any:
    """Transitions from the current status; ``expand=transitions.fields`` adds screens."""
    issue = app.store.get(req.groups[0])
    ctx = app.ctx(req.api)
    with_fields = "transitions.fields" in req.param_list("expand")
    only = req.param("transitionId")

    def screen(t: Any) -> dict[str, Any]:
        return fieldmeta.screen_metadata(t.screen_fields, ctx, issue.project_id, t.required_fields)

    items = [
        app.renderer.transition(t, ctx, screen if with_fields else None)
        for t in available_transitions(app, req, issue)
        if only is None or t.id == only
    ]
    return {"expand": "transitions", "transitions": items}


@route("POST", "issue/{id}/transitions")
def do_transition(app: App, req: Request) -> Response:
    """Perform a transition; its screen's required fields must be given (400 otherwise)."""
    issue = app.store.get(req.groups[0])
    body = req.json()
    transition = body.get("transition") if isinstance(body, dict) else None
    tid = transition.get("id") if isinstance(transition, dict) else None
    if tid is None:
        raise JiraError(400, "Missing 'transition' identifier")
    permissions.require(app.store.catalog, req.me, "TRANSITION_ISSUES", issue.project_id)
    app.store.check_write(req.me, issue.project_id)
    workflow = app.store.catalog.workflows[issue.fields["issuetype"]]
    tdef = next((t for t in workflow.available(issue.fields["status"]) if t.id == str(tid)), None)
    if tdef is None:
        raise JiraError(400, f"Transition id '{tid}' is not valid for this issue.")
    changes, comments = parse_update(app, req, body, screen=set(tdef.screen_fields), current=issue)
    missing = {
        fid: f"{app.store.catalog.fields[fid].name} is required."
        for fid in tdef.required_fields
        if (changes.get(fid) in (None, [], "") and issue.fields.get(fid) in (None, [], ""))
        or (fid in changes and changes[fid] in (None, [], ""))
    }
    if missing:
        raise JiraError(400, None, missing)
    app.store.transition(issue, tdef, changes, req.me.username)
    for doc in comments:
        app.store.add_comment(issue, doc, req.me.username)
    return Response(204)
