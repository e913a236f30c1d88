"""The values Jira allows in option fields, per project and issue type (create metadata).

A value map has several labels per canonical value ("High", "H", "高"); which one Jira
accepts is the site's business, not the mapping's. Asking the create screen's metadata
(``issue/createmeta/{project}/issuetypes/{id}``, paged on Cloud and Data Center 8.4+)
lets the writer send the label Jira has, and lets `pmo-sync check` find a mapping value
that no Jira option matches before the first sync instead of at the first write.

Fetched lazily, once per (project, issue type) per process and kept for an hour, so a
daemon notices options an admin adds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from connectors.jira.errors import JiraError
from connectors.jira.transport import JiraHttp

TTL_SECONDS = 3600.0
PAGE = 50


class FieldOptions:
    """Field id -> allowed option names, for one site."""

    def __init__(self, http: JiraHttp, clock: Callable[[], float] = time.monotonic) -> None:
        self.http = http
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, dict[str, tuple[str, ...]]]] = {}

    def allowed(
        self, project: str | None, issue_type: str, field_id: str
    ) -> tuple[str, ...] | None:
        """The option names Jira allows for a field on the create screen of a project's
        issue type; None when unknown (no metadata, or the field has no fixed options)."""
        if not project:
            return None
        return self.screen(project, issue_type).get(field_id)

    def screen(self, project: str, issue_type: str) -> dict[str, tuple[str, ...]]:
        """All fields with allowed values on one create screen (empty when unavailable)."""
        key = (project, issue_type.casefold())
        cached = self._cache.get(key)
        if cached is not None and self.clock() - cached[0] < TTL_SECONDS:
            return cached[1]
        try:
            found = self._load(project, issue_type)
        except JiraError:
            found = {}  # no permission or an old Data Center: choose labels without it
        self._cache[key] = (self.clock(), found)
        return found

    def _load(self, project: str, issue_type: str) -> dict[str, tuple[str, ...]]:
        types = self._paged(f"issue/createmeta/{project}/issuetypes", "issueTypes")
        wanted = issue_type.casefold()
        type_id = next(
            (str(t["id"]) for t in types if str(t.get("name", "")).casefold() == wanted), None
        )
        if type_id is None:
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for meta in self._paged(f"issue/createmeta/{project}/issuetypes/{type_id}", "fields"):
            allowed = meta.get("allowedValues")
            field_id = meta.get("fieldId") or meta.get("key")
            if not field_id or not isinstance(allowed, list):
                continue
            names = [_option_name(v) for v in allowed]
            out[str(field_id)] = tuple(n for n in names if n)
        return out

    def _paged(self, path: str, cloud_key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start = 0
        while True:
            page = self.http.get(path, params={"startAt": start, "maxResults": PAGE}) or {}
            batch = page.get(cloud_key, page.get("values", []))
            items.extend(batch)
            start += len(batch)
            total = page.get("total")
            if not batch or page.get("isLast") or (total is not None and start >= int(total)):
                return items


def _option_name(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    name = value.get("value", value.get("name"))
    return None if name is None else str(name)
