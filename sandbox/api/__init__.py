"""REST handlers, one module per resource family; importing this package registers them."""

from __future__ import annotations

from sandbox.api import (
    changelog,
    comments,
    createmeta,
    issues,
    meta,
    properties,
    search,
    workflow,
)

__all__ = [
    "changelog",
    "comments",
    "createmeta",
    "issues",
    "meta",
    "properties",
    "search",
    "workflow",
]
