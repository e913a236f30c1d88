"""Create metadata: the classic ``issue/createmeta`` and the paged per-project forms."""

from __future__ import annotations

from typing import Any

from sandbox import fieldmeta, render
from sandbox.app import App, Request, route
from sandbox.errors import JiraError
from sandbox.model import IssueType, Project

_REQUIRED = fieldmeta.CREATE_REQUIRED


def _type_json(app: App, req: Request, project: Project, it: IssueType, with_fields: bool) -> Any:
    out = render.issue_type_json(it, app.ctx(req.api))
    out["expand"] = "fields"
    if with_fields:
        out["fields"] = fieldmeta.screen_metadata(
            app.store.catalog.screen(it.id), app.ctx(req.api), project.id, _REQUIRED
        )
    return out


@route("GET", "issue/createmeta")
def createmeta(app: App, req: Request) -> Any:
    """Projects and their issue types, with fields when ``expand=projects.issuetypes.fields``.

    Jira Data Center 9 removed this endpoint (use the per-project forms), so DC mode says 404.
    """
    if not app.cloud:
        raise JiraError(404, "null for uri: /rest/api/2/issue/createmeta")
    cat = app.store.catalog
    ctx = app.ctx(req.api)
    keys = {k.upper() for k in req.param_list("projectKeys")}
    ids = set(req.param_list("projectIds"))
    type_ids = set(req.param_list("issuetypeIds"))
    type_names = {n.lower() for n in req.param_list("issuetypeNames")}
    with_fields = "projects.issuetypes.fields" in req.param_list("expand")
    projects = []
    for p in cat.projects.values():
        if (keys or ids) and p.key not in keys and p.id not in ids:
            continue
        types = [
            cat.issue_types[t]
            for t in p.issue_type_ids
            if (not type_ids and not type_names)
            or t in type_ids
            or cat.issue_types[t].name.lower() in type_names
        ]
        projects.append(
            {
                "self": ctx.rest(f"project/{p.id}"),
                "id": p.id,
                "key": p.key,
                "name": p.name,
                "avatarUrls": render.avatar_urls("project", p.key),
                "issuetypes": [_type_json(app, req, p, t, with_fields) for t in types],
            }
        )
    return {"expand": "projects", "projects": projects}


def _project(app: App, ident: str) -> Project:
    p = app.store.catalog.project(ident)
    if p is None:
        raise JiraError(404, f"No project could be found with key '{ident}'.")
    return p


def _page(app: App, req: Request, items: list[Any], cloud_key: str) -> Any:
    start = req.int_param("startAt", 0)
    size = req.int_param("maxResults", 50)
    page = items[start : start + size]
    out: dict[str, Any] = {"maxResults": size, "startAt": start, "total": len(items)}
    if app.cloud:
        out[cloud_key] = page
    else:
        # Data Center names the list "values" and says whether it is the last page.
        out["values"] = page
        out["isLast"] = start + size >= len(items)
    return out


@route("GET", "issue/createmeta/{project}/issuetypes")
def createmeta_types(app: App, req: Request) -> Any:
    """The issue types a project offers for creation, paged."""
    p = _project(app, req.groups[0])
    ctx = app.ctx(req.api)
    items = [
        render.issue_type_json(app.store.catalog.issue_types[t], ctx) for t in p.issue_type_ids
    ]
    return _page(app, req, items, "issueTypes")


@route("GET", "issue/createmeta/{project}/issuetypes/{type}")
def createmeta_fields(app: App, req: Request) -> Any:
    """The create screen's fields for one project and issue type, paged."""
    p = _project(app, req.groups[0])
    it = app.store.catalog.issue_type(req.groups[1])
    if it is None or it.id not in p.issue_type_ids:
        raise JiraError(404, f"Issue type with id '{req.groups[1]}' not found in the project.")
    meta = fieldmeta.screen_metadata(
        app.store.catalog.screen(it.id), app.ctx(req.api), p.id, _REQUIRED, with_field_id=True
    )
    return _page(app, req, list(meta.values()), "fields")
