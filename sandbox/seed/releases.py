"""Versions and components of the demo projects, part of the site every seed starts with.

Ids are assigned in a fixed order (versions and components from 10000, project by project),
so the demo's issues can name them and two sandboxes agree on them.
"""

from __future__ import annotations

from sandbox.catalog import Catalog
from sandbox.model import Component, Project, Version
from sandbox.versions import next_id

# (name, description, start date, release date, released)
VERSIONS: list[tuple[str, str, str | None, str | None, bool]] = [
    ("1.0", "First delivery", "2026-09-01", "2026-10-30", True),
    ("1.1", "Cut-over release", "2026-11-02", "2026-12-05", False),
    ("2.0", "Next phase", None, None, False),
]
# (name, description, lead index into the project team, assignee type)
COMPONENTS: list[tuple[str, str, int, str]] = [
    ("Data", "Sources, schemas and migration", 0, "COMPONENT_LEAD"),
    ("Infrastructure", "Environments and networks", 3, "COMPONENT_LEAD"),
    ("Governance", "Plans, boards and reporting", 0, "PROJECT_DEFAULT"),
]
TEAM = ["alice", "bob", "carol", "dave"]


def add_releases(cat: Catalog) -> None:
    """Give every project the same three versions and three components."""
    for index, project in enumerate(cat.projects.values()):
        add_project_releases(cat, project, index)


def add_project_releases(cat: Catalog, project: Project, index: int) -> None:
    """One project's three versions and three components (leads rotate by ``index``)."""
    for name, description, start, release, released in VERSIONS:
        vid = next_id(cat.versions)
        cat.versions[vid] = Version(
            vid, project.id, name, description, start, release, released=released
        )
    for name, description, lead, assignee_type in COMPONENTS:
        cid = next_id(cat.components)
        username = TEAM[(lead + index) % len(TEAM)]
        cat.components[cid] = Component(cid, project.id, name, description, username, assignee_type)


def version_id(cat: Catalog, project_id: str, name: str) -> str:
    """The id of a project's version by name (the demo seed names them)."""
    return next(
        v.id for v in cat.versions.values() if v.project_id == project_id and v.name == name
    )


def component_id(cat: Catalog, project_id: str, name: str) -> str:
    """The id of a project's component by name."""
    return next(
        c.id for c in cat.components.values() if c.project_id == project_id and c.name == name
    )
