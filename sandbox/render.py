"""JSON renderings of the site's entities (users, projects, statuses, types, fields...).

Shapes follow Atlassian's OpenAPI description (``User``, ``Project``, ``StatusDetails``,
``IssueTypeDetails``, ``Priority``, ``FieldDetails``); only properties the spec declares are
emitted, because several of those schemas forbid additional properties.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.catalog import STATUS_CATEGORIES, Catalog
from sandbox.model import FieldDef, IssueType, Priority, Project, Status, User


@dataclass(frozen=True)
class Ctx:
    """What a rendering needs: where links point, which deployment, which time zone."""

    base: str
    mode: str  # "cloud" | "datacenter"
    catalog: Catalog
    tz: ZoneInfo
    api: str = "2"
    project_id: str | None = None  # the issue being written: versions are per project

    @property
    def cloud(self) -> bool:
        """True when serving as Jira Cloud."""
        return self.mode == "cloud"

    def rest(self, path: str) -> str:
        """Absolute REST URL for ``path`` in this API version."""
        return f"{self.base}/rest/api/{self.api}/{path}"


def format_datetime(ms: int, tz: ZoneInfo) -> str:
    """Jira's timestamp format: ``2026-11-28T12:10:47.123+0000`` in the user's zone."""
    dt = datetime.fromtimestamp(ms / 1000, UTC).astimezone(tz)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}" + dt.strftime("%z")


def avatar_urls(kind: str, ident: str) -> dict[str, str]:
    """Placeholder avatar URLs in Jira's four sizes."""
    digest = hashlib.md5(ident.encode(), usedforsecurity=False).hexdigest()
    return {
        size: f"https://avatar.example.invalid/{kind}/{digest}?s={size.split('x')[0]}"
        for size in ("48x48", "24x24", "16x16", "32x32")
    }


def user_json(user: User | None, ctx: Ctx, *, full: bool = False) -> dict[str, Any] | None:
    """A user as Jira shows it: accountId in Cloud, name/key in Data Center."""
    if user is None:
        return None
    out: dict[str, Any]
    if ctx.cloud:
        out = {
            "self": ctx.rest(f"user?accountId={user.account_id}"),
            "accountId": user.account_id,
            "accountType": "atlassian",
        }
    else:
        out = {"self": ctx.rest(f"user?username={user.username}"), "name": user.username}
        out["key"] = user.key
    out["emailAddress"] = user.email
    out["avatarUrls"] = avatar_urls("user", user.username)
    out["displayName"] = user.display_name
    out["active"] = user.active
    out["timeZone"] = user.time_zone or str(ctx.tz)
    if full:
        out["locale"] = "en_US"
        out["groups"] = {"size": 1, "items": []}
        out["applicationRoles"] = {"size": 1, "items": []}
        out["expand"] = "groups,applicationRoles"
    return out


def status_category_json(key: str, ctx: Ctx) -> dict[str, Any]:
    """A status category (StatusCategory schema)."""
    cat = STATUS_CATEGORIES[key]
    return {
        "self": ctx.rest(f"statuscategory/{cat.id}"),
        "id": cat.id,
        "key": cat.key,
        "colorName": cat.color,
        "name": cat.name,
    }


def status_json(status: Status, ctx: Ctx) -> dict[str, Any]:
    """A status (StatusDetails schema)."""
    return {
        "self": ctx.rest(f"status/{status.id}"),
        "description": "",
        "iconUrl": f"{ctx.base}/images/icons/statuses/generic.png",
        "name": status.name,
        "id": status.id,
        "statusCategory": status_category_json(status.category_key, ctx),
    }


