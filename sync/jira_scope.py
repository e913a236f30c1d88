"""Does the scope still hold exactly the issues the store knows? (Jira Cloud.)

An issue deleted, or moved out of the scope, never shows up in an incremental search.
Data Center's search answers with the scope's ``total`` along with the changes, so its
cycles see that for free. Cloud's ``search/jql`` has no total. A separate request
(``search/approximate-count``) is needed, and that count is approximate: on a real site it
lags writes and jitters. So on Cloud:

- The check runs every ``[sync.scope_check] every_cycles`` cycles, or when ``every``
  has passed since the last one, whichever comes first. A quiet cycle in between costs
  one request.
- When the approximate count differs from the issues known, the scope's keys are listed
  (5,000 a page, no fields) instead of reading every issue again. The known issues the
  listing lacks are confirmed, since search may not show an issue written a moment ago:
  ``issue/bulkfetch`` (always current) tells which Jira still has, and a search of the
  scope restricted to those keys with ``reconcileIssues`` (read-after-write consistent)
  tells which of them the scope holds. An issue is dropped only when Jira no longer has
  it or the scope no longer holds it. Issues listed but not known (an edit the
  incremental search showed late) are read by key. A lagging count therefore never
  causes a full read, and never makes an issue created a moment ago look deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from connectors.jira.reader import JiraReader, ReadResult, quote
from connectors.jira.scope_reads import scope_keys
from mappings.config import ScopeCheck
from mappings.mapping import EntityMapping
from sync.store import StateStore

CHECKED_AT = "scope_checked_at"
UNCHECKED = "scope_unchecked_cycles"
BULK = 100  # issue/bulkfetch: issues a request
RECONCILE = 50  # search/jql: reconcileIssues a request


def check_due(
    store: StateStore, pair: str, kinds: Iterable[str], policy: ScopeCheck, now: datetime
) -> bool:
    """Whether this cycle checks the scope of ``kinds``: any of them never checked, or
    checked ``every_cycles`` cycles or ``every`` ago."""
    for kind in kinds:
        at = store.cursor(pair, kind, CHECKED_AT)
        if at is None:
            return True
        if now - datetime.fromisoformat(at) >= timedelta(seconds=policy.every_seconds):
            return True
        if int(store.cursor(pair, kind, UNCHECKED) or 0) + 1 >= policy.every_cycles:
            return True
    return False


def marks(store: StateStore, pair: str, kind: str, checked: bool, now: datetime) -> dict[str, str]:
    """The cursors a finished cycle records for the schedule: the check's time (and no
    unchecked cycles), or one more unchecked cycle."""
    if checked:
        return {CHECKED_AT: now.isoformat(), UNCHECKED: "0"}
    return {UNCHECKED: str(int(store.cursor(pair, kind, UNCHECKED) or 0) + 1)}


def reconcile(reader: JiraReader, entity: EntityMapping, view: Any, scope: str) -> int:
    """Bring ``view`` (a JiraView) in line with the scope's key listing; requests made."""
    counter = ReadResult()
    view.materialise()
    listed = scope_keys(reader, scope, counter)
    failing = view.problem_keys
    by_key = {str(v["key"]): sid for sid, v in view.records.items() if v.get("key")}
    missing = sorted(k for k in by_key if k not in listed and k not in failing)
    unknown = sorted(k for k in listed if k not in by_key and k not in failing)
    if missing:
        held = in_scope(reader, scope, present(reader, missing, counter), counter)
        for key in missing:
            if key not in held:
                sid = by_key[key]
                del view.records[sid]
                view.dropped.add(sid)
    if unknown:
        found = reader.read_keys(entity, unknown)
        counter.requests += found.requests
        for record in found.records:
            view.add(record)
        view.problems.extend(found.problems)
        view.notes.extend(found.notes)
    view.dropped -= set(view.records)  # moved: gone under its old key, read under its new
    return counter.requests


def present(reader: JiraReader, keys: Sequence[str], counter: ReadResult) -> dict[str, str]:
    """Key -> id of those of ``keys`` Jira still has (deleted or hidden ones are absent):
    issue/bulkfetch, current, unlike search."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), BULK):
        chunk = list(keys[start : start + BULK])
        body = {"issueIdsOrKeys": chunk, "fields": ["updated"]}
        answer = reader.site.http.post("issue/bulkfetch", body, idempotent=True)
        counter.requests += 1
        for issue in answer.get("issues", []):
            found[str(issue["key"])] = str(issue["id"])
        # A moved issue answers under its new key: its old key is not held any more.
    return {k: v for k, v in found.items() if k in set(keys)}


def in_scope(
    reader: JiraReader, scope: str, issues: dict[str, str], counter: ReadResult
) -> set[str]:
    """Which of ``issues`` (key -> id) the scope holds now: a search of the scope
    restricted to them, with ``reconcileIssues`` so that search shows their latest
    version (read-after-write consistency), 50 a request."""
    held: set[str] = set()
    keys = sorted(issues)
    for start in range(0, len(keys), RECONCILE):
        chunk = keys[start : start + RECONCILE]
        body = {
            "jql": f"({scope}) AND key in ({', '.join(quote(k) for k in chunk)})",
            "fields": ["key"],
            "maxResults": RECONCILE,
            "reconcileIssues": [int(issues[k]) for k in chunk],
        }
        page = reader.site.http.post(reader.site.search_path, body, idempotent=True)
        counter.requests += 1
        held.update(str(i["key"]) for i in page.get("issues", []))
    return held
