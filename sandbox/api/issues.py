"""Issue resources: get, create, edit, delete, assign, bulk create, bulk fetch, editmeta."""

from __future__ import annotations

from typing import Any

from sandbox import fieldmeta, issuetype_change, links, permissions, timetracking, values
from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError, not_found
from sandbox.model import Issue
from sandbox.serialize import split_param
from sandbox.visibility import hide_restricted
from sandbox.writes import parse_update

BULK_CREATE_MAX = 50
BULK_FETCH_MAX = 100


def issue_payload(
    app: App,
    req: Request,
    issue: Issue,
    fields: list[str],
    expand: set[str],
    properties: list[str],
    default: str = "*all",
) -> dict[str, Any]:
    """An issue as ``GET /issue`` renders it (also used by search and bulk fetch)."""
    chosen = app.renderer.select_fields(fields, default)
    if chosen is None and default != "id":
        chosen = []  # only search/jql answers with bare ids; GET issue keeps its envelope
    payload = app.renderer.issue_json(
        issue,
        req.api,
        chosen,
        expand,
        properties,
        transitions=lambda i: available_transitions(app, req, i),
        editmeta=lambda i, api: editmeta_json(app, req, i),
    )
    hide_restricted(payload, issue, app.store.catalog, req.me)
    return payload


def available_transitions(app: App, req: Request, issue: Issue) -> list[Any]:
    """Transitions the user may take now (none without edit permission, as in Jira)."""
    try:
        app.store.check_write(req.me, issue.project_id)
    except JiraError:
        return []
    workflow = app.store.catalog.workflows[issue.fields["issuetype"]]
    return workflow.available(issue.fields["status"])


def edit_screen(app: App, issue: Issue) -> set[str]:
    """Fields settable by ``PUT /issue``: the type's screen without project and type."""
    return set(app.store.catalog.screen(issue.fields["issuetype"])) - {"project", "issuetype"}


def editmeta_json(app: App, req: Request, issue: Issue) -> dict[str, Any]:
    """IssueUpdateMetadata for an issue (empty without edit permission)."""
    try:
        app.store.check_write(req.me, issue.project_id)
    except JiraError:
        return {"fields": {}}
    screen = [f for f in app.store.catalog.screen(issue.fields["issuetype"]) if f != "project"]
    meta = fieldmeta.screen_metadata(
        [*screen, "comment"], app.ctx(req.api), issue.project_id, ("summary", "issuetype")
    )
    return {"fields": meta}


@route("GET", "issue/{id}")
def get_issue(app: App, req: Request) -> Any:
    """One issue; ``fields`` defaults to ``*all``; ``expand`` and ``properties`` honoured."""
    issue = app.store.get(req.groups[0])
    expand = {e.lower() for e in req.param_list("expand")}
    return issue_payload(
        app, req, issue, req.param_list("fields"), expand, req.param_list("properties")
    )


def create_one(app: App, req: Request, body: Any) -> Issue:
    """Validate and create one issue from an IssueUpdateDetails body."""
    if not isinstance(body, dict):
        raise JiraError(400, "Can not deserialize the request body: expected a JSON object.")
    cat = app.store.catalog
    fields = body.get("fields") or {}
    errors: dict[str, str] = {}
    project = cat.project(values.reference(fields.get("project"), ("id", "key")))
    if project is None:
        errors["project"] = "Specify a valid project ID or key"
    issue_type = cat.issue_type(values.reference(fields.get("issuetype"), ("id", "name")))
    if issue_type is None or (project and issue_type.id not in project.issue_type_ids):
        errors["issuetype"] = "Specify an issue type"
    if errors:
        raise JiraError(400, None, errors)
    assert project is not None and issue_type is not None
    permissions.require(cat, req.me, "CREATE_ISSUES", project.id)
    app.store.check_write(req.me, project.id)
    screen = set(cat.screen(issue_type.id))
    changes, comments = parse_update(
        app, req, body, screen=screen, current=None, project_id=project.id
    )
    new_links = changes.pop(links.FIELD, [])
    changes.pop("project", None)
    changes.pop("issuetype", None)
    timetracking.expand_changes(changes, None)
    if not changes.get("summary"):
        raise JiraError(400, None, {"summary": "You must specify a summary of the issue."})
    props: dict[str, Any] = {}
    for prop in body.get("properties") or []:
        if not isinstance(prop, dict) or "key" not in prop:
            raise JiraError(400, "Each property needs a 'key' and a 'value'.")
        props[str(prop["key"])] = prop.get("value")
    permissions.check_assignable(cat, changes.get("assignee"), project.id)
    reporter = changes.pop("reporter", None) or req.me.username
    issue = app.store.create(project.id, issue_type.id, changes, reporter, properties=props)
    links.apply_ops(app.store, issue, new_links, req.me.username)
    for doc in comments:
        app.store.add_comment(issue, doc, req.me.username)
    return issue


def created_json(app: App, req: Request, issue: Issue) -> dict[str, Any]:
    """CreatedIssue: id, key and self link."""
    return {
        "id": str(issue.id),
        "key": issue.key,
        "self": app.ctx(req.api).rest(f"issue/{issue.id}"),
    }


