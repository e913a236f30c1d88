"""Reading the canonical records of one entity mapping out of Jira, fully or incrementally.

Only the mapped fields (plus updated, status and the pmo-sync property) are requested, so
a 10,000-issue portfolio costs one request per page. Incremental reads are tricky because
JQL compares `updated` at minute precision in the API user's time zone: the query starts
one overlap window before the cursor's minute, and the millisecond `updated` of each
payload then decides, so an edit made in the same minute as the cursor is never missed
and nothing older than the cursor is returned twice.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.jira.errors import JiraError
from connectors.jira.links import keys_text, linked
from connectors.jira.site import PROPERTY_KEY, JiraSiteContext
from mappings.errors import MappingsError
from mappings.mapping import EntityMapping, MappingSpec
from mappings.model import build_record
from mappings.values import replace_unstorable

DEFAULT_PAGE = 100
"""Cloud's search/jql page for these fields (its cap when fields are asked for)."""
DC_PAGE = 1000
"""Data Center's default cap (jira.search.views.default.max); a site with a lower cap
answers with its own ``maxResults``, and paging follows what each page holds."""
DEFAULT_OVERLAP = timedelta(minutes=2)
BULK_FETCH_MAX = 100


@dataclass
class IssueProblem:
    """An issue that could not become a record, and why (the read goes on)."""

    key: str
    message: str


FALL_BACK_HORIZON = timedelta(hours=3)  # a window start this close to a clock change


@dataclass
class ReadResult:
    """Records read, per-issue problems, and the cursor for the next incremental read."""

    records: list[Any] = field(default_factory=list)
    problems: list[IssueProblem] = field(default_factory=list)
    notes: list[IssueProblem] = field(default_factory=list)
    """Issues read with a caveat (a field's unstorable characters replaced): read, and
    worth telling the person about."""
    cursor: datetime | None = None
    requests: int = 0


def parse_jira_time(text: str) -> datetime:
    """Jira's "2026-10-05T10:03:59.443+0000" as an aware datetime (milliseconds kept)."""
    return datetime.fromisoformat(re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text))


def quote(text: str) -> str:
    """A JQL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stable_sync_id(base_url: str, issue_id: str) -> uuid.UUID:
    """A sync id for an issue pmo-sync did not create: the same on every read."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}/issue/{issue_id}")


