"""Worklog resources: list and add logged work on an issue, read, edit and delete one.

Logging work needs ``WORK_ON_ISSUES`` (the read-only viewer gets Jira's 400); worklogs
restricted to a role or group are hidden from users outside it, as comments are.
"""

from __future__ import annotations

from typing import Any

from sandbox import permissions, timetracking, worklogs
from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError
from sandbox.model import Issue
from sandbox.visibility import parse_visibility
from sandbox.writes import comment_body

_SPENT_REQUIRED = "You must indicate the time spent working."
_SPENT_INVALID = "Invalid time duration entered."


def _visible(app: App, req: Request, issue: Issue, rec: dict[str, Any]) -> bool:
    return permissions.can_see(app.store.catalog, req.me, rec.get("visibility"), issue.project_id)


def _visible_record(app: App, req: Request, issue: Issue, wid: str) -> dict[str, Any]:
    rec = worklogs.find(issue, wid)
    if not _visible(app, req, issue, rec):
        raise JiraError(404, f"Cannot find worklog with id: {wid}.")
    return rec


def _json(app: App, req: Request, issue: Issue, rec: dict[str, Any]) -> dict[str, Any]:
    """A worklog for this request. ``expand`` takes only ``properties`` on these resources
    (worklog properties: none here, so an empty list); ``renderedFields`` is the issue's."""
    out = worklogs.worklog_json(issue, rec, app.ctx(req.api))
    if "properties" in {e.strip().lower() for e in req.param_list("expand")}:
        out["properties"] = []
    return out


def _body(req: Request) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict):
        raise JiraError(400, "Can not deserialize the request body: expected a JSON object.")
    return body


def _seconds(body: dict[str, Any], required: bool) -> int | None:
    """Time spent from ``timeSpent`` ("3h 30m") or ``timeSpentSeconds``; 400 if bad."""
    if "timeSpentSeconds" in body and body["timeSpentSeconds"] is not None:
        raw = body["timeSpentSeconds"]
        if isinstance(raw, str) and raw.strip().isdigit():  # Jira's JSON reader coerces "3600"
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
            raise JiraError(400, None, {"timeLogged": _SPENT_INVALID})
        return raw
    if body.get("timeSpent") not in (None, ""):
        seconds = timetracking.parse_duration(body["timeSpent"])
        if seconds is None or seconds <= 0:
            raise JiraError(400, None, {"timeLogged": _SPENT_INVALID})
        return seconds
    if required:
        raise JiraError(400, None, {"timeLogged": _SPENT_REQUIRED})
    return None


def _comment(app: App, req: Request, body: dict[str, Any]) -> dict[str, Any] | None:
    raw = body.get("comment")
    if raw in (None, ""):
        return None
    try:
        return comment_body(app, req, raw)
    except JiraError as err:
        if "Comment body can not be empty!" in err.errors.values():
            return None
        raise


@route("GET", "issue/{id}/worklog")
def list_worklogs(app: App, req: Request) -> Any:
    """Worklogs of an issue, paged (PageOfWorklogs); ``startedAfter``/``startedBefore`` are
    epoch milliseconds."""
    issue = app.store.get(req.groups[0])
    after = req.int_param("startedAfter", 0)
    before = req.int_param("startedBefore", 2**62)
    start = req.int_param("startAt", 0)
    size = req.int_param("maxResults", 5000)
    if start < 0 or size < 0:
        raise JiraError(400, "startAt and maxResults must not be negative.")
    items = [
        r
        for r in worklogs.records(issue)
        if after <= r["started"] < before and _visible(app, req, issue, r)
    ]
    return {
        "startAt": start,
        "maxResults": size,
        "total": len(items),
        "worklogs": [_json(app, req, issue, r) for r in items[start : start + size]],
    }


