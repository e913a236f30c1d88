"""Project versions and components: create, read, update, delete, and the project lists.

Deleting a version or component takes it off every issue (or moves those issues to the
replacement given by ``moveFixIssuesTo`` / ``moveAffectedIssuesTo`` / ``moveIssuesTo``),
through ``Store.edit`` so the issues' changelog and ``updated`` show it. Renaming one
changes how every issue shows it, so the rendered-issue cache is dropped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox import versions
from sandbox.app import App, Request, Response, route
from sandbox.errors import JiraError, not_found
from sandbox.model import Component, Project, Version

ASSIGNEE_TYPES = ("PROJECT_DEFAULT", "COMPONENT_LEAD", "PROJECT_LEAD", "UNASSIGNED")
_VERSION_ORDER = {"name", "description", "releaseDate", "startDate", "sequence"}


def _body(req: Request) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict):
        raise JiraError(400, "Can not deserialize the request body: expected a JSON object.")
    return body


def _project(app: App, ident: Any) -> Project:
    p = app.store.catalog.project(str(ident)) if isinstance(ident, str | int) else None
    if p is None:
        raise JiraError(404, f"No project could be found with key '{ident}'.")
    return p


def _text(body: dict[str, Any], key: str, errors: dict[str, str], limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[key] = f"'{key}' must be a string."
        return None
    if len(value) > limit:
        errors[key] = f"The {key} must not be longer than {limit} characters."
    return value


def _date(body: dict[str, Any], key: str, errors: dict[str, str]) -> str | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        errors[key] = "Invalid date format. Please enter the date in the format 'yyyy-MM-dd'."
        return None


def _flag(body: dict[str, Any], key: str, errors: dict[str, str], default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        errors[key] = f"'{key}' must be true or false."
        return default
    return value


def _changed(app: App) -> None:
    """Issues show names and dates of versions/components: drop what was rendered."""
    app.renderer.clear_cache()
    app.result_cache.clear()
    app.store.generation += 1


def _strip(app: App, req: Request, kind: str, old_id: str, new_id: str | None) -> None:
    """Take ``old_id`` off every issue's fields of ``kind`` (putting ``new_id`` instead)."""
    store = app.store
    fids = {"fix": ["fixVersions"], "affected": ["versions"], "components": ["components"]}[kind]
    for issue in list(store.issues.values()):
        changes = {}
        for fid in fids:
            current = list(issue.fields.get(fid) or [])
            if old_id in current:
                kept = [v for v in current if v != old_id]
                if new_id and new_id not in kept:
                    kept.append(new_id)
                changes[fid] = kept
        if changes:
            store.edit(issue, changes, req.me.username)


# ---------------------------------------------------------------------------------------
# versions
# ---------------------------------------------------------------------------------------
def _version(app: App, ident: str) -> Version:
    found = app.store.catalog.versions.get(ident)
    if found is None:
        raise not_found(f"Could not find version for id '{ident}'")
    return found


def _apply_version(app: App, v: Version, body: dict[str, Any], *, creating: bool) -> None:
    errors: dict[str, str] = {}
    name = _text(body, "name", errors, 255)
    if name is not None or creating:
        name = (name or "").strip()
        if not name and "name" not in errors:
            errors["name"] = "You must specify a valid version name"
        clash = versions.find_by_name(app.store.catalog, "versions", v.project_id, name)
        if name and clash is not None and clash.id != v.id:
            errors["name"] = "A version with this name already exists in this project."
    description = _text(body, "description", errors, 16384)
    start = _date(body, "startDate", errors)
    release = _date(body, "releaseDate", errors)
    released = _flag(body, "released", errors, v.released)
    archived = _flag(body, "archived", errors, v.archived)
    if errors:
        raise JiraError(400, None, errors)
    if name:
        v.name = name
    if description is not None:
        v.description = description
    for key, value in (("startDate", start), ("releaseDate", release)):
        if key in body:
            setattr(v, "start_date" if key == "startDate" else "release_date", value)
    v.released, v.archived = released, archived


@route("POST", "version")
def create_version(app: App, req: Request) -> Response:
    """Create a version in ``projectId`` (or the deprecated ``project`` key)."""
    body = _body(req)
    ident = body.get("projectId", body.get("project"))
    if ident in (None, ""):
        raise JiraError(400, None, {"project": "Project must be specified to create a version."})
    project = _project(app, ident)
    app.store.check_write(req.me, project.id)
    cat = app.store.catalog
    v = Version(versions.next_id(cat.versions), project.id, "")
    _apply_version(app, v, body, creating=True)
    cat.versions[v.id] = v
    _changed(app)
    return Response(201, versions.version_json(v, app.ctx(req.api)))


