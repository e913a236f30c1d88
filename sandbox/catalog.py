"""The site configuration: users, projects, issue types, statuses, fields, workflows, screens.

A ``Catalog`` is pure configuration that seeds fill in; workflows and screens are data keyed
by issue type id, so adding a type or changing its workflow needs no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox import timetracking
from sandbox.model import (
    Component,
    FieldDef,
    IssueLinkType,
    IssueType,
    Priority,
    Project,
    Resolution,
    Status,
    StatusCategory,
    User,
    Version,
    Workflow,
)

STATUS_CATEGORIES: dict[str, StatusCategory] = {
    "undefined": StatusCategory(1, "undefined", "No Category", "medium-gray"),
    "new": StatusCategory(2, "new", "To Do", "blue-gray"),
    "done": StatusCategory(3, "done", "Done", "green"),
    "indeterminate": StatusCategory(4, "indeterminate", "In Progress", "yellow"),
}

# Fields every issue has and every screen shows (besides the type-specific ones).
COMMON_SCREEN_FIELDS: tuple[str, ...] = (
    "summary",
    "description",
    "assignee",
    "reporter",
    "priority",
    "labels",
    "duedate",
    "environment",
    "fixVersions",
    "versions",
    "components",
    "issuelinks",
    "project",
    "issuetype",
    "timetracking",
)


def system_fields() -> list[FieldDef]:
    """Jira's system fields, with the schema Jira publishes for each."""
    f = FieldDef
    return [
        f("summary", "Summary", "string", "string", system="summary"),
        f("description", "Description", "richtext", "string", system="description"),
        f("environment", "Environment", "richtext", "string", system="environment"),
        f("status", "Status", "status", "status", system="status"),
        f("issuetype", "Issue Type", "issuetype", "issuetype", system="issuetype"),
        f("project", "Project", "project", "project", system="project"),
        f("assignee", "Assignee", "user", "user", system="assignee"),
        f("reporter", "Reporter", "user", "user", system="reporter"),
        f("creator", "Creator", "user", "user", system="creator"),
        f("priority", "Priority", "priority", "priority", system="priority"),
        f("labels", "Labels", "labels", "array", items="string", system="labels"),
        f("duedate", "Due date", "date", "date", system="duedate"),
        f("created", "Created", "datetime", "datetime", system="created"),
        f("updated", "Updated", "datetime", "datetime", system="updated"),
        f("resolution", "Resolution", "resolution", "resolution", system="resolution"),
        f("resolutiondate", "Resolved", "datetime", "datetime", system="resolutiondate"),
        f("parent", "Parent", "parent", "issuelink", system="parent"),
        f(
            "fixVersions",
            "Fix versions",
            "versions",
            "array",
            items="version",
            system="fixVersions",
        ),
        f("versions", "Affects versions", "versions", "array", items="version", system="versions"),
        f(
            "components",
            "Components",
            "components",
            "array",
            items="component",
            system="components",
        ),
        f(
            "issuelinks",
            "Linked Issues",
            "issuelinks",
            "array",
            items="issuelinks",
            system="issuelinks",
        ),
        FieldDef(
            "comment", "Comment", "comment", "comments-page", system="comment", navigable=False
        ),
        *timetracking.fields(),
    ]


# Jira's JQL clause names for system fields whose clause differs from the id.
SYSTEM_CLAUSE_NAMES: dict[str, list[str]] = {
    "issuetype": ["issuetype", "type"],
    "duedate": ["duedate", "due"],
    "created": ["created", "createdDate"],
    "updated": ["updated", "updatedDate"],
    "resolutiondate": ["resolutiondate", "resolved"],
    "fixVersions": ["fixVersion"],
    "versions": ["affectedVersion"],
    "components": ["component"],
    "issuelinks": [],  # searched through issueLinkType and linkedIssues(), not by name
    **timetracking.CLAUSE_NAMES,
}


def default_link_types() -> dict[str, IssueLinkType]:
    """The four link types every Jira site starts with, with Jira Cloud's default ids."""
    types = [
        IssueLinkType("10000", "Blocks", "is blocked by", "blocks"),
        IssueLinkType("10001", "Cloners", "is cloned by", "clones"),
        IssueLinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
        IssueLinkType("10003", "Relates", "relates to", "relates to"),
    ]
    return {t.id: t for t in types}