def issue_type_json(it: IssueType, ctx: Ctx) -> dict[str, Any]:
    """An issue type (IssueTypeDetails schema)."""
    return {
        "self": ctx.rest(f"issuetype/{it.id}"),
        "id": it.id,
        "description": it.description,
        "iconUrl": f"{ctx.base}/images/icons/issuetypes/{it.name.lower().replace(' ', '_')}.svg",
        "name": it.name,
        "subtask": False,
        "avatarId": 10300 + int(it.id) % 100,
        "hierarchyLevel": it.hierarchy_level,
    }


def priority_json(p: Priority, ctx: Ctx) -> dict[str, Any]:
    """A priority (Priority schema)."""
    return {
        "self": ctx.rest(f"priority/{p.id}"),
        "statusColor": p.color,
        "description": p.name,
        "iconUrl": f"{ctx.base}/images/icons/priorities/{p.name.lower()}.svg",
        "name": p.name,
        "id": p.id,
    }


def project_ref_json(p: Project, ctx: Ctx) -> dict[str, Any]:
    """The short project form embedded in issues."""
    return {
        "self": ctx.rest(f"project/{p.id}"),
        "id": p.id,
        "key": p.key,
        "name": p.name,
        "projectTypeKey": "software",
        "simplified": False,
        "avatarUrls": avatar_urls("project", p.key),
    }


def project_json(p: Project, ctx: Ctx, expand: set[str] | None = None) -> dict[str, Any]:
    """A project (Project schema), with issue types and lead like ``GET /project/{key}``."""
    out = project_ref_json(p, ctx)
    out["expand"] = "description,lead,issueTypes,url,projectKeys,permissions,insight"
    out["description"] = p.description
    out["lead"] = user_json(ctx.catalog.users.get(p.lead), ctx)
    out["issueTypes"] = [issue_type_json(ctx.catalog.issue_types[t], ctx) for t in p.issue_type_ids]
    out["assigneeType"] = "UNASSIGNED"
    out["style"] = "classic"
    out["isPrivate"] = False
    out["properties"] = {}
    return out


def field_json(fd: FieldDef, catalog: Catalog) -> dict[str, Any]:
    """A field (FieldDetails schema) with the ``schema`` clients use to discover types."""
    out: dict[str, Any] = {
        "id": fd.id,
        "key": fd.id,
        "name": fd.name,
        "custom": fd.custom,
        "orderable": fd.orderable,
        "navigable": fd.navigable,
        "searchable": fd.searchable,
        "clauseNames": catalog.clause_names(fd),
    }
    out["schema"] = schema_json(fd)
    return out


def schema_json(fd: FieldDef) -> dict[str, Any]:
    """The JsonTypeBean describing a field's value type."""
    schema: dict[str, Any] = {"type": fd.schema_type}
    if fd.items:
        schema["items"] = fd.items
    if fd.custom:
        schema["custom"] = fd.custom_type
        schema["customId"] = fd.custom_id
    elif fd.system:
        schema["system"] = fd.system
    return schema


def server_info_json(ctx: Ctx, now_ms: int) -> dict[str, Any]:
    """``/serverInfo``: the deployment type is how clients tell Cloud from Data Center."""
    if ctx.cloud:
        version, numbers, deployment, build = "1001.0.0-SNAPSHOT", [1001, 0, 0], "Cloud", 100263
    else:
        version, numbers, deployment, build = "9.12.15", [9, 12, 15], "Server", 9120015
    return {
        "baseUrl": ctx.base,
        "displayUrl": ctx.base,
        "version": version,
        "versionNumbers": numbers,
        "deploymentType": deployment,
        "buildNumber": build,
        "buildDate": "2026-01-01T00:00:00.000+0000",
        "serverTime": format_datetime(now_ms, ctx.tz),
        "scmInfo": "sandbox",
        "serverTitle": "pmo-sync Jira sandbox",
        "serverTimeZone": str(ctx.tz),
    }


def account_id_for(username: str) -> str:
    """A deterministic, opaque, Cloud-looking accountId for a username."""
    return "5b10" + hashlib.sha1(username.encode(), usedforsecurity=False).hexdigest()[:20]
