"""Visibility restrictions of comments and worklogs: ``{"type": "role"|"group", "value": ...}``.

Jira only lets a user restrict an item to a role or group they are in themselves, and shows
the item only to members; both rules use the role model of ``sandbox.permissions``.
"""

from __future__ import annotations

from typing import Any

from sandbox import permissions
from sandbox.catalog import Catalog
from sandbox.errors import JiraError
from sandbox.model import Issue, User

_KEY = "commentLevel"  # the error key Jira reports visibility problems under


def parse_visibility(
    catalog: Catalog, user: User, raw: Any, project_id: str
) -> dict[str, str] | None:
    """A validated visibility, or None for "everyone"; 400 as Jira answers otherwise."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise JiraError(400, None, {_KEY: "Visibility must be an object with type and value."})
    kind = raw.get("type")
    value = raw.get("value", raw.get("identifier"))
    if kind not in ("role", "group") or not isinstance(value, str) or not value:
        raise JiraError(
            400, None, {_KEY: "Visibility needs a type of 'role' or 'group' and a value."}
        )
    if kind == "role":
        if value not in permissions.ROLES:
            raise JiraError(400, None, {_KEY: f"Role level '{value}' does not exist."})
        if value not in permissions.roles_in(user, catalog.projects[project_id]):
            raise JiraError(
                400, None, {_KEY: f"You are currently not a member of the project role: {value}."}
            )
    else:
        if value not in permissions.GROUPS:
            raise JiraError(400, None, {_KEY: f"Group: {value} does not exist."})
        if value not in permissions.groups_of(user):
            raise JiraError(
                400, None, {_KEY: f"You are currently not a member of the group: {value}."}
            )
    return {"type": kind, "value": value}


def hide_restricted(payload: dict[str, Any], issue: Issue, catalog: Catalog, user: User) -> None:
    """Drop comments and worklogs ``user`` may not see from an issue's JSON, in place.

    Rendered issues are cached per version, not per user, so the filter runs on the
    payload; issues without restricted items (nearly all) return at once.
    """
    hidden_comments = {
        c.id
        for c in issue.comments
        if c.visibility and not permissions.can_see(catalog, user, c.visibility, issue.project_id)
    }
    hidden_worklogs = {
        r["id"]
        for r in issue.fields.get("worklog") or []
        if r.get("visibility")
        and not permissions.can_see(catalog, user, r["visibility"], issue.project_id)
    }
    if not hidden_comments and not hidden_worklogs:
        return
    for section in ("fields", "renderedFields"):
        block = payload.get(section)
        if not isinstance(block, dict):
            continue
        for key, hidden, items in (
            ("comment", hidden_comments, "comments"),
            ("worklog", hidden_worklogs, "worklogs"),
        ):
            page = block.get(key)
            if hidden and isinstance(page, dict) and isinstance(page.get(items), list):
                kept = [x for x in page[items] if x.get("id") not in hidden]
                removed = len(page[items]) - len(kept)
                page = {**page, items: kept, "total": page["total"] - removed}
                if "maxResults" in page and key == "comment":
                    page["maxResults"] = len(kept)
                block[key] = page
