"""Who may do what: groups, project roles and one permission scheme for every project.

Jira decides each operation by a project permission (``EDIT_ISSUES``, ``WORK_ON_ISSUES``...)
granted to project roles; users hold roles per project and belong to groups, which comment
visibility also refers to. The sandbox keeps this minimal and derived from the catalog, so a
saved state needs no extra data: every user is in ``jira-software-users`` and the ``Users``
role; everyone except the read-only viewers is a ``Developer``; the API user, the project's
lead and ``jira-administrators`` are ``Administrators``. The ``Users`` role can only browse,
which is what makes the seeded viewer read-only.

Operations deny with the status and wording Jira uses for that operation (``require``);
``Store.check_write`` also refuses every write by a user without ``EDIT_ISSUES``, so an
endpoint that forgets a specific check still cannot let a viewer write.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.catalog import Catalog
from sandbox.errors import JiraError
from sandbox.model import Project, User

VIEWER = "viewer"
VIEWERS = frozenset({VIEWER})
ADMIN_USERS = frozenset({"pmo-bot", "alice"})  # members of jira-administrators
API_USERNAME = "pmo-bot"

SOFTWARE_USERS = "jira-software-users"
ADMINISTRATORS_GROUP = "jira-administrators"
GROUPS = (SOFTWARE_USERS, ADMINISTRATORS_GROUP)

ROLE_IDS = {"Administrators": "10002", "Developers": "10001", "Users": "10000"}
ROLES = tuple(ROLE_IDS)


@dataclass(frozen=True)
class PermissionDef:
    """A project permission as ``/mypermissions`` describes it, and who holds it."""

    key: str
    id: str
    name: str
    description: str
    roles: frozenset[str]


_WRITERS = frozenset({"Developers", "Administrators"})
_ALL = frozenset(ROLES)

PERMISSIONS: dict[str, PermissionDef] = {
    p.key: p
    for p in (
        PermissionDef(
            "BROWSE_PROJECTS",
            "10",
            "Browse Projects",
            "Ability to browse projects and the issues within them.",
            _ALL,
        ),
        PermissionDef(
            "CREATE_ISSUES", "11", "Create Issues", "Ability to create issues.", _WRITERS
        ),
        PermissionDef("EDIT_ISSUES", "12", "Edit Issues", "Ability to edit issues.", _WRITERS),
        PermissionDef(
            "ASSIGN_ISSUES",
            "13",
            "Assign Issues",
            "Ability to assign issues to other people.",
            _WRITERS,
        ),
        PermissionDef(
            "ADD_COMMENTS", "15", "Add Comments", "Ability to comment on issues.", _WRITERS
        ),
        PermissionDef(
            "DELETE_ISSUES", "16", "Delete Issues", "Ability to delete issues.", _WRITERS
        ),
        PermissionDef(
            "WORK_ON_ISSUES",
            "20",
            "Work On Issues",
            "Ability to log work done against an issue.",
            _WRITERS,
        ),
        PermissionDef(
            "LINK_ISSUES",
            "21",
            "Link Issues",
            "Ability to link issues together and create linked issues.",
            _WRITERS,
        ),
        PermissionDef(
            "TRANSITION_ISSUES",
            "46",
            "Transition Issues",
            "Ability to transition issues.",
            _WRITERS,
        ),
    )
}

# The status and message Jira answers when an operation lacks its permission.
DENIALS: dict[str, tuple[int, str]] = {
    "CREATE_ISSUES": (400, "You do not have permission to create issues in this project."),
    "EDIT_ISSUES": (400, "You do not have permission to edit issues in this project."),
    "TRANSITION_ISSUES": (400, "You do not have permission to transition this issue."),
    "ADD_COMMENTS": (400, "You do not have the permission to comment on this issue."),
    "WORK_ON_ISSUES": (400, "You do not have the permission to associate a worklog to this issue."),
    "ASSIGN_ISSUES": (403, "You do not have permission to assign issues."),
    "DELETE_ISSUES": (403, "You do not have permission to delete issues in this project."),
    "LINK_ISSUES": (404, "No Link Issue Permission for issue."),
}


def groups_of(user: User) -> set[str]:
    """The groups a user belongs to."""
    groups = {SOFTWARE_USERS}
    if user.username in ADMIN_USERS:
        groups.add(ADMINISTRATORS_GROUP)
    return groups


def roles_in(user: User, project: Project) -> set[str]:
    """The project roles a user holds in a project."""
    roles = {"Users"}
    if user.username not in VIEWERS:
        roles.add("Developers")
    if (
        user.username == API_USERNAME
        or user.username == project.lead
        or user.username in (ADMIN_USERS)
    ):
        roles.add("Administrators")
    return roles


def role_members(catalog: Catalog, role: str, project: Project) -> list[User]:
    """Users holding ``role`` in ``project`` (assignable users are the Developers)."""
    return [u for u in catalog.users.values() if role in roles_in(u, project)]


def has(catalog: Catalog, user: User, key: str, project: Project | None = None) -> bool:
    """True if ``user`` holds permission ``key`` in ``project`` (any project if None)."""
    perm = PERMISSIONS[key]
    projects = [project] if project is not None else list(catalog.projects.values())
    return any(perm.roles & roles_in(user, p) for p in projects)


def require(
    catalog: Catalog, user: User, key: str, project_id: str, message: str | None = None
) -> None:
    """Raise Jira's answer for this operation if ``user`` lacks ``key`` in the project
    (``message`` replaces the permission's usual wording, e.g. for editing a comment)."""
    if not has(catalog, user, key, catalog.projects[project_id]):
        status, default = DENIALS.get(key, (403, f"You do not have the {key} permission."))
        message = message or default
        if key == "CREATE_ISSUES":
            raise JiraError(status, None, {"project": message})
        raise JiraError(status, message)


def check_assignable(catalog: Catalog, username: str | None, project_id: str) -> None:
    """Jira's 400 when an assignee lacks the Assignable User permission (here: Developers)."""
    user = catalog.users.get(username) if username else None
    if user is not None and "Developers" not in roles_in(user, catalog.projects[project_id]):
        raise JiraError(400, None, {"assignee": f"User '{username}' cannot be assigned issues."})


def may_write(catalog: Catalog, user: User, project_id: str) -> bool:
    """The blanket rule behind ``Store.check_write``: editing needs EDIT_ISSUES."""
    return has(catalog, user, "EDIT_ISSUES", catalog.projects[project_id])


def can_see(
    catalog: Catalog, user: User, visibility: dict[str, str] | None, project_id: str
) -> bool:
    """Whether a comment or worklog restricted to a role or group is visible to ``user``."""
    if not visibility:
        return True
    value = visibility.get("value", "")
    if visibility.get("type") == "group":
        return value in groups_of(user)
    return value in roles_in(user, catalog.projects[project_id])