@route("POST", "issue/{id}/worklog")
def add_worklog(app: App, req: Request) -> Response:
    """Log work (201); ``adjustEstimate`` moves the remaining estimate (default ``auto``)."""
    issue = app.store.get(req.groups[0])
    cat = app.store.catalog
    permissions.require(cat, req.me, "WORK_ON_ISSUES", issue.project_id)
    app.store.check_write(req.me, issue.project_id)
    body = _body(req)
    seconds = _seconds(body, required=True)
    assert seconds is not None
    started = timetracking.parse_started(body.get("started"), app.store.now_ms())
    comment = _comment(app, req, body)
    visibility = parse_visibility(cat, req.me, body.get("visibility"), issue.project_id)
    remaining = worklogs.remaining_after(
        req.param("adjustEstimate"),
        issue.fields.get("timeestimate"),
        seconds,
        new_estimate=req.param("newEstimate"),
        amount=req.param("reduceBy"),
        amount_name="reduceBy",
    )
    rec = worklogs.add(
        app.store,
        issue,
        req.me.username,
        seconds=seconds,
        started=started,
        comment=comment,
        visibility=visibility,
        remaining=remaining,
    )
    return Response(201, _json(app, req, issue, rec))


@route("GET", "issue/{id}/worklog/{wid}")
def get_worklog(app: App, req: Request) -> Any:
    """One worklog."""
    issue = app.store.get(req.groups[0])
    rec = _visible_record(app, req, issue, req.groups[1])
    return _json(app, req, issue, rec)


@route("PUT", "issue/{id}/worklog/{wid}")
def edit_worklog(app: App, req: Request) -> Any:
    """Change a worklog's time spent, start, comment or visibility."""
    issue = app.store.get(req.groups[0])
    cat = app.store.catalog
    rec = _visible_record(app, req, issue, req.groups[1])
    permissions.require(
        cat,
        req.me,
        "WORK_ON_ISSUES",
        issue.project_id,
        "You do not have the permission to update this worklog.",
    )
    app.store.check_write(req.me, issue.project_id)
    body = _body(req)
    changes: dict[str, Any] = {}
    seconds = _seconds(body, required=False)
    if seconds is not None:
        changes["time_spent"] = seconds
    if "started" in body:
        changes["started"] = timetracking.parse_started(body["started"], rec["started"])
    if "comment" in body:
        changes["comment"] = _comment(app, req, body)
    if "visibility" in body:
        changes["visibility"] = parse_visibility(
            cat, req.me, body.get("visibility"), issue.project_id
        )
    mode = req.param("adjustEstimate")
    remaining = worklogs.remaining_after(
        "leave" if (mode or "").lower() == "manual" else mode,
        issue.fields.get("timeestimate"),
        changes.get("time_spent", rec["time_spent"]) - rec["time_spent"],
        new_estimate=req.param("newEstimate"),
        amount=None,
        amount_name="reduceBy",
    )
    new = worklogs.update(app.store, issue, rec["id"], req.me.username, changes, remaining)
    return _json(app, req, issue, new)


@route("DELETE", "issue/{id}/worklog/{wid}")
def delete_worklog(app: App, req: Request) -> Response:
    """Delete a worklog (204); ``auto`` gives its time back to the remaining estimate."""
    issue = app.store.get(req.groups[0])
    rec = _visible_record(app, req, issue, req.groups[1])
    permissions.require(
        app.store.catalog,
        req.me,
        "WORK_ON_ISSUES",
        issue.project_id,
        "You do not have the permission to delete this worklog.",
    )
    app.store.check_write(req.me, issue.project_id)
    remaining = worklogs.remaining_after(
        req.param("adjustEstimate"),
        issue.fields.get("timeestimate"),
        -rec["time_spent"],
        new_estimate=req.param("newEstimate"),
        amount=req.param("increaseBy"),
        amount_name="increaseBy",
    )
    worklogs.delete(app.store, issue, rec["id"], req.me.username, remaining)
    return Response(204)
