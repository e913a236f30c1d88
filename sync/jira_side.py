"""Jira as one side of the sync: the current view of a scope, cheaply, and the writes.

A cycle must not re-read thousands of issues to learn that nothing changed. The view
is kept in the state store (the ``items`` table: every in-scope issue as last read or
written) and refreshed by an incremental search. Deleted issues and issues that left the
scope never show up in such a search, so the scope's size is compared with the issues
known. On Data Center one newest-first search of the scope, paged only as far as the
overlap window, gives both the changes and the scope's total; when the total does not
match, the cycle falls back to a full read. On Cloud (no totals) the incremental search
is one request and the scope is checked on a schedule (``sync.jira_scope``), tolerating
Cloud's lagging approximate count. A no-op cycle therefore costs one request.

Creates are written into the intent journal before they are sent. If the process dies
after Jira created an issue but before the workbook received its key, the next cycle
finds the issue by its sync id and matches it to the row instead of creating it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from connectors.jira.errors import JiraError
from connectors.jira.reader import (
    IssueProblem,
    JiraReader,
    ReadResult,
    already_read,
    parse_jira_time,
    quote,
)
from connectors.jira.scope_reads import recent
from connectors.jira.site import JiraSiteContext
from connectors.jira.transport import JiraRequestError
from connectors.jira.writer import JiraWriter, WriteOutcome
from mappings.config import ScopeCheck, SyncPair
from mappings.errors import MappingsError
from mappings.mapping import EntityMapping, MappingSpec
from mappings.model import build_record
from sync import jira_scope
from sync.jira_view import JiraView, record_values, without_derived
from sync.store import StateStore

CURSOR = "jira_updated"
CREATE = "create"
CLOUD_SEARCH_SETTLE = timedelta(seconds=60)
"""How long a journaled create may stay invisible to Cloud's eventually consistent
search before pmo-sync concludes it never happened and sends it again."""


class JiraSide:
    """Reads and writes one pair's Jira scope, one entity at a time."""

    def __init__(
        self,
        site: JiraSiteContext,
        mapping: MappingSpec,
        pair: SyncPair,
        store: StateStore,
        *,
        reader: JiraReader | None = None,
        writer: JiraWriter | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        scope_check: ScopeCheck | None = None,
    ) -> None:
        self.site = site
        self.scope_check = scope_check or ScopeCheck()
        self.mapping = mapping
        self.pair = pair
        self.store = store
        self.reader = reader or JiraReader(site, mapping)
        self.writer = writer or JiraWriter(site, mapping)
        self.clock = clock
        self.create_settle = CLOUD_SEARCH_SETTLE if site.deployment == "cloud" else timedelta(0)

    def scoped(self, entity: EntityMapping) -> EntityMapping:
        """The entity with the pair's extra JQL folded into its scope."""
        if entity.jira is None:
            raise JiraError(f"entity {entity.type!r} has no Jira scope in the mapping")
        if not self.pair.jql:
            return entity
        jql = f"({entity.jira.jql}) AND ({self.pair.jql})" if entity.jira.jql else self.pair.jql
        return entity.model_copy(update={"jira": entity.jira.model_copy(update={"jql": jql})})

    # -- reading ----------------------------------------------------------------------------
    def current_key(self, key: str) -> str | None:
        """The key an issue answers under now (a moved issue under its new key), or None
        when Jira no longer has it (deleted, or hidden from this account)."""
        try:
            issue = self.site.http.get(f"issue/{key}", params={"fields": "project"})
        except JiraRequestError as exc:
            if exc.status == 404:
                return None
            raise
        return str(issue["key"])

    def count(self, entity: EntityMapping) -> int:
        """Issues in scope now: one request (Cloud's approximate count, DC's total)."""
        jql = self.reader.scope_jql(entity, self.pair.projects)
        http = self.site.http
        if self.site.deployment == "cloud":
            return int(
                http.post("search/approximate-count", {"jql": jql}, idempotent=True)["count"]
            )
        return int(http.post("search", {"jql": jql, "maxResults": 0}, idempotent=True)["total"])

    def view(self, entity: EntityMapping, *, full: bool = False) -> JiraView:
        """The scope now: incremental when the store knows it, a full read otherwise."""
        scoped = self.scoped(entity)
        pair, kind = self.pair.name, entity.type
        cursor_text = self.store.cursor(pair, kind, CURSOR)
        known = self.store.items_by_id(kind, pair)
        if cursor_text is None or full:
            return self._full(scoped, known)
        since = datetime.fromisoformat(cursor_text)
        versions = self.store.item_versions(kind, pair)
        scope = self.reader.scope_jql(scoped, self.pair.projects)
        if self.site.deployment == "cloud":
            result = self.reader.read(scoped, self.pair.projects, since=since, known=versions)
            total = None
        else:
            result = ReadResult(cursor=since)
            fields = self.reader.field_ids(scoped)
            issues, total = recent(self.reader, scope, fields, since, result)
            for issue in issues:
                self.reader.collect(scoped, issue, result, since, versions)
        view = JiraView.over(
            known, versions, problems=result.problems, cursor=result.cursor or since
        )
        view.notes.extend(result.notes)
        for record in result.records:
            view.add(record)
        if total is not None:
            if total != view.size:
                return self._full(scoped, known)
        else:
            self._check_scope(scope, [(scoped, view)])
        return self._recover_creates(scoped, view)

    def _check_scope(self, scope: str, views: list[tuple[EntityMapping, JiraView]]) -> None:
        """Cloud: when due, count the scope; reconcile the views with its keys when the
        count differs from what they hold (``sync.jira_scope``)."""
        now = self.clock()
        kinds = [entity.type for entity, _ in views]
        due = jira_scope.check_due(self.store, self.pair.name, kinds, self.scope_check, now)
        for entity, view in views:
            view.marks = jira_scope.marks(self.store, self.pair.name, entity.type, due, now)
        if not due or self._count_jql(scope) == sum(v.size for _, v in views):
            return
        for entity, view in views:
            own = self.reader.scope_jql(entity, self.pair.projects)
            jira_scope.reconcile(self.reader, entity, view, own)

    def views(
        self, entities: Sequence[EntityMapping], *, full: bool = False
    ) -> dict[str, JiraView]:
        """The scope of every entity; entities read incrementally share one search and
        scope check, so a cycle in which nothing changed costs one request per pair."""
        pair = self.pair.name
        shared: list[EntityMapping] = []
        views: dict[str, JiraView] = {}
        for entity in entities:
            scoped = self.scoped(entity)
            has_cursor = self.store.cursor(pair, entity.type, CURSOR) is not None
            own_jql = (
                entity.jira is not None and entity.jira.jql and entity.jira.jql != self.pair.jql
            )
            if full or not has_cursor or own_jql:
                views[entity.type] = self.view(entity, full=full)
            else:
                shared.append(scoped)
        if len(shared) == 1:
            views[shared[0].type] = self.view(shared[0])
        elif shared:
            views.update(self._shared_incremental(shared))
        self.last_views = views
        return views

    def _shared_incremental(self, entities: list[EntityMapping]) -> dict[str, JiraView]:
        pair = self.pair.name
        by_type = {
            t.casefold(): e for e in entities for t in (e.jira.issue_types if e.jira else ())
        }
        since = {
            e.type: datetime.fromisoformat(self.store.cursor(pair, e.type, CURSOR) or "")
            for e in entities
        }
        known = {e.type: self.store.items_by_id(e.type, pair) for e in entities}
        versions = {e.type: self.store.item_versions(e.type, pair) for e in entities}
        views = {
            e.type: JiraView.over(known[e.type], versions[e.type], cursor=since[e.type])
            for e in entities
        }
        clauses = [
            f"project in ({', '.join(quote(p) for p in self.pair.projects)})",
            f"issuetype in ({', '.join(quote(t) for e in entities for t in e.jira.issue_types)})",  # type: ignore[union-attr]
        ]
        if self.pair.jql:
            clauses.append(f"({self.pair.jql})")
        scope = " AND ".join(clauses)
        fields = sorted({"issuetype", *(f for e in entities for f in self.reader.field_ids(e))})
        earliest = min(since.values())
        total = None
        if self.site.deployment == "cloud":
            start = self.reader.window_start(earliest)
            jql = f'{scope} AND updated >= "{start}" ORDER BY updated ASC, key ASC'
            issues: Any = self.reader.pages(jql, fields)
        else:
            issues, total = recent(self.reader, scope, fields, earliest, ReadResult())
        for issue in issues:
            kind = str(((issue.get("fields") or {}).get("issuetype") or {}).get("name", ""))
            entity = by_type.get(kind.casefold())
            if entity is None:
                continue
            view = views[entity.type]
            updated = parse_jira_time(issue["fields"]["updated"])
            if view.cursor is None or updated > view.cursor:
                view.cursor = updated
            if already_read(
                str(issue.get("key")), updated, since[entity.type], versions[entity.type]
            ):
                continue
            try:
                record = self.reader.to_record(entity, issue, view.notes)
            except (MappingsError, JiraError, ValueError) as exc:
                view.problems.append(IssueProblem(str(issue.get("key", "?")), str(exc)))
                continue
            view.add(record)
        if total is not None:
            if total != sum(v.size for v in views.values()):
                return {e.type: self._full(e, known[e.type]) for e in entities}
        else:
            self._check_scope(scope, [(e, views[e.type]) for e in entities])
        return {e.type: self._recover_creates(e, views[e.type]) for e in entities}

    def _count_jql(self, jql: str) -> int:
        http = self.site.http
        if self.site.deployment == "cloud":
            return int(
                http.post("search/approximate-count", {"jql": jql}, idempotent=True)["count"]
            )
        return int(http.post("search", {"jql": jql, "maxResults": 0}, idempotent=True)["total"])

    def _full(self, entity: EntityMapping, known: Mapping[str, dict[str, Any]]) -> JiraView:
        result: ReadResult = self.reader.read(entity, self.pair.projects)
        view = JiraView({}, result.problems, result.cursor, full_read=True)
        view.notes.extend(result.notes)
        for record in result.records:
            view.add(record)
        failing = {p.key for p in result.problems}
        for sync_id, values in known.items():  # an unreadable issue is not a deleted one
            if values.get("key") in failing:
                view.records.setdefault(sync_id, values)
        return self._recover_creates(entity, view)

    def _recover_creates(self, entity: EntityMapping, view: JiraView) -> JiraView:
        """Finish creates journaled by a cycle that did not live to record their keys."""
        pending = [
            i
            for i in self.store.intents(self.pair.name, entity.type, CREATE)
            if i.sync_id not in view.records
        ]
        if not pending:
            return view
        wanted = [SimpleNamespace(sync_id=i.sync_id, project=i.payload["project"]) for i in pending]
        since = min(i.created_at for i in pending)
        found = self.writer.find_by_sync_ids(entity, wanted, since=since)
        if found:
            fetched = self.reader.read_keys(entity, sorted(found.values()))
            for record in fetched.records:
                view.add(record)
            for intent in pending:
                sent = intent.payload.get("sent")
                if intent.sync_id in found and sent is not None:
                    view.recovered[intent.sync_id] = {**sent, "key": found[intent.sync_id]}
            view.problems.extend(fetched.problems)
            view.notes.extend(fetched.notes)
        for intent in pending:
            if intent.sync_id in found:
                continue
            if self.clock() - intent.created_at < self.create_settle:
                view.deferred.add(intent.sync_id)  # may still be on its way into search
        gone = [i.sync_id for i in pending if i.sync_id not in view.deferred]
        self.store.clear_intents(self.pair.name, entity.type, gone, CREATE)
        return view

    def project_details(self) -> dict[str, dict[str, str]]:
        """Name and lead of the pair's projects (for reports); fetched on full reads only."""
        found = {}
        for key in self.pair.projects:
            try:
                project = self.site.http.get(f"project/{key}")
            except JiraError:
                continue
            lead = (project or {}).get("lead") or {}
            found[key] = {
                "name": str((project or {}).get("name") or key),
                "lead": str(lead.get("displayName") or lead.get("name") or ""),
            }
        return found

    # -- writing ----------------------------------------------------------------------------
    def record(self, entity: EntityMapping, values: Mapping[str, Any]) -> Any:
        return build_record(
            entity.type, without_derived(entity.type, values), source=str(values.get("key"))
        )

    def update(
        self, entity: EntityMapping, current: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> tuple[WriteOutcome, dict[str, Any] | None]:
        """Write changed fields to one issue; the issue's new values when it worked."""
        try:
            record = self.record(entity, {**current, **changes})
        except (MappingsError, ValueError) as exc:
            outcome = WriteOutcome(str(current.get("sync_id")), current.get("key"))
            outcome.problems.append(f"{current.get('key')}: {exc}")
            return outcome, None
        outcome = self.writer.update(self.scoped(entity), record, list(changes))
        return outcome, (record_values(record) if not outcome.problems else None)

    def create(
        self, entity: EntityMapping, cycle_id: str, records: Sequence[Any]
    ) -> list[WriteOutcome]:
        """Create issues, journaling each intent first (committed before the request).

        The intent keeps what the create sends (link fields are added by a later request,
        so they are sent as empty), so a create finished by the next process starts from
        that base: a link the create did not live to add is then still added, and an edit
        made on either side since is carried, instead of every difference being a
        conflict."""
        after_create = {f.name for f in entity.fields if f.link is not None}
        with self.store.transaction():
            for record in records:
                sent = record_values(record)
                sent.update(dict.fromkeys(after_create))
                self.store.add_intent(
                    cycle_id,
                    self.pair.name,
                    entity.type,
                    str(record.sync_id),
                    CREATE,
                    {"project": record.project, "summary": record.summary, "sent": sent},
                )
        return self.writer.create(self.scoped(entity), list(records))

    def done_creating(self, entity: EntityMapping, sync_ids: list[str]) -> None:
        self.store.clear_intents(self.pair.name, entity.type, sync_ids, CREATE)
