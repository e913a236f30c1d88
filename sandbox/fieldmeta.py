"""Field metadata (FieldMetadata schema) for editmeta, createmeta and transition screens."""

from __future__ import annotations

from typing import Any

from sandbox import render, versions
from sandbox.model import FieldDef

_MULTI_OPS = ["add", "set", "remove"]


def operations(fd: FieldDef) -> list[str]:
    """The update operations Jira allows on a field."""
    if fd.kind in ("labels", "multiselect", "multiuser", *versions.KINDS):
        return list(_MULTI_OPS)
    if fd.kind == "issuelinks":
        return ["add"]
    if fd.kind == "comment":
        return ["add", "edit", "remove"]
    return ["set"]


def allowed_values(fd: FieldDef, ctx: render.Ctx, project_id: str | None) -> list[Any] | None:
    """The values a client may choose from, for fields that have a closed set."""
    cat = ctx.catalog
    if fd.kind in versions.KINDS:
        return versions.allowed_values(fd, ctx, project_id)
    if fd.kind in ("select", "multiselect"):
        return [
            {"self": ctx.rest(f"customFieldOption/{o.id}"), "value": o.value, "id": o.id}
            for o in fd.options
        ]
    if fd.kind == "priority":
        return [render.priority_json(p, ctx) for p in cat.priorities.values()]
    if fd.kind == "issuetype":
        ids = cat.projects[project_id].issue_type_ids if project_id else list(cat.issue_types)
        return [render.issue_type_json(cat.issue_types[i], ctx) for i in ids]
    if fd.kind == "project" and project_id:
        return [render.project_ref_json(cat.projects[project_id], ctx)]
    return None


def field_metadata(
    fd: FieldDef,
    ctx: render.Ctx,
    *,
    required: bool,
    project_id: str | None,
    with_field_id: bool = False,
) -> dict[str, Any]:
    """One field's metadata entry."""
    out: dict[str, Any] = {
        "required": required,
        "schema": render.schema_json(fd),
        "name": fd.name,
        "key": fd.id,
        "operations": operations(fd),
        "hasDefaultValue": fd.kind == "priority",
    }
    if with_field_id:
        out["fieldId"] = fd.id
    allowed = allowed_values(fd, ctx, project_id)
    if allowed is not None:
        out["allowedValues"] = allowed
    if fd.kind in ("user", "multiuser"):
        out["autoCompleteUrl"] = ctx.rest("user/search?query=")
    if fd.kind == "priority":
        default = ctx.catalog.priorities[ctx.catalog.default_priority_id]
        out["defaultValue"] = render.priority_json(default, ctx)
    return out


CREATE_REQUIRED = ("summary", "project", "issuetype")


def screen_metadata(
    field_ids: tuple[str, ...] | list[str],
    ctx: render.Ctx,
    project_id: str | None,
    required: tuple[str, ...] = (),
    *,
    with_field_id: bool = False,
) -> dict[str, dict[str, Any]]:
    """Metadata for every field on a screen, keyed by field id."""
    cat = ctx.catalog
    return {
        fid: field_metadata(
            cat.fields[fid],
            ctx,
            required=fid in required,
            project_id=project_id,
            with_field_id=with_field_id,
        )
        for fid in field_ids
    }
