"""The in-memory Jira: issues, their indexes, and every write operation.

All writes go through this module so that each one bumps ``updated`` (millisecond precision),
appends to the changelog and increases the issue's ``version`` in one place. The store also
keeps what search may still show for recently written issues (Jira's search is eventually
consistent) and exposes "as a human in the Jira UI would" helpers for tests.
"""

from __future__ import annotations

import bisect
import copy
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import links, permissions, render, values, versions
from sandbox.catalog import Catalog
from sandbox.errors import JiraError, not_found
from sandbox.human import HumanEdits
from sandbox.model import ChangeGroup, ChangeItem, Comment, Issue, TransitionDef, User

NO_PERMISSION = "You do not have permission to edit issues in this project."
# Fields Jira maintains itself without a changelog line (it logs status and resolution).
_UNLOGGED = frozenset({"resolutiondate"})
# Fields whose changelog has one item per value added or removed (each module knows how).
_ITEMIZED = {
    "fixVersions": versions.changelog_items,
    "versions": versions.changelog_items,
    "components": versions.changelog_items,
    "issuelinks": links.changelog_items,
}


@dataclass
class _Shadow:
    """An issue's state just before a write at monotonic time ``at`` (None: did not exist)."""

    at: float
    before: Issue | None


@dataclass
class Store(HumanEdits):
    """Issues plus the catalog, guarded by one re-entrant lock."""

    catalog: Catalog
    mode: str = "cloud"
    clock: Callable[[], float] = time.time
    search_lag: float = 0.0
    count_jitter: int = 0  # approximate-count answers off by up to this many
    issues: dict[int, Issue] = field(default_factory=dict)
    read_only_users: set[str] = field(default_factory=set)
    read_only_projects: set[str] = field(default_factory=set)
    next_issue_id: int = 10000
    next_entity_id: int = 10000
    generation: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self._by_key: dict[str, Issue] = {}
        self._by_project: dict[str, set[int]] = {}
        self._by_type: dict[str, set[int]] = {}
        self._shadows: dict[int, list[_Shadow]] = {}
        self._last_ms = 0
        # (updated, id) pairs, sorted lazily: lets "updated >= T" queries skip old issues.
        self._by_updated: list[tuple[int, int]] = []
        self._updated_dirty = False
        for issue in self.issues.values():
            self._index(issue)

    # -- time -------------------------------------------------------------------------------
    def now_ms(self) -> int:
        """Current time in epoch ms, strictly increasing across writes."""
        ms = int(self.clock() * 1000)
        if ms <= self._last_ms:
            ms = self._last_ms + 1
        self._last_ms = ms
        return ms

    # -- lookups ----------------------------------------------------------------------------
    def find(self, ident: str | int) -> Issue | None:
        """An issue by id or key (keys are case-insensitive, as in Jira)."""
        s = str(ident)
        if s.isdigit():
            return self.issues.get(int(s))
        return self._by_key.get(s.upper())

    def get(self, ident: str | int) -> Issue:
        """An issue by id or key, or Jira's 404."""
        issue = self.find(ident)
        if issue is None:
            raise not_found()
        return issue

    def ids_in_project(self, project_id: str) -> set[int]:
        """Ids of the issues of a project (index lookup)."""
        return self._by_project.get(project_id, set())

    def ids_of_type(self, type_id: str) -> set[int]:
        """Ids of the issues of an issue type (index lookup)."""
        return self._by_type.get(type_id, set())

    def all_ids(self) -> Iterable[int]:
        """Every current issue id."""
        return self.issues.keys()

    def insert(self, issue: Issue) -> None:
        """Add a fully built issue as-is (bulk seeding): no changelog, no ``updated`` bump."""
        with self.lock:
            self.issues[issue.id] = issue
            self._index(issue)
            self.generation += 1

    def _index(self, issue: Issue) -> None:
        self._by_key[issue.key] = issue
        self._by_project.setdefault(issue.project_id, set()).add(issue.id)
        self._by_type.setdefault(issue.fields["issuetype"], set()).add(issue.id)
        self._by_updated.append((issue.updated, issue.id))
        self._updated_dirty = True

    def _unindex(self, issue: Issue) -> None:
        self._by_key.pop(issue.key, None)
        self._by_project.get(issue.project_id, set()).discard(issue.id)
        self._by_type.get(issue.fields["issuetype"], set()).discard(issue.id)
        self._forget_updated(issue.updated, issue.id)

    def prepare_indexes(self) -> None:
        """Build lazily sorted indexes now (after bulk seeding) so no request pays for it."""
        self._sorted_updated()

    def _sorted_updated(self) -> list[tuple[int, int]]:
        if self._updated_dirty:
            self._by_updated.sort()
            self._updated_dirty = False
        return self._by_updated

    def _forget_updated(self, ms: int, issue_id: int) -> None:
        pairs = self._sorted_updated()
        i = bisect.bisect_left(pairs, (ms, issue_id))
        if i < len(pairs) and pairs[i] == (ms, issue_id):
            del pairs[i]

    def count_updated_since(self, ms: int) -> int:
        """How many issues have ``updated`` at or after ``ms`` (to judge selectivity)."""
        pairs = self._sorted_updated()
        return len(pairs) - bisect.bisect_left(pairs, (ms, -1))

    def ids_updated_since(self, ms: int) -> set[int]:
        """Ids of issues whose ``updated`` is at or after ``ms`` (ordered index lookup)."""
        pairs = self._sorted_updated()
        start = bisect.bisect_left(pairs, (ms, -1))
        return {issue_id for _, issue_id in pairs[start:]}

    # -- search visibility ------------------------------------------------------------------
    def _remember(self, issue_id: int, before: Issue | None) -> None:
        if self.search_lag <= 0:
            return
        now = time.monotonic()
        shadows = self._shadows.setdefault(issue_id, [])
        shadows.append(_Shadow(now, before))
        while shadows and shadows[0].at < now - self.search_lag:
            shadows.pop(0)

    def search_view(self, reconcile: set[int] | None = None) -> Callable[[int], Issue | None]:
        """A function giving the version of an issue search may show now.

        An issue written less than ``search_lag`` seconds ago shows as it was before that
        write (or not at all if it was created then), unless its id is in ``reconcile``.
        """
        if self.search_lag <= 0 or not self._shadows:
            return self.issues.get
        horizon = time.monotonic() - self.search_lag
        reconcile = reconcile or set()

        def view(issue_id: int) -> Issue | None:
            current = self.issues.get(issue_id)
            if issue_id in reconcile:
                return current
            for shadow in self._shadows.get(issue_id, ()):
                if shadow.at > horizon:
                    return shadow.before
            return current

        return view

    def search_candidates(self) -> set[int]:
        """Ids search must consider: current issues plus recently deleted ones."""
        if self.search_lag <= 0 or not self._shadows:
            return set(self.issues)
        return set(self.issues) | set(self._shadows)

    # -- permissions ------------------------------------------------------------------------
    def check_write(self, user: User, project_id: str) -> None:
        """403 for a read-only user or project, like Jira without Edit Issues permission."""
        project = self.catalog.projects[project_id]
        if user.username in self.read_only_users or project.key in self.read_only_projects:
            raise JiraError(403, NO_PERMISSION)
        if not permissions.may_write(self.catalog, user, project_id):  # a read-only role
            raise JiraError(403, NO_PERMISSION)

    # -- writes -----------------------------------------------------------------------------
    def _bump(self, issue: Issue, at: int) -> None:
        self._forget_updated(issue.updated, issue.id)
        issue.fields["updated"] = at
        bisect.insort(self._sorted_updated(), (at, issue.id))
        issue.version += 1
        self.generation += 1

    def _entity_id(self) -> str:
        self.next_entity_id += 1
        return str(self.next_entity_id)

    def create(
        self,
        project_id: str,
        type_id: str,
        values: dict[str, Any],
        reporter: str,
        *,
        properties: dict[str, Any] | None = None,
        at: int | None = None,
    ) -> Issue:
        """Create an issue in its workflow's initial status; ``values`` are internal values."""
        with self.lock:
            cat = self.catalog
            project = cat.projects[project_id]
            workflow = cat.workflows[type_id]
            when = at if at is not None else self.now_ms()
            fields: dict[str, Any] = {
                "summary": "",
                "description": None,
                "environment": None,
                "assignee": None,
                "reporter": reporter,
                "creator": reporter,
                "priority": cat.default_priority_id,
                "labels": [],
                "duedate": None,
                "resolution": None,
                "resolutiondate": None,
                "parent": None,
            }
            fields.update(values)
            fields["project"] = project_id
            fields["issuetype"] = type_id
            fields["status"] = workflow.initial_status_id
            fields["created"] = when
            fields["updated"] = when
            self.next_issue_id += 1
            issue = Issue(
                id=self.next_issue_id,
                key=f"{project.key}-{project.next_number}",
                project_id=project_id,
                fields=fields,
                properties=dict(properties or {}),
            )
            project.next_number += 1
            self.issues[issue.id] = issue
            self._index(issue)
            self._remember(issue.id, None)
            self.generation += 1
            return issue

    def edit(
        self,
        issue: Issue,
        changes: dict[str, Any],
        author: str,
        *,
        at: int | None = None,
        describe: Callable[[str, Any], tuple[str | None, str | None]] | None = None,
    ) -> ChangeGroup | None:
        """Apply internal-value ``changes``; log and bump only what actually changed."""
        with self.lock:
            real = {k: v for k, v in changes.items() if issue.fields.get(k) != v}
            if not real:
                return None
            before = copy.deepcopy(issue)
            when = at if at is not None else self.now_ms()
            items = []
            for fid, new in real.items():
                old = issue.fields.get(fid)
                if fid in _ITEMIZED:
                    items.extend(_ITEMIZED[fid](self.catalog, fid, old, new))
                elif fid not in _UNLOGGED:
                    items.append(self._change_item(fid, old, new, describe))
                issue.fields[fid] = new
            group = ChangeGroup(self._entity_id(), author, when, items)
            issue.changelog.append(group)
            self._bump(issue, when)
            self._remember(issue.id, before)
            return group

    def _change_item(
        self,
        fid: str,
        old: Any,
        new: Any,
        describe: Callable[[str, Any], tuple[str | None, str | None]] | None,
    ) -> ChangeItem:
        fd = self.catalog.fields[fid]
        describe = describe or self.describer()
        f_from, f_from_s = describe(fid, old)
        f_to, f_to_s = describe(fid, new)
        return ChangeItem(
            field=fd.name if fd.custom else fid,
            field_id=fid,
            fieldtype="custom" if fd.custom else "jira",
            from_value=f_from,
            from_string=f_from_s,
            to_value=f_to,
            to_string=f_to_s,
        )

    def transition(
        self,
        issue: Issue,
        tdef: TransitionDef,
        changes: dict[str, Any],
        author: str,
        *,
        describe: Callable[[str, Any], tuple[str | None, str | None]] | None = None,
    ) -> None:
        """Move an issue along a workflow transition, setting resolution for done statuses."""
        with self.lock:
            cat = self.catalog
            all_changes = dict(changes)
            all_changes["status"] = tdef.to_status_id
            done = cat.statuses[tdef.to_status_id].category_key == "done"
            if done and issue.fields.get("resolution") is None:
                all_changes["resolution"] = next(iter(cat.resolutions))
                all_changes["resolutiondate"] = None  # set below to the write time
            elif not done and issue.fields.get("resolution") is not None:
                all_changes["resolution"] = None
                all_changes["resolutiondate"] = None
            when = self.now_ms()
            if "resolutiondate" in all_changes and done:
                all_changes["resolutiondate"] = when
            self.edit(issue, all_changes, author, at=when, describe=describe)

    def delete(self, issue: Issue) -> None:
        """Remove an issue."""
        with self.lock:
            self._remember(issue.id, copy.deepcopy(issue))
            del self.issues[issue.id]
            self._unindex(issue)
            self.generation += 1

    def add_comment(self, issue: Issue, body: dict[str, Any], author: str) -> Comment:
        """Add a comment; like Jira, this bumps the issue's ``updated``."""
        with self.lock:
            before = copy.deepcopy(issue)
            when = self.now_ms()
            comment = Comment(self._entity_id(), author, body, when, when, author)
            issue.comments.append(comment)
            self._bump(issue, when)
            self._remember(issue.id, before)
            return comment

    def update_comment(
        self, issue: Issue, comment: Comment, body: dict[str, Any], author: str
    ) -> None:
        """Replace a comment's body; bumps the issue's ``updated``."""
        with self.lock:
            before = copy.deepcopy(issue)
            when = self.now_ms()
            comment.body = body
            comment.updated = when
            comment.update_author = author
            self._bump(issue, when)
            self._remember(issue.id, before)

    def delete_comment(self, issue: Issue, comment: Comment) -> None:
        """Remove a comment; bumps the issue's ``updated``."""
        with self.lock:
            before = copy.deepcopy(issue)
            issue.comments.remove(comment)
            self._bump(issue, self.now_ms())
            self._remember(issue.id, before)

    def set_property(self, issue: Issue, key: str, value: Any) -> bool:
        """Set an entity property; returns True if it was new.

        As in Jira, entity properties are not issue fields: setting one leaves ``updated``
        and the changelog alone (so an integration's bookkeeping does not look like an edit).
        """
        with self.lock:
            created = key not in issue.properties
            issue.properties[key] = copy.deepcopy(value)
            issue.version += 1
            self.generation += 1
            return created

    def delete_property(self, issue: Issue, key: str) -> None:
        """Remove an entity property (404 if absent)."""
        with self.lock:
            if key not in issue.properties:
                raise JiraError(404, f"The property with key '{key}' does not exist.")
            del issue.properties[key]
            issue.version += 1
            self.generation += 1

    def describer(self) -> Callable[[str, Any], tuple[str | None, str | None]]:
        """Changelog from/to strings as a Cloud UI edit records them."""
        ctx = render.Ctx("", self.mode, self.catalog, ZoneInfo("UTC"))

        def describe(fid: str, value: Any) -> tuple[str | None, str | None]:
            return values.display(self.catalog.fields[fid], value, ctx)

        return describe
