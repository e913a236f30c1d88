"""Conflicts as people read them, in `pmo-sync conflicts` and the Sync Conflicts sheet.

A field conflict shows three values. A conflict about a whole record (edited on one
side, removed on the other) holds three whole records; printed raw they are a wall of
braces, so each side is told as what happened to the record there.
"""

from __future__ import annotations

from typing import Any

from sync.plan import RECORD_FIELD
from sync.store_records import Conflict

GONE = {"jira": "issue deleted or out of scope", "excel": "row removed"}


def shown_values(conflict: Conflict) -> tuple[Any, Any, Any]:
    """(base, Jira, Excel) as shown: the values, or for a record what each side did."""
    if conflict.field != RECORD_FIELD:
        return conflict.base, conflict.jira, conflict.excel
    base = conflict.base or {}
    summary = base.get("summary")
    return (
        f"record {summary!r}" if summary else "record",
        _side(base, conflict.jira, "jira"),
        _side(base, conflict.excel, "excel"),
    )


def _side(base: dict[str, Any], values: dict[str, Any] | None, side: str) -> str:
    if values is None:
        return GONE[side]
    changed = sorted(
        name
        for name, value in values.items()
        if not name.startswith("_") and base.get(name) != value
    )
    if not changed:
        return "unchanged"
    return "edited: " + "; ".join(f"{name} = {values[name]!r}" for name in changed)
