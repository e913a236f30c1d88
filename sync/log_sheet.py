"""The optional "Sync Log" sheet: the newest applied changes where PMO staff look.

The audit trail itself lives in the state store (`pmo-sync log`); the sheet is a
mirror of its newest entries for one pair, owned and replaced whole by pmo-sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.excel import Fingerprint, replace_owned_sheet
from sync.store_records import AuditEntry

SHEET = "Sync Log"
HEADER = ("When", "Cycle", "Entity", "Record", "Field", "Old value", "New value", "Direction")
ROWS = 500


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def refresh_log_sheet(path: Path, entries: Sequence[AuditEntry], keep_backups: int) -> int:
    """Replace the sheet with ``entries`` (newest first); bytes written."""
    rows = [
        [
            e.at.replace(tzinfo=None) if e.at else None,
            e.cycle_id,
            e.entity,
            e.jira_key or e.sync_id,
            e.field,
            _cell(e.old),
            _cell(e.new),
            e.direction,
        ]
        for e in entries[:ROWS]
    ]
    result = replace_owned_sheet(
        path, SHEET, HEADER, rows, fingerprint=Fingerprint.of_file(path), keep_backups=keep_backups
    )
    return result.bytes_written