class JiraReader:
    """Reads records of entity mappings from one site."""

    def __init__(
        self,
        site: JiraSiteContext,
        spec: MappingSpec,
        *,
        page_size: int | None = None,
        overlap: timedelta = DEFAULT_OVERLAP,
        settle: timedelta = timedelta(0),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """
        Args:
            settle: keep the cursor at least this far behind ``clock()``. Cloud search is
                eventually consistent and an edit may become visible after a later one;
                with a settle window such edits are still caught, at the price of issues
                edited within the window being returned again by the next read.
        """
        self.site = site
        self.spec = spec
        if page_size is None:
            page_size = DEFAULT_PAGE if site.deployment == "cloud" else DC_PAGE
        self.page_size = page_size
        self.overlap = overlap
        self.settle = settle
        self.clock = clock
        self.on_page: Callable[[int], None] | None = None  # issues per page, for progress bars

    # -- query ------------------------------------------------------------------------------
    def scope_jql(
        self, entity: EntityMapping, projects: Sequence[str], *, extra: bool = True
    ) -> str:
        """Project(s) AND issue type(s) AND (unless ``extra`` is false) the mapping's
        extra JQL."""
        if entity.jira is None:
            raise JiraError(f"entity {entity.type!r} has no Jira scope in the mapping")
        clauses = [
            f"project in ({', '.join(quote(p) for p in projects)})",
            f"issuetype in ({', '.join(quote(t) for t in entity.jira.issue_types)})",
        ]
        if extra and entity.jira.jql:
            clauses.append(f"({entity.jira.jql})")
        return " AND ".join(clauses)

    def jql(
        self, entity: EntityMapping, projects: Sequence[str], since: datetime | None = None
    ) -> str:
        """The scope AND updated >= (cursor - overlap) at JQL's minute precision."""
        jql = self.scope_jql(entity, projects)
        if since is not None:
            jql += f' AND updated >= "{self.window_start(since)}"'
        return jql + " ORDER BY updated ASC, key ASC"

    def window_start(self, since: datetime) -> str:
        """The overlap window's start as JQL wants it: a minute in the user's time zone.

        Where the clocks go back within the next hours, that wall-clock minute happens
        twice and Jira may read it as the later one, skipping edits in between; the window
        then starts earlier by the shift, before the first occurrence."""
        zone = self.site.time_zone
        start = (since - self.overlap).astimezone(zone)
        later = (start + FALL_BACK_HORIZON).astimezone(zone)
        shift = (start.utcoffset() or timedelta(0)) - (later.utcoffset() or timedelta(0))
        if shift > timedelta(0):
            start = (start - shift).astimezone(zone)
        return f"{start:%Y-%m-%d %H:%M}"

    def field_ids(self, entity: EntityMapping) -> list[str]:
        """The fields to ask for: every mapped one, plus updated and status.

        Fields the workbook owns (``excel-to-jira``) are read too: without Jira's current
        value every comparison would see it empty and send the workbook's value again."""
        ids = {"updated", "status"}
        for mapped in entity.fields:
            if mapped.jira is not None:
                ids.add(self.site.catalog.resolve(mapped.jira).id)
            if mapped.jira_fallback is not None:
                ids.add(self.site.catalog.resolve(mapped.jira_fallback).id)
        return sorted(ids)

    # -- paging -----------------------------------------------------------------------------
    def pages(
        self,
        jql: str,
        fields: list[str],
        result: ReadResult | None = None,
        reconcile: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """Every issue matching ``jql`` (with the pmo-sync property), page by page.

        ``reconcile``: ids of issues just written (Cloud, up to 50), so the eventually
        consistent search/jql shows their current version.
        """
        result = result if result is not None else ReadResult()
        body: dict[str, Any] = {
            "jql": jql,
            "fields": fields,
            "maxResults": self.page_size,
            "properties": [PROPERTY_KEY],
        }
        if reconcile and self.site.deployment == "cloud":
            body["reconcileIssues"] = [int(i) for i in list(reconcile)[:50]]
        http, path = self.site.http, self.site.search_path
        if self.site.deployment == "cloud":
            while True:
                page = http.post(path, body, idempotent=True)
                result.requests += 1
                if self.on_page is not None:
                    self.on_page(len(page.get("issues", [])))
                yield from page.get("issues", [])
                token = page.get("nextPageToken")
                if page.get("isLast", token is None) or not token:
                    return
                body["nextPageToken"] = token
        start = 0
        while True:
            page = http.post(path, {**body, "startAt": start}, idempotent=True)
            result.requests += 1
            issues = page.get("issues", [])
            if self.on_page is not None:
                self.on_page(len(issues))
            yield from issues
            start += len(issues)
            if not issues or start >= int(page.get("total", 0)):
                return

    # -- reading ----------------------------------------------------------------------------
    def read(
        self,
        entity: EntityMapping,
        projects: Sequence[str],
        since: datetime | None = None,
        reconcile: Sequence[str] = (),
        known: Mapping[str, datetime] | None = None,
    ) -> ReadResult:
        """Every issue in scope (or those updated after ``since``) as records.

        ``reconcile``: ids of issues this run just wrote (read-after-write on Cloud).
        ``known``: key -> the ``updated`` of the version the caller already holds. With
        it, an issue in the overlap window is skipped only if it is not newer than that
        version, rather than when it is older than the cursor: Cloud's search is
        eventually consistent and may show an edit only after a later edit of another
        issue moved the cursor past it.
        """
        result = ReadResult(cursor=since)
        jql, fields = self.jql(entity, projects, since), self.field_ids(entity)
        for issue in self.pages(jql, fields, result, reconcile):
            self.collect(entity, issue, result, since, known)
        if self.settle and result.cursor is not None:
            settled = self.clock() - self.settle
            if result.cursor > settled:
                result.cursor = settled if since is None else max(since, settled)
        return result

    def read_keys(self, entity: EntityMapping, keys: Sequence[str]) -> ReadResult:
        """The current version of given issues (read-after-write, no search lag).

        Cloud: issue/bulkfetch, 100 issues a request (cheaper than one GET each, and
        unlike search/jql always current). Data Center search is consistent, so a
        ``key in (...)`` search does the same there.
        """
        result = ReadResult()
        fields = self.field_ids(entity)
        for start in range(0, len(keys), BULK_FETCH_MAX):
            chunk = list(keys[start : start + BULK_FETCH_MAX])
            if self.site.deployment == "cloud":
                body = {"issueIdsOrKeys": chunk, "fields": fields, "properties": [PROPERTY_KEY]}
                answer = self.site.http.post("issue/bulkfetch", body, idempotent=True)
                result.requests += 1
                issues = answer.get("issues", [])
                for error in answer.get("issueErrors", []):
                    result.problems.append(
                        IssueProblem(str(error.get("id")), str(error.get("errorMessage")))
                    )
            else:
                jql = f"key in ({', '.join(quote(k) for k in chunk)})"
                issues = list(self.pages(jql, fields, result))
            for issue in issues:
                self.collect(entity, issue, result, since=None)
        return result

    def collect(
        self,
        entity: EntityMapping,
        issue: dict[str, Any],
        result: ReadResult,
        since: Any,
        known: Mapping[str, datetime] | None = None,
    ) -> None:
        updated = parse_jira_time(issue["fields"]["updated"])
        if result.cursor is None or updated > result.cursor:
            result.cursor = updated
        if already_read(str(issue.get("key")), updated, since, known):
            return
        try:
            result.records.append(self.to_record(entity, issue, result.notes))
        except (MappingsError, JiraError, ValueError) as exc:
            result.problems.append(IssueProblem(issue.get("key", "?"), str(exc)))

    def to_record(
        self, entity: EntityMapping, issue: dict[str, Any], notes: list[IssueProblem] | None = None
    ) -> Any:
        """One search/GET payload as a validated record (RecordValidationError otherwise).

        Text with characters no workbook or store can hold (a lone surrogate) is read with
        them replaced by U+FFFD, and a note added: the rest of the issue still syncs, and
        since the replaced copy is what both sides then agree on, Jira's own value is only
        ever changed by an edit of that field in the workbook."""
        fields = issue.get("fields", {})
        key = str(issue["key"])
        values: dict[str, Any] = {
            "key": key,
            "project": key.rsplit("-", 1)[0],
            "updated": fields.get("updated"),
        }
        prop = (issue.get("properties") or {}).get(PROPERTY_KEY) or {}
        values["sync_id"] = prop.get("sync_id") or str(
            stable_sync_id(self.site.http.base_url, str(issue.get("id", key)))
        )
        for mapped in entity.fields:
            if mapped.jira is None:
                continue
            jf = self.site.catalog.resolve(mapped.jira)
            vmap = self.spec.value_map(mapped, "jira")
            if mapped.link is not None:
                side = self.site.links.side(mapped.link)
                value = keys_text([other.key for other in linked(fields.get(jf.id), side)])
            else:
                value = self.site.converter.from_jira(jf, fields.get(jf.id), mapped, vmap)
            if value is None and mapped.jira_fallback is not None:
                # A person no Jira user matched was written as text (unknown_people = text).
                fallback = self.site.catalog.resolve(mapped.jira_fallback)
                value = fields.get(fallback.id) or None
            if isinstance(value, str):
                value, found = replace_unstorable(value)
                if found and notes is not None:
                    notes.append(
                        IssueProblem(
                            key,
                            f"{entity.type}.{mapped.name} (Jira field {jf.name!r}) holds "
                            f"characters no workbook can store ({', '.join(found)}); they are "
                            "shown as U+FFFD, and Jira keeps its text unless the field is "
                            "edited in the workbook",
                        )
                    )
            if value is not None:  # absent means empty (an explicit None trips Scale fields)
                values[mapped.name] = value
        return build_record(entity.type, values, source=key)


def already_read(
    key: str, updated: datetime, since: datetime | None, known: Mapping[str, datetime] | None
) -> bool:
    """An issue in an incremental read's overlap window that brings nothing new: not newer
    than the version the caller holds (or, without that knowledge, than the cursor)."""
    if known is not None:
        seen = known.get(key)
        return seen is not None and updated <= seen
    return since is not None and updated <= since
