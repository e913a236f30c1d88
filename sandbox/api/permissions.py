"""What the caller may do: ``mypermissions`` and the assignable-user search.

Clients ask ``mypermissions`` before offering an action (create, edit, log work) and
``user/assignable/search`` before setting an assignee; both answer per user, from the role
model in ``sandbox.permissions``, so the read-only viewer sees ``havePermission: false``.
"""

from __future__ import annotations

from typing import Any

from sandbox import permissions, render
from sandbox.app import App, Request, route
from sandbox.errors import JiraError, not_found
from sandbox.model import Project

# Writes a project made read-only with ``set_read_only`` refuses, whatever the role says.
_WRITE_KEYS = frozenset(permissions.PERMISSIONS) - {"BROWSE_PROJECTS"}


def _context(app: App, req: Request) -> Project | None:
    """The project named by projectKey/projectId/issueKey/issueId (None: global context)."""
    cat = app.store.catalog
    key = req.param("projectKey") or req.param("projectId")
    if key:
        project = cat.project(key)
        if project is None:
            raise JiraError(404, f"No project could be found with key '{key}'.")
        return project
    ident = req.param("issueKey") or req.param("issueId")
    if ident:
        issue = app.store.find(ident)
        if issue is None:
            raise not_found()
        return cat.projects[issue.project_id]
    return None


@route("GET", "mypermissions")
def my_permissions(app: App, req: Request) -> Any:
    """Permissions of the caller, globally or in a project or issue (Permissions schema).

    Cloud requires ``permissions``; Data Center lists every permission without it.
    """
    wanted = req.param_list("permissions")
    if not wanted:
        if app.cloud:
            raise JiraError(400, "The 'permissions' query parameter is required.")
        wanted = list(permissions.PERMISSIONS)
    unknown = [k for k in wanted if k not in permissions.PERMISSIONS]
    if unknown:
        raise JiraError(400, f"Unrecognized permission keys: {', '.join(unknown)}.")
    project = _context(app, req)
    store, user = app.store, req.me
    out: dict[str, Any] = {}
    for key in dict.fromkeys(wanted):
        perm = permissions.PERMISSIONS[key]
        have = permissions.has(store.catalog, user, key, project)
        if key in _WRITE_KEYS and user.username in store.read_only_users:
            have = False
        if key in _WRITE_KEYS and project is not None and project.key in store.read_only_projects:
            have = False
        out[key] = {
            "id": perm.id,
            "key": perm.key,
            "name": perm.name,
            "type": "PROJECT",
            "description": perm.description,
            "havePermission": have,
        }
    return {"permissions": out}


@route("GET", "user/assignable/search")
def assignable_users(app: App, req: Request) -> Any:
    """Users who may be assigned issues of a project (its Developers), matching ``query``
    (Cloud) or ``username`` (Data Center) by name or email prefix."""
    cat = app.store.catalog
    ident = req.param("issueKey") or req.param("issueId")
    if ident:
        issue = app.store.find(ident)
        if issue is None:
            raise not_found()
        project = cat.projects[issue.project_id]
    elif req.param("project"):
        found = cat.project(req.param("project"))
        if found is None:
            raise JiraError(404, f"No project could be found with key '{req.param('project')}'.")
        project = found
    else:
        raise JiraError(400, "The 'issueKey', 'issueId' or 'project' parameter is required.")
    term = (req.param("query") or ("" if app.cloud else req.param("username")) or "").lower()
    if app.cloud and req.param("accountId"):
        users = [
            u
            for u in permissions.role_members(cat, "Developers", project)
            if u.account_id == req.param("accountId")
        ]
    else:
        users = [
            u
            for u in permissions.role_members(cat, "Developers", project)
            if u.active
            and (
                not term
                or u.email.lower().startswith(term)
                or u.display_name.lower().startswith(term)
                or any(part.lower().startswith(term) for part in u.display_name.split())
                or (not app.cloud and u.username.lower().startswith(term))
            )
        ]
    start = req.int_param("startAt", 0)
    size = req.int_param("maxResults", 50)
    if start < 0 or size < 0:
        raise JiraError(400, "startAt and maxResults must not be negative.")
    ctx = app.ctx(req.api)
    return [render.user_json(u, ctx) for u in users[start : start + size]]
