"""Plain data records for the sandbox's Jira state.

These are the internal shapes only; ``serialize`` turns them into Jira's JSON. Users are
identified internally by their username in both modes so the same state can be served as
Cloud (accountId) or Data Center (name/key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    """A Jira user; ``username`` is the internal identity."""

    username: str
    display_name: str
    email: str
    account_id: str
    key: str
    active: bool = True
    time_zone: str | None = None


@dataclass(frozen=True)
class StatusCategory:
    """Jira's fixed status categories (new, indeterminate, done)."""

    id: int
    key: str
    name: str
    color: str


@dataclass(frozen=True)
class Status:
    """A workflow status."""

    id: str
    name: str
    category_key: str


@dataclass(frozen=True)
class Priority:
    """An issue priority."""

    id: str
    name: str
    color: str


@dataclass(frozen=True)
class Resolution:
    """An issue resolution, set when an issue enters a done status."""

    id: str
    name: str


@dataclass(frozen=True)
class IssueType:
    """An issue type; ``hierarchy_level`` 1 for epics, 0 for standard types."""

    id: str
    name: str
    description: str = ""
    hierarchy_level: int = 0


@dataclass
class Project:
    """A project with its lead and the issue types it offers."""

    id: str
    key: str
    name: str
    lead: str
    issue_type_ids: list[str]
    description: str = ""
    next_number: int = 1


@dataclass(frozen=True)
class Option:
    """An option of a select or multi-select custom field."""

    id: str
    value: str


@dataclass
class FieldDef:
    """A system or custom field.

    ``kind`` is the sandbox's own normalised value type (see ``values``); ``schema_type``,
    ``items``, ``system`` and ``custom_type`` are what Jira publishes in ``/field``.
    """

    id: str
    name: str
    kind: str
    schema_type: str
    custom: bool = False
    items: str | None = None
    system: str | None = None
    custom_type: str | None = None
    options: list[Option] = field(default_factory=list)
    navigable: bool = True
    orderable: bool = True
    searchable: bool = True

    @property
    def custom_id(self) -> int | None:
        """The numeric id Jira uses in ``cf[NNNNN]`` and ``schema.customId``."""
        if not self.custom:
            return None
        return int(self.id.split("_", 1)[1])

    def option_by(self, value: str | None = None, option_id: str | None = None) -> Option | None:
        """Find an option by its value (case-insensitive) or its id."""
        for opt in self.options:
            if option_id is not None and opt.id == str(option_id):
                return opt
            if value is not None and opt.value.lower() == str(value).lower():
                return opt
        return None


@dataclass(frozen=True)
class TransitionDef:
    """A workflow transition; empty ``from_status_ids`` means a global transition.

    ``screen_fields`` may be set during the transition; ``required_fields`` must be.
    """

    id: str
    name: str
    from_status_ids: tuple[str, ...]
    to_status_id: str
    screen_fields: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()


@dataclass
class Workflow:
    """The statuses and transitions an issue type follows."""

    name: str
    initial_status_id: str
    transitions: list[TransitionDef]

    def available(self, status_id: str) -> list[TransitionDef]:
        """Transitions that may be taken from ``status_id``."""
        return [
            t for t in self.transitions if not t.from_status_ids or status_id in t.from_status_ids
        ]

    def status_ids(self) -> list[str]:
        """Every status this workflow can reach, initial first."""
        seen = [self.initial_status_id]
        for t in self.transitions:
            for sid in (*t.from_status_ids, t.to_status_id):
                if sid not in seen:
                    seen.append(sid)
        return seen


@dataclass
class Comment:
    """An issue comment; ``body`` is stored as an ADF document."""

    id: str
    author: str
    body: dict[str, Any]
    created: int
    updated: int
    update_author: str | None = None
    visibility: dict[str, str] | None = None  # {"type": "role"|"group", "value": ...}


@dataclass
class ChangeItem:
    """One field change inside a changelog entry."""

    field: str
    field_id: str
    fieldtype: str
    from_value: str | None
    from_string: str | None
    to_value: str | None
    to_string: str | None


@dataclass
class ChangeGroup:
    """One changelog entry: who changed what, when."""

    id: str
    author: str
    created: int
    items: list[ChangeItem]


@dataclass
class Issue:
    """An issue's full state; ``fields`` holds internal values keyed by field id.

    ``version`` increases on every write and keys the serialisation cache.
    """

    id: int
    key: str
    project_id: str
    fields: dict[str, Any]
    comments: list[Comment] = field(default_factory=list)
    changelog: list[ChangeGroup] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    version: int = 1

    @property
    def created(self) -> int:
        """Creation time, epoch milliseconds."""
        return int(self.fields["created"])

    @property
    def updated(self) -> int:
        """Last update time, epoch milliseconds."""
        return int(self.fields["updated"])


@dataclass(frozen=True)
class IssueLinkType:
    """A kind of link: ``outward`` reads from the source ("blocks"), ``inward`` from the
    destination ("is blocked by")."""

    id: str
    name: str
    inward: str
    outward: str


@dataclass
class Version:
    """A project version (fixVersions / versions values); dates are ISO ``yyyy-mm-dd``."""

    id: str
    project_id: str
    name: str
    description: str = ""
    start_date: str | None = None
    release_date: str | None = None
    released: bool = False
    archived: bool = False


@dataclass
class Component:
    """A project component; ``lead`` is a username, ``assignee_type`` Jira's enum value."""

    id: str
    project_id: str
    name: str
    description: str = ""
    lead: str | None = None
    assignee_type: str = "PROJECT_DEFAULT"
