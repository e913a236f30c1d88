"""Changelogs: one issue's history (paged) and Cloud's bulk fetch across many issues."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from sandbox.app import App, Request, route
from sandbox.errors import JiraError
from sandbox.model import ChangeGroup

BULK_ISSUES_MAX = 1000
BULK_FIELDS_MAX = 10


@route("GET", "issue/{id}/changelog")
def changelog(app: App, req: Request) -> Any:
    """The issue's changelog, oldest first, paged (PageBeanChangelog)."""
    issue = app.store.get(req.groups[0])
    ctx = app.ctx(req.api)
    start = req.int_param("startAt", 0)
    size = min(req.int_param("maxResults", 100), 100)
    groups = issue.changelog[start : start + size]
    last = start + size >= len(issue.changelog)
    out: dict[str, Any] = {
        "self": ctx.rest(f"issue/{issue.key}/changelog?startAt={start}&maxResults={size}"),
        "maxResults": size,
        "startAt": start,
        "total": len(issue.changelog),
        "isLast": last,
        "values": [app.renderer.change_group(g, ctx) for g in groups],
    }
    if not last:
        out["nextPage"] = ctx.rest(
            f"issue/{issue.key}/changelog?startAt={start + size}&maxResults={size}"
        )
    return out


@route("POST", "changelog/bulkfetch")
def bulk_changelog(app: App, req: Request) -> Any:
    """Changelogs of up to 1000 issues, oldest first, optionally only for some fields."""
    if not app.cloud:
        raise JiraError(404, "null for uri: /rest/api/2/changelog/bulkfetch")
    body = req.json()
    idents = body.get("issueIdsOrKeys") if isinstance(body, dict) else None
    if not isinstance(idents, list) or not idents or len(idents) > BULK_ISSUES_MAX:
        raise JiraError(400, "issueIdsOrKeys must list between 1 and 1000 issues.")
    field_ids = body.get("fieldIds") or []
    if (
        not isinstance(field_ids, list)
        or len(field_ids) > BULK_FIELDS_MAX
        or not all(isinstance(f, str) for f in field_ids)
    ):
        raise JiraError(400, "fieldIds must list at most 10 field IDs.")
    size = body.get("maxResults") or 1000
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 10000:
        raise JiraError(400, "maxResults must be between 1 and 10000.")
    wanted = set(field_ids)
    entries: list[tuple[int, int, ChangeGroup]] = []
    for ident in idents:
        issue = app.store.find(str(ident))
        if issue is None:
            continue
        for group in issue.changelog:
            if wanted:
                items = [it for it in group.items if it.field_id in wanted]
                if not items:
                    continue
                group = ChangeGroup(group.id, group.author, group.created, items)
            entries.append((group.created, issue.id, group))
    entries.sort(key=lambda e: (e[0], e[1]))
    digest = hashlib.sha1(
        json.dumps([idents, field_ids]).encode(), usedforsecurity=False
    ).hexdigest()[:12]
    offset = 0
    if body.get("nextPageToken"):
        try:
            raw = body["nextPageToken"]
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if data["q"] != digest:
                raise ValueError
            offset = int(data["o"])
        except (ValueError, KeyError, TypeError):
            raise JiraError(400, "The provided next page token is invalid or expired.") from None
    page = entries[offset : offset + size]
    ctx = app.ctx(req.api)
    per_issue: dict[int, list[dict[str, Any]]] = {}
    for _, issue_id, group in page:
        per_issue.setdefault(issue_id, []).append(app.renderer.change_group(group, ctx))
    out: dict[str, Any] = {
        "issueChangeLogs": [
            {"issueId": str(issue_id), "changeHistories": groups}
            for issue_id, groups in per_issue.items()
        ]
    }
    if offset + size < len(entries):
        token = json.dumps({"o": offset + size, "q": digest}).encode()
        out["nextPageToken"] = base64.urlsafe_b64encode(token).decode().rstrip("=")
    return out
