"""Single-entity lookups clients resolve ids with: priority, resolution, status category,
custom field option, and the statuses each issue type of a project can be in."""

from __future__ import annotations

from typing import Any

from sandbox import render
from sandbox.app import App, Request, route
from sandbox.catalog import STATUS_CATEGORIES
from sandbox.errors import JiraError


@route("GET", "priority/{id}")
def priority(app: App, req: Request) -> Any:
    """One priority by id."""
    found = app.store.catalog.priorities.get(req.groups[0])
    if found is None:
        raise JiraError(404, f"The priority with id '{req.groups[0]}' does not exist.")
    return render.priority_json(found, app.ctx(req.api))


@route("GET", "resolution/{id}")
def resolution(app: App, req: Request) -> Any:
    """One resolution by id."""
    found = app.store.catalog.resolutions.get(req.groups[0])
    if found is None:
        raise JiraError(404, f"The resolution with id '{req.groups[0]}' does not exist.")
    ctx = app.ctx(req.api)
    return {
        "self": ctx.rest(f"resolution/{found.id}"),
        "id": found.id,
        "name": found.name,
        "description": found.name,
    }


@route("GET", "statuscategory/{idOrKey}")
def status_category(app: App, req: Request) -> Any:
    """One status category by numeric id or key (``new``, ``indeterminate``, ``done``)."""
    ident = req.groups[0].lower()
    for key, cat in STATUS_CATEGORIES.items():
        if ident in (key, str(cat.id)):
            return render.status_category_json(key, app.ctx(req.api))
    raise JiraError(404, f"The status category '{req.groups[0]}' does not exist.")


@route("GET", "customFieldOption/{id}")
def custom_field_option(app: App, req: Request) -> Any:
    """A select option by id (CustomFieldOption: only ``self`` and ``value``)."""
    oid = req.groups[0]
    for fd in app.store.catalog.fields.values():
        opt = fd.option_by(option_id=oid) if fd.options else None
        if opt is not None:
            self_url = app.ctx(req.api).rest(f"customFieldOption/{opt.id}")
            return {"self": self_url, "value": opt.value}
    raise JiraError(404, f"The custom field option with id '{oid}' does not exist.")


@route("GET", "project/{key}/statuses")
def project_statuses(app: App, req: Request) -> Any:
    """Each issue type of a project with the statuses its workflow uses."""
    cat = app.store.catalog
    project = cat.project(req.groups[0])
    if project is None:
        raise JiraError(404, f"No project could be found with key '{req.groups[0]}'.")
    ctx = app.ctx(req.api)
    out = []
    for tid in project.issue_type_ids:
        it = cat.issue_types[tid]
        workflow = cat.workflows[tid]
        out.append(
            {
                "self": ctx.rest(f"issuetype/{tid}"),
                "id": tid,
                "name": it.name,
                "subtask": False,
                "statuses": [
                    render.status_json(cat.statuses[s], ctx) for s in workflow.status_ids()
                ],
            }
        )
    return out
