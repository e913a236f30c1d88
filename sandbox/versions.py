"""Project versions and components as issue field values: parse, render, changelog, metadata.

``fixVersions``, ``versions`` (Affects versions) and ``components`` hold lists of ids of the
catalog's per-project entries. Names are resolved in the project of the issue being written
(``Ctx.project_id``), because two projects may both have a "1.0". Jira logs one changelog
item per value added or removed ("Fix Version", "Version", "Component"), not one per field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sandbox import render
from sandbox.catalog import Catalog
from sandbox.errors import JiraError
from sandbox.model import ChangeItem, Component, FieldDef, Version

KINDS = ("versions", "components")
# Changelog field names Jira writes for these fields.
CHANGELOG_NAMES = {"fixVersions": "Fix Version", "versions": "Version", "components": "Component"}


def next_id(entries: dict[str, Any]) -> str:
    """The next id of a catalog table (Jira numbers versions and components from 10000)."""
    return str(max((int(k) for k in entries), default=9999) + 1)


def _table(cat: Catalog, kind: str) -> dict[str, Any]:
    return cat.versions if kind == "versions" else cat.components


def _noun(kind: str) -> str:
    return "Version" if kind == "versions" else "Component"


def of_project(cat: Catalog, kind: str, project_id: str) -> list[Any]:
    """A project's versions or components, in creation order (Jira's sequence)."""
    return [e for e in _table(cat, kind).values() if e.project_id == project_id]


def find_by_name(cat: Catalog, kind: str, project_id: str, name: str) -> Any | None:
    """A project's version or component by name (case-insensitive, as Jira matches)."""
    low = name.lower()
    return next((e for e in of_project(cat, kind, project_id) if e.name.lower() == low), None)


# ---------------------------------------------------------------------------------------
# issue field values
# ---------------------------------------------------------------------------------------
def parse(fd: FieldDef, raw: Any, ctx: render.Ctx) -> list[str]:
    """``[{"name": ...}]`` / ``[{"id": ...}]`` to ids in the issue's project, or Jira's 400."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise JiraError(400, None, {fd.id: "Operation value must be an array"})
    out: list[str] = []
    for item in raw:
        out.append(_one(fd, item, ctx).id)
    return list(dict.fromkeys(out))


def _one(fd: FieldDef, item: Any, ctx: render.Ctx) -> Any:
    noun = _noun(fd.kind)
    table = _table(ctx.catalog, fd.kind)
    if isinstance(item, dict) and item.get("id") not in (None, ""):
        ident = item["id"]
        found = table.get(str(ident)) if isinstance(ident, str | int) else None
        if found is None or (ctx.project_id and found.project_id != ctx.project_id):
            raise JiraError(400, None, {fd.id: f"{noun} id '{ident}' is not valid"})
        return found
    name = item.get("name") if isinstance(item, dict) else item
    if not isinstance(name, str) or not name:
        raise JiraError(400, None, {fd.id: f"{noun} name '{name}' is not valid"})
    if ctx.project_id is None:
        found = next((e for e in table.values() if e.name.lower() == name.lower()), None)
    else:
        found = find_by_name(ctx.catalog, fd.kind, ctx.project_id, name)
    if found is None:
        raise JiraError(400, None, {fd.id: f"{noun} name '{name}' is not valid"})
    return found


def render_value(fd: FieldDef, value: Any, ctx: render.Ctx) -> list[dict[str, Any]]:
    """The list Jira puts in an issue's fields (an empty list, never null)."""
    table = _table(ctx.catalog, fd.kind)
    entries = [table[i] for i in value or [] if i in table]
    if fd.kind == "versions":
        return [version_ref_json(v, ctx) for v in entries]
    return [component_ref_json(c, ctx) for c in entries]


def display(fd: FieldDef, value: Any, ctx: render.Ctx) -> tuple[str | None, str | None]:
    """A one-line ``(ids, names)`` summary, for callers that want one pair per field."""
    table = _table(ctx.catalog, fd.kind)
    entries = [table[i] for i in value or [] if i in table]
    if not entries:
        return None, None
    return ", ".join(e.id for e in entries), ", ".join(e.name for e in entries)


