"""Two reads of a whole scope that cost little: the newest changes with the scope's size
(Data Center), and the scope's keys alone (Cloud's scope check, sync.jira_scope)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from connectors.jira.errors import JiraError
from connectors.jira.reader import JiraReader, ReadResult, parse_jira_time
from connectors.jira.site import PROPERTY_KEY

FIRST_RECENT_PAGE = 25
"""The first page of a newest-first read: in a quiet cycle it is the only one."""
IDS_ONLY_PAGE = 5000
"""Cloud's search/jql page when only keys are asked for (its cap then)."""


def recent(
    reader: JiraReader, scope: str, fields: list[str], since: datetime, result: ReadResult
) -> tuple[list[dict[str, Any]], int]:
    """Data Center: the scope's issues updated from the overlap window's start on,
    newest first, and the size of the whole scope (the first page's ``total``).

    Paged only as far as the window: a cycle in which nothing changed costs one small
    request, which also tells whether an issue was deleted or left the scope (the
    total no longer matches the issues known). An issue edited while the pages are
    read moves to the front: the pages after it shift by one, so an issue may come
    twice (harmless) but none is skipped, and the edit itself is read next cycle
    (it is newer than the cursor this read leaves)."""
    if reader.site.deployment == "cloud":
        raise JiraError("search totals are Data Center's: Cloud's search/jql has none")
    threshold = since - reader.overlap - timedelta(minutes=1)  # JQL's minute, and then some
    body: dict[str, Any] = {
        "jql": f"{scope} ORDER BY updated DESC, key DESC",
        "fields": fields,
        "maxResults": min(FIRST_RECENT_PAGE, reader.page_size),
        "properties": [PROPERTY_KEY],
    }
    http, path = reader.site.http, reader.site.search_path
    found: list[dict[str, Any]] = []
    start, total = 0, None
    while True:
        page = http.post(path, {**body, "startAt": start}, idempotent=True)
        result.requests += 1
        issues = page.get("issues", [])
        if total is None:
            total = int(page.get("total", 0))
        if reader.on_page is not None:
            reader.on_page(len(issues))
        for issue in issues:
            if parse_jira_time(issue["fields"]["updated"]) < threshold:
                return found, total
            found.append(issue)
        start += len(issues)
        if not issues or start >= int(page.get("total", 0)):
            return found, total
        body["maxResults"] = reader.page_size


def scope_keys(reader: JiraReader, scope: str, result: ReadResult | None = None) -> set[str]:
    """Every issue key in scope now, and nothing else: Cloud pages of 5,000 when no
    field is asked for; Data Center pages of its cap."""
    result = result if result is not None else ReadResult()
    http, path = reader.site.http, reader.site.search_path
    keys: set[str] = set()
    if reader.site.deployment == "cloud":
        body: dict[str, Any] = {"jql": scope, "fields": ["key"], "maxResults": IDS_ONLY_PAGE}
        while True:
            page = http.post(path, body, idempotent=True)
            result.requests += 1
            keys.update(str(i["key"]) for i in page.get("issues", []) if "key" in i)
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return keys
            body["nextPageToken"] = token
    start = 0
    while True:
        body = {"jql": scope, "fields": ["key"], "maxResults": reader.page_size, "startAt": start}
        page = http.post(path, body, idempotent=True)
        result.requests += 1
        issues = page.get("issues", [])
        keys.update(str(i["key"]) for i in issues)
        start += len(issues)
        if not issues or start >= int(page.get("total", 0)):
            return keys