# The custom field type keys Jira publishes in schema.custom, by sandbox kind.
CUSTOM_TYPES: dict[str, tuple[str, str, str | None]] = {
    # kind: (custom type key, schema type, items)
    "select": ("com.atlassian.jira.plugin.system.customfieldtypes:select", "option", None),
    "multiselect": (
        "com.atlassian.jira.plugin.system.customfieldtypes:multiselect",
        "array",
        "option",
    ),
    "richtext": ("com.atlassian.jira.plugin.system.customfieldtypes:textarea", "string", None),
    "string": ("com.atlassian.jira.plugin.system.customfieldtypes:textfield", "string", None),
    "date": ("com.atlassian.jira.plugin.system.customfieldtypes:datepicker", "date", None),
    "number": ("com.atlassian.jira.plugin.system.customfieldtypes:float", "number", None),
    "user": ("com.atlassian.jira.plugin.system.customfieldtypes:userpicker", "user", None),
    "multiuser": (
        "com.atlassian.jira.plugin.system.customfieldtypes:multiuserpicker",
        "array",
        "user",
    ),
}


@dataclass
class Catalog:
    """Everything about the site except its issues."""

    users: dict[str, User] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    issue_types: dict[str, IssueType] = field(default_factory=dict)
    statuses: dict[str, Status] = field(default_factory=dict)
    priorities: dict[str, Priority] = field(default_factory=dict)
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    fields: dict[str, FieldDef] = field(default_factory=dict)
    workflows: dict[str, Workflow] = field(default_factory=dict)  # by issue type id
    screens: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by issue type id
    link_types: dict[str, IssueLinkType] = field(default_factory=default_link_types)
    versions: dict[str, Version] = field(default_factory=dict)  # by id, every project's
    components: dict[str, Component] = field(default_factory=dict)  # by id, every project's
    default_priority_id: str = "3"

    def __post_init__(self) -> None:
        if not self.fields:
            for fd in system_fields():
                self.fields[fd.id] = fd

    # -- lookups -------------------------------------------------------------------------
    def user(self, ident: str | None) -> User | None:
        """Find a user by username, accountId, key, email or display name."""
        if ident is None:
            return None
        if ident in self.users:
            return self.users[ident]
        low = str(ident).lower()
        for u in self.users.values():
            if low in (u.account_id.lower(), u.key.lower(), u.email.lower(), u.username.lower()):
                return u
        for u in self.users.values():
            if u.display_name.lower() == low:
                return u
        return None

    def project(self, ident: str | int | None) -> Project | None:
        """Find a project by id, key or name."""
        if ident is None:
            return None
        s = str(ident)
        if s in self.projects:
            return self.projects[s]
        low = s.lower()
        for p in self.projects.values():
            if p.key.lower() == low or p.name.lower() == low:
                return p
        return None

    def issue_type(self, ident: str | int | None) -> IssueType | None:
        """Find an issue type by id or name."""
        if ident is None:
            return None
        s = str(ident)
        if s in self.issue_types:
            return self.issue_types[s]
        low = s.lower()
        return next((t for t in self.issue_types.values() if t.name.lower() == low), None)

    def status(self, ident: str | int | None) -> Status | None:
        """Find a status by id or name."""
        if ident is None:
            return None
        s = str(ident)
        if s in self.statuses:
            return self.statuses[s]
        low = s.lower()
        return next((st for st in self.statuses.values() if st.name.lower() == low), None)

    def priority(self, ident: str | int | None) -> Priority | None:
        """Find a priority by id or name."""
        if ident is None:
            return None
        s = str(ident)
        if s in self.priorities:
            return self.priorities[s]
        low = s.lower()
        return next((p for p in self.priorities.values() if p.name.lower() == low), None)

    def field_by_name_or_id(self, ident: str) -> FieldDef | None:
        """Find a field by id, by ``cf[NNNNN]``, by clause name, or by (case-insensitive) name."""
        if ident in self.fields:
            return self.fields[ident]
        low = ident.lower()
        if low.startswith("cf[") and low.endswith("]"):
            return self.fields.get(f"customfield_{low[3:-1]}")
        for fid, names in SYSTEM_CLAUSE_NAMES.items():
            if low in (n.lower() for n in names):
                return self.fields[fid]
        return next((f for f in self.fields.values() if f.name.lower() == low), None)

    def custom_field(self, name: str) -> FieldDef:
        """The custom field called ``name`` (raises KeyError if absent)."""
        for f in self.fields.values():
            if f.custom and f.name == name:
                return f
        raise KeyError(name)

    def screen(self, issue_type_id: str) -> tuple[str, ...]:
        """Field ids on the create/edit screen of an issue type."""
        return self.screens.get(issue_type_id, COMMON_SCREEN_FIELDS)

    def clause_names(self, fd: FieldDef) -> list[str]:
        """The JQL names Jira lists in ``/field`` for a field."""
        if fd.custom:
            return [f"cf[{fd.custom_id}]", fd.name]
        return SYSTEM_CLAUSE_NAMES.get(fd.id, [fd.id])