def changelog_items(cat: Catalog, fid: str, old: Any, new: Any) -> list[ChangeItem]:
    """One item per removed, then per added value, as Jira records a version/component edit."""
    table = _table(cat, cat.fields[fid].kind)
    before, after = list(old or []), list(new or [])

    def name(i: str) -> str | None:
        return table[i].name if i in table else None

    items = [
        ChangeItem(CHANGELOG_NAMES[fid], fid, "jira", i, name(i), None, None)
        for i in before
        if i not in after
    ]
    items += [
        ChangeItem(CHANGELOG_NAMES[fid], fid, "jira", None, None, i, name(i))
        for i in after
        if i not in before
    ]
    return items


def allowed_values(fd: FieldDef, ctx: render.Ctx, project_id: str | None) -> list[Any]:
    """What editmeta/createmeta offer: the project's unarchived versions, or its components."""
    if project_id is None:
        return []
    entries = of_project(ctx.catalog, fd.kind, project_id)
    if fd.kind == "versions":
        return [version_json(v, ctx) for v in entries if not v.archived]
    return [component_ref_json(c, ctx) for c in entries]


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------
def _user_date(iso: str) -> str:
    """Jira's ``userReleaseDate`` form, e.g. ``6/Jul/2010``."""
    d = date.fromisoformat(iso)
    return f"{d.day}/{d.strftime('%b')}/{d.year}"


def version_ref_json(v: Version, ctx: render.Ctx) -> dict[str, Any]:
    """A version as an issue's ``fixVersions`` / ``versions`` lists it."""
    out: dict[str, Any] = {"self": ctx.rest(f"version/{v.id}"), "id": v.id}
    if v.description:
        out["description"] = v.description
    out.update(name=v.name, archived=v.archived, released=v.released)
    if v.release_date:
        out["releaseDate"] = v.release_date
    return out


def version_json(v: Version, ctx: render.Ctx) -> dict[str, Any]:
    """A version (Version schema) as ``/version`` and ``/project/{key}/versions`` answer."""
    out = version_ref_json(v, ctx)
    if v.start_date:
        out["startDate"] = v.start_date
        out["userStartDate"] = _user_date(v.start_date)
    if v.release_date:
        today = datetime.now(ctx.tz).date().isoformat()
        out["overdue"] = not v.released and v.release_date < today
        out["userReleaseDate"] = _user_date(v.release_date)
    out["projectId"] = int(v.project_id)
    return out


def component_ref_json(c: Component, ctx: render.Ctx) -> dict[str, Any]:
    """A component as an issue's ``components`` lists it."""
    out: dict[str, Any] = {"self": ctx.rest(f"component/{c.id}"), "id": c.id, "name": c.name}
    if c.description:
        out["description"] = c.description
    return out


def component_json(c: Component, ctx: render.Ctx) -> dict[str, Any]:
    """A component (ProjectComponent schema) with its lead and who new issues go to."""
    cat = ctx.catalog
    project = cat.projects[c.project_id]
    out = component_ref_json(c, ctx)
    lead = cat.users.get(c.lead) if c.lead else None
    if lead is not None:
        out["lead"] = render.user_json(lead, ctx)
        if not ctx.cloud:
            out["leadUserName"] = lead.username
    out["assigneeType"] = c.assignee_type
    # Who really gets issues: the type's user if there is one, else the project default
    # (this sandbox's projects leave new issues unassigned).
    chosen = {"COMPONENT_LEAD": lead, "PROJECT_LEAD": cat.users.get(project.lead)}.get(
        c.assignee_type
    )
    valid = c.assignee_type in ("PROJECT_DEFAULT", "UNASSIGNED") or chosen is not None
    if chosen is not None:
        out["assignee"] = render.user_json(chosen, ctx)
        out["realAssignee"] = render.user_json(chosen, ctx)
        out["realAssigneeType"] = c.assignee_type
    else:
        out["realAssigneeType"] = "UNASSIGNED"
    out["isAssigneeTypeValid"] = valid
    out["project"] = project.key
    out["projectId"] = int(project.id)
    return out
