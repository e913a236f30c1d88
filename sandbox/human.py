"""Edits "as a human in the Jira UI would", for tests that simulate a PM working in Jira.

They take field names (or ids) and friendly values (option values, usernames, wiki markup)
and go through the same write paths as the REST API, so ``updated``, the changelog and
search visibility behave exactly as for an API write, without any HTTP.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.model import Comment, Issue
from sandbox.richtext import empty_doc, wiki_to_adf

if TYPE_CHECKING:
    from sandbox.store import Store

# Fields a person cannot edit in place in Jira (status moves by transitions only).
_NOT_EDITABLE = frozenset(
    {"status", "project", "issuetype", "created", "updated", "resolution", "resolutiondate"}
)


class HumanEdits:
    """Mixin for ``Store``: friendly, UI-like writes."""

    def human_edit(self: Store, key: str, values: dict[str, Any], author: str = "alice") -> Issue:
        """Edit an issue by field *name or id* with friendly values, bypassing HTTP.

        Values: plain strings for text, wiki markup for rich text, option values for selects,
        usernames for user fields, ISO dates for date fields, numbers for number fields.
        """
        with self.lock:
            issue = self.get(key)
            changes = {}
            for name, value in values.items():
                fd = self.catalog.field_by_name_or_id(name)
                if fd is None:
                    raise KeyError(name)
                if fd.id in _NOT_EDITABLE:
                    raise ValueError(f"{fd.name} cannot be edited; use human_transition")
                changes[fd.id] = self._friendly(fd.id, value)
            self.edit(issue, changes, author)
            return issue

    def human_transition(
        self,
        key: str,
        transition_name: str,
        author: str = "alice",
        values: dict[str, Any] | None = None,
    ) -> Issue:
        """Take a workflow transition by name, as a user clicking it in Jira would."""
        with self.lock:
            issue = self.get(key)
            workflow = self.catalog.workflows[issue.fields["issuetype"]]
            for tdef in workflow.available(issue.fields["status"]):
                if tdef.name.lower() == transition_name.lower():
                    changes = {}
                    for name, value in (values or {}).items():
                        fd = self.catalog.field_by_name_or_id(name)
                        if fd is None:
                            raise KeyError(name)
                        changes[fd.id] = self._friendly(fd.id, value)
                    self.transition(issue, tdef, changes, author)
                    return issue
            raise ValueError(f"no transition {transition_name!r} from {issue.key}")

    def human_create(
        self,
        project: str,
        issue_type: str,
        summary: str,
        values: dict[str, Any] | None = None,
        author: str = "alice",
    ) -> Issue:
        """Create an issue by project key and type name with friendly values."""
        with self.lock:
            p = self.catalog.project(project)
            it = self.catalog.issue_type(issue_type)
            if p is None or it is None:
                raise KeyError(project if p is None else issue_type)
            changes: dict[str, Any] = {"summary": summary}
            for name, value in (values or {}).items():
                fd = self.catalog.field_by_name_or_id(name)
                if fd is None:
                    raise KeyError(name)
                changes[fd.id] = self._friendly(fd.id, value)
            return self.create(p.id, it.id, changes, author)

    def human_comment(self: Store, key: str, wiki: str, author: str = "alice") -> Comment:
        """Comment on an issue with wiki markup."""
        with self.lock:
            body = wiki_to_adf(wiki) or empty_doc()
            return self.add_comment(self.get(key), body, author)

    def human_log_work(
        self: Store,
        key: str,
        time_spent: str,
        started: datetime,
        author: str = "alice",
        comment: str | None = None,
        visibility: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Log work (``"2h 30m"``, comment in wiki markup) as ``author`` would in the UI; the
        remaining estimate moves as with ``adjustEstimate=auto``."""
        from sandbox import timetracking, worklogs  # worklogs builds on the store

        seconds = timetracking.parse_duration(time_spent)
        if not seconds or started.tzinfo is None:
            raise ValueError(f"need a positive duration and an aware start, not {time_spent!r}")
        with self.lock:
            issue = self.get(key)
            return worklogs.add(
                self,
                issue,
                self._friendly_user(author),
                seconds=seconds,
                started=int(started.timestamp() * 1000),
                comment=wiki_to_adf(comment) if comment else None,
                visibility=visibility,
                remaining=worklogs.remaining_after(
                    "auto",
                    issue.fields.get("timeestimate"),
                    seconds,
                    new_estimate=None,
                    amount=None,
                    amount_name="reduceBy",
                ),
            )

    def _friendly(self: Store, fid: str, value: Any) -> Any:
        fd = self.catalog.fields[fid]
        cat = self.catalog
        if value is None:
            return [] if fd.kind in ("multiselect", "multiuser", "labels") else None
        if fd.kind == "richtext":
            return value if isinstance(value, dict) else wiki_to_adf(value)
        if fd.kind == "select":
            opt = fd.option_by(value=value)
            if opt is None:
                raise ValueError(f"{fd.name}: no option {value!r}")
            return opt.id
        if fd.kind == "multiselect":
            return [self._friendly_option(fd.id, v) for v in value]
        if fd.kind == "user":
            return self._friendly_user(value)
        if fd.kind == "multiuser":
            return [self._friendly_user(v) for v in value]
        if fd.kind == "priority":
            p = cat.priority(value)
            if p is None:
                raise ValueError(f"no priority {value!r}")
            return p.id
        if fd.kind == "parent":
            return self.get(value).id
        return value

    def _friendly_user(self: Store, value: str) -> str:
        user = self.catalog.user(value)
        if user is None:
            raise ValueError(f"no user {value!r}")
        return user.username

    def _friendly_option(self: Store, fid: str, value: str) -> str:
        opt = self.catalog.fields[fid].option_by(value=value)
        if opt is None:
            raise ValueError(f"{fid}: no option {value!r}")
        return opt.id