@route("POST", "issue")
def create_issue(app: App, req: Request) -> Response:
    """Create an issue (201 with id/key/self)."""
    issue = create_one(app, req, req.json())
    return Response(201, created_json(app, req, issue))


@route("PUT", "issue/{id}")
def edit_issue(app: App, req: Request) -> Response:
    """Edit fields on the edit screen; status is not editable (use transitions), as in Jira."""
    issue = app.store.get(req.groups[0])
    permissions.require(app.store.catalog, req.me, "EDIT_ISSUES", issue.project_id)
    app.store.check_write(req.me, issue.project_id)
    body, new_type = issuetype_change.extract(app.store.catalog, issue, req.json())
    changes, comments = parse_update(app, req, body, screen=edit_screen(app, issue), current=issue)
    new_links = changes.pop(links.FIELD, [])
    timetracking.expand_changes(changes, issue)
    if "assignee" in changes:
        permissions.check_assignable(app.store.catalog, changes["assignee"], issue.project_id)
    old_type = issue.fields["issuetype"]
    if new_type is not None:
        changes["issuetype"] = new_type
    app.store.edit(issue, changes, req.me.username)
    issuetype_change.reindex(app.store, issue, old_type)
    links.apply_ops(app.store, issue, new_links, req.me.username)
    for doc in comments:
        app.store.add_comment(issue, doc, req.me.username)
    if (req.param("returnIssue") or "").lower() == "true":
        return Response(200, issue_payload(app, req, issue, [], set(), []))
    return Response(204)


@route("DELETE", "issue/{id}")
def delete_issue(app: App, req: Request) -> Response:
    """Delete an issue (403 without permission)."""
    issue = app.store.get(req.groups[0])
    permissions.require(app.store.catalog, req.me, "DELETE_ISSUES", issue.project_id)
    app.store.check_write(req.me, issue.project_id)
    links.unlink_all(app.store, issue, req.me.username)  # Jira drops an issue's links too
    app.store.delete(issue)
    return Response(204)


@route("PUT", "issue/{id}/assignee")
def assign(app: App, req: Request) -> Response:
    """Set the assignee (``accountId`` in Cloud, ``name`` in Data Center; null unassigns)."""
    issue = app.store.get(req.groups[0])
    permissions.require(app.store.catalog, req.me, "ASSIGN_ISSUES", issue.project_id)
    app.store.check_write(req.me, issue.project_id)
    body = req.json()
    key = "accountId" if app.cloud else "name"
    ident = body.get(key) if isinstance(body, dict) else None
    if ident in (None, "-1"):
        value = None
    else:
        fd = app.store.catalog.fields["assignee"]
        value = values.parse_value(fd, {key: ident}, app.ctx(req.api))
        permissions.check_assignable(app.store.catalog, value, issue.project_id)
    app.store.edit(issue, {"assignee": value}, req.me.username)
    return Response(204)


@route("GET", "issue/{id}/editmeta")
def editmeta(app: App, req: Request) -> Any:
    """The edit screen's fields with required flags and allowed values."""
    return editmeta_json(app, req, app.store.get(req.groups[0]))


@route("POST", "issue/bulk")
def bulk_create(app: App, req: Request) -> Response:
    """Create up to 50 issues; partial failure is still 201 with per-element errors."""
    body = req.json()
    updates = body.get("issueUpdates") if isinstance(body, dict) else None
    if not isinstance(updates, list):
        raise JiraError(400, "The request body must contain 'issueUpdates'.")
    if len(updates) > BULK_CREATE_MAX:
        raise JiraError(
            400, f"The number of issues to create ({len(updates)}) exceeds the maximum of 50."
        )
    created: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for n, item in enumerate(updates):
        try:
            created.append(created_json(app, req, create_one(app, req, item)))
        except JiraError as err:
            errors.append(
                {
                    "status": err.status,
                    "elementErrors": {"errorMessages": err.messages, "errors": err.errors},
                    "failedElementNumber": n,
                }
            )
    status = 201 if created or not updates else 400
    return Response(status, {"issues": created, "errors": errors})


@route("POST", "issue/bulkfetch")
def bulk_fetch(app: App, req: Request) -> Any:
    """Fetch up to 100 issues by id or key; unknown ones are listed in ``issueErrors``."""
    body = req.json()
    idents = body.get("issueIdsOrKeys") if isinstance(body, dict) else None
    if not isinstance(idents, list) or not idents:
        raise JiraError(400, "issueIdsOrKeys must contain at least one issue id or key.")
    if len(idents) > BULK_FETCH_MAX:
        raise JiraError(400, "The number of issues requested exceeds the maximum of 100.")
    fields = split_param(body.get("fields"), "fields") or ["*navigable"]
    expand = {e.lower() for e in split_param(body.get("expand"), "expand")}
    props = split_param(body.get("properties"), "properties")
    issues, issue_errors = [], []
    for ident in idents:
        issue = app.store.find(str(ident))
        if issue is None:
            issue_errors.append({"id": str(ident), "errorMessage": not_found().messages[0]})
            continue
        issues.append(issue_payload(app, req, issue, fields, expand, props, "*navigable"))
    return {"issues": issues, "issueErrors": issue_errors}
