"""REST handlers, one module per resource family; importing this package registers them."""

from __future__ import annotations

from sandbox.api import (
    changelog,
    comments,
    createmeta,
    issues,
    lookups,
    meta,
    permissions,
    properties,
    search,
    workflow,
)

__all__ = [
    "changelog",
    "comments",
    "createmeta",
    "issues",
    "lookups",
    "meta",
    "permissions",
    "properties",
    "search",
    "workflow",
]