@route("GET", "version/{id}")
def get_version(app: App, req: Request) -> Any:
    """One version; ``expand=issuesstatus`` adds its fix issues per status category."""
    v = _version(app, req.groups[0])
    out = versions.version_json(v, app.ctx(req.api))
    if "issuesstatus" in {e.lower() for e in req.param_list("expand")}:
        cat = app.store.catalog
        counts = {"toDo": 0, "inProgress": 0, "done": 0, "unmapped": 0}
        bucket = {"new": "toDo", "indeterminate": "inProgress", "done": "done"}
        for issue in app.store.issues.values():
            if v.id in (issue.fields.get("fixVersions") or ()):
                category = cat.statuses[issue.fields["status"]].category_key
                counts[bucket.get(category, "unmapped")] += 1
        out["issuesStatusForFixVersion"] = counts
    return out


@route("PUT", "version/{id}")
def update_version(app: App, req: Request) -> Any:
    """Change a version's name, description, dates, released or archived flags."""
    v = _version(app, req.groups[0])
    app.store.check_write(req.me, v.project_id)
    _apply_version(app, v, _body(req), creating=False)
    _changed(app)
    return versions.version_json(v, app.ctx(req.api))


@route("DELETE", "version/{id}")
def delete_version(app: App, req: Request) -> Response:
    """Delete a version; issues move to ``moveFixIssuesTo``/``moveAffectedIssuesTo`` if given."""
    v = _version(app, req.groups[0])
    app.store.check_write(req.me, v.project_id)
    moves = {}
    for kind, param in (("fix", "moveFixIssuesTo"), ("affected", "moveAffectedIssuesTo")):
        target = req.param(param)
        if target and (_version(app, target).project_id != v.project_id or target == v.id):
            raise JiraError(400, f"The version '{target}' cannot replace this version.")
        moves[kind] = target or None
    for kind, target in moves.items():
        _strip(app, req, kind, v.id, target)
    del app.store.catalog.versions[v.id]
    _changed(app)
    return Response(204)


@route("GET", "project/{key}/versions")
def project_versions(app: App, req: Request) -> Any:
    """All of a project's versions, unpaged."""
    p = _project(app, req.groups[0])
    ctx = app.ctx(req.api)
    return [
        versions.version_json(v, ctx)
        for v in versions.of_project(app.store.catalog, "versions", p.id)
    ]


@route("GET", "project/{key}/version")
def project_versions_page(app: App, req: Request) -> Any:
    """A project's versions, paged (PageBeanVersion), filtered by ``query`` and ``status``."""
    p = _project(app, req.groups[0])
    ctx = app.ctx(req.api)
    items = versions.of_project(app.store.catalog, "versions", p.id)
    query = (req.param("query") or "").lower()
    if query:
        items = [v for v in items if query in v.name.lower() or query in v.description.lower()]
    wanted = {s.lower() for s in req.param_list("status")}
    if wanted - {"released", "unreleased", "archived"}:
        raise JiraError(400, "Invalid status value: use released, unreleased or archived.")
    if wanted:
        items = [
            v
            for v in items
            if ("archived" in wanted and v.archived)
            or ("released" in wanted and v.released and not v.archived)
            or ("unreleased" in wanted and not v.released and not v.archived)
        ]
    order = req.param("orderBy") or ""
    key = order.lstrip("+-")
    if order and key not in _VERSION_ORDER:
        raise JiraError(400, f"Invalid orderBy value '{order}'.")
    if key and key != "sequence":
        attr = {"releaseDate": "release_date", "startDate": "start_date"}.get(key, key)
        items = sorted(items, key=lambda v: (getattr(v, attr) or "").lower())
    if order.startswith("-"):
        items = list(reversed(items))
    start = max(req.int_param("startAt", 0), 0)
    size = max(req.int_param("maxResults", 50), 0)
    page = items[start : start + size]
    base = f"project/{p.key}/version"
    out: dict[str, Any] = {
        "self": ctx.rest(f"{base}?startAt={start}&maxResults={size}"),
        "maxResults": size,
        "startAt": start,
        "total": len(items),
        "isLast": start + size >= len(items),
        "values": [versions.version_json(v, ctx) for v in page],
    }
    if not out["isLast"]:
        out["nextPage"] = ctx.rest(f"{base}?startAt={start + size}&maxResults={size}")
    return out


