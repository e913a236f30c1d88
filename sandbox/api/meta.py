"""Site-level resources: serverInfo, myself, fields, projects, types, statuses, users."""

from __future__ import annotations

from typing import Any

from sandbox import render
from sandbox.app import App, Request, route
from sandbox.catalog import STATUS_CATEGORIES
from sandbox.errors import JiraError


@route("GET", "serverInfo", public=True)
def server_info(app: App, req: Request) -> Any:
    """Clients read ``deploymentType`` here to tell Cloud from Data Center."""
    return render.server_info_json(app.ctx(req.api), app.store.now_ms())


@route("GET", "myself")
def myself(app: App, req: Request) -> Any:
    """The authenticated user, with the time zone JQL dates are read in."""
    return render.user_json(req.me, app.ctx(req.api), full=True)


@route("GET", "field")
def fields(app: App, req: Request) -> Any:
    """System and custom fields with their schema; clients find custom ids by name here."""
    cat = app.store.catalog
    return [render.field_json(fd, cat) for fd in cat.fields.values()]


@route("GET", "project")
def projects(app: App, req: Request) -> Any:
    """Every project (the legacy list form)."""
    ctx = app.ctx(req.api)
    return [render.project_json(p, ctx) for p in app.store.catalog.projects.values()]


@route("GET", "project/search")
def project_search(app: App, req: Request) -> Any:
    """Projects, paginated (PageBeanProject)."""
    ctx = app.ctx(req.api)
    start = req.int_param("startAt", 0)
    size = req.int_param("maxResults", 50)
    wanted = set(req.param_list("keys"))
    query = (req.param("query") or "").lower()
    items = [
        p
        for p in app.store.catalog.projects.values()
        if (not wanted or p.key in wanted) and (query in p.key.lower() or query in p.name.lower())
    ]
    page = items[start : start + size]
    return {
        "self": ctx.rest("project/search"),
        "maxResults": size,
        "startAt": start,
        "total": len(items),
        "isLast": start + size >= len(items),
        "values": [render.project_json(p, ctx) for p in page],
    }


@route("GET", "project/{key}")
def project(app: App, req: Request) -> Any:
    """One project by id or key."""
    p = app.store.catalog.project(req.groups[0])
    if p is None:
        raise JiraError(404, f"No project could be found with key '{req.groups[0]}'.")
    return render.project_json(p, app.ctx(req.api))


@route("GET", "issuetype")
def issue_types(app: App, req: Request) -> Any:
    """Every issue type."""
    ctx = app.ctx(req.api)
    return [render.issue_type_json(t, ctx) for t in app.store.catalog.issue_types.values()]


@route("GET", "issuetype/{id}")
def issue_type(app: App, req: Request) -> Any:
    """One issue type."""
    it = app.store.catalog.issue_types.get(req.groups[0])
    if it is None:
        raise JiraError(404, f"The issue type with id '{req.groups[0]}' does not exist.")
    return render.issue_type_json(it, app.ctx(req.api))


@route("GET", "status")
def statuses(app: App, req: Request) -> Any:
    """Every status with its category."""
    ctx = app.ctx(req.api)
    return [render.status_json(s, ctx) for s in app.store.catalog.statuses.values()]


@route("GET", "status/{id}")
def status(app: App, req: Request) -> Any:
    """One status by id or name."""
    st = app.store.catalog.status(req.groups[0])
    if st is None:
        raise JiraError(404, f"The status with id '{req.groups[0]}' does not exist.")
    return render.status_json(st, app.ctx(req.api))


@route("GET", "statuscategory")
def status_categories(app: App, req: Request) -> Any:
    """Jira's four status categories."""
    ctx = app.ctx(req.api)
    return [render.status_category_json(k, ctx) for k in STATUS_CATEGORIES]


@route("GET", "priority")
def priorities(app: App, req: Request) -> Any:
    """Every priority, highest first."""
    ctx = app.ctx(req.api)
    return [render.priority_json(p, ctx) for p in app.store.catalog.priorities.values()]


@route("GET", "resolution")
def resolutions(app: App, req: Request) -> Any:
    """Every resolution."""
    ctx = app.ctx(req.api)
    return [
        {"self": ctx.rest(f"resolution/{r.id}"), "id": r.id, "name": r.name, "description": r.name}
        for r in app.store.catalog.resolutions.values()
    ]


@route("GET", "user/search")
def user_search(app: App, req: Request) -> Any:
    """Users matching ``query`` (Cloud) or ``username`` (Data Center)."""
    ctx = app.ctx(req.api)
    term = req.param("query") if app.cloud else (req.param("username") or req.param("query"))
    if app.cloud and req.param("accountId"):
        users = [
            u for u in app.store.catalog.users.values() if u.account_id == req.param("accountId")
        ]
    else:
        if not term:
            raise JiraError(400, "The query parameter 'query' is required.")
        low = term.lower()
        users = [
            u
            for u in app.store.catalog.users.values()
            if u.email.lower().startswith(low)
            or (app.cloud and u.account_id.lower() == low)  # Cloud's query matches an accountId
            or any(part.lower().startswith(low) for part in u.display_name.split())
            or u.display_name.lower().startswith(low)
            or (not app.cloud and u.username.lower().startswith(low))
        ]
    start = req.int_param("startAt", 0)
    size = req.int_param("maxResults", 50)
    return [render.user_json(u, ctx) for u in users[start : start + size]]


@route("GET", "user")
def user(app: App, req: Request) -> Any:
    """One user by accountId (Cloud) or username/key (Data Center)."""
    cat = app.store.catalog
    if app.cloud:
        ident = req.param("accountId")
        found = next((u for u in cat.users.values() if u.account_id == ident), None)
    else:
        ident = req.param("username") or req.param("key")
        found = next((u for u in cat.users.values() if ident in (u.username, u.key)), None)
    if found is None:
        raise JiraError(404, f"The user with the identifier '{ident}' does not exist.")
    return render.user_json(found, app.ctx(req.api), full=True)
