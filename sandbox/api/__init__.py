"""REST handlers, one module per resource family; importing this package registers them."""

from __future__ import annotations

from sandbox.api import (
    changelog,
    comments,
    createmeta,
    issues,
    links,
    lookups,
    meta,
    permissions,
    properties,
    search,
    versions,
    workflow,
    worklog,
)

__all__ = [
    "changelog",
    "comments",
    "createmeta",
    "issues",
    "links",
    "lookups",
    "meta",
    "permissions",
    "properties",
    "search",
    "versions",
    "workflow",
    "worklog",
]