# ---------------------------------------------------------------------------------------
# components
# ---------------------------------------------------------------------------------------
def _component(app: App, ident: str) -> Component:
    found = app.store.catalog.components.get(ident)
    if found is None:
        raise not_found(f"The component with id {ident} does not exist.")
    return found


def _lead(app: App, body: dict[str, Any], errors: dict[str, str]) -> tuple[bool, str | None]:
    """(given, username) from ``leadAccountId`` (Cloud) or ``leadUserName`` (Data Center)."""
    key = "leadAccountId" if app.cloud else "leadUserName"
    if key not in body:
        return False, None
    ident = body[key]
    if ident in (None, ""):
        return True, None  # "" removes the lead, as Jira documents
    cat = app.store.catalog
    user = None
    if isinstance(ident, str):
        user = next(
            (
                u
                for u in cat.users.values()
                if ident in ((u.account_id,) if app.cloud else (u.username, u.key))
            ),
            None,
        )
    if user is None:
        errors[key] = f"The user {ident} does not exist."
        return False, None
    return True, user.username


def _apply_component(app: App, c: Component, body: dict[str, Any], *, creating: bool) -> None:
    errors: dict[str, str] = {}
    name = _text(body, "name", errors, 255)
    if name is not None or creating:
        name = (name or "").strip()
        if not name and "name" not in errors:
            errors["name"] = "The component name specified is invalid - cannot be an empty string."
        clash = versions.find_by_name(app.store.catalog, "components", c.project_id, name)
        if name and clash is not None and clash.id != c.id:
            errors["name"] = f"A component with the name {name} already exists in this project."
    description = _text(body, "description", errors, 16384)
    given, lead = _lead(app, body, errors)
    assignee_type = body.get("assigneeType", c.assignee_type)
    if assignee_type not in ASSIGNEE_TYPES:
        errors["assigneeType"] = f"The assignee type '{assignee_type}' is not valid."
    if errors:
        raise JiraError(400, None, errors)
    if name:
        c.name = name
    if description is not None:
        c.description = description
    if given:
        c.lead = lead
    c.assignee_type = assignee_type


@route("POST", "component")
def create_component(app: App, req: Request) -> Response:
    """Create a component in ``project`` (key) or ``projectId``."""
    body = _body(req)
    ident = body.get("project", body.get("projectId"))
    if ident in (None, ""):
        raise JiraError(400, None, {"project": "The project key or id is required."})
    project = _project(app, ident)
    app.store.check_write(req.me, project.id)
    cat = app.store.catalog
    c = Component(versions.next_id(cat.components), project.id, "")
    _apply_component(app, c, body, creating=True)
    cat.components[c.id] = c
    _changed(app)
    return Response(201, versions.component_json(c, app.ctx(req.api)))


@route("GET", "component/{id}")
def get_component(app: App, req: Request) -> Any:
    """One component."""
    return versions.component_json(_component(app, req.groups[0]), app.ctx(req.api))


@route("PUT", "component/{id}")
def update_component(app: App, req: Request) -> Any:
    """Overwrite the fields given (name, description, lead, assignee type)."""
    c = _component(app, req.groups[0])
    app.store.check_write(req.me, c.project_id)
    _apply_component(app, c, _body(req), creating=False)
    _changed(app)
    return versions.component_json(c, app.ctx(req.api))


@route("DELETE", "component/{id}")
def delete_component(app: App, req: Request) -> Response:
    """Delete a component; its issues move to ``moveIssuesTo`` if given."""
    c = _component(app, req.groups[0])
    app.store.check_write(req.me, c.project_id)
    target = req.param("moveIssuesTo") or None
    if target is not None:
        other = app.store.catalog.components.get(target)
        if other is None or other.project_id != c.project_id or other.id == c.id:
            raise not_found(f"The component with id {target} does not exist.")
    _strip(app, req, "components", c.id, target)
    del app.store.catalog.components[c.id]
    _changed(app)
    return Response(204)


@route("GET", "project/{key}/components")
def project_components(app: App, req: Request) -> Any:
    """All of a project's components, unpaged."""
    p = _project(app, req.groups[0])
    ctx = app.ctx(req.api)
    entries = versions.of_project(app.store.catalog, "components", p.id)
    return [versions.component_json(c, ctx) for c in entries]
