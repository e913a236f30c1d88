"""The "Sync Conflicts" sheet: conflicts shown where PMO staff already work.

pmo-sync owns this sheet (it is replaced whole each cycle through the lossless writer,
never touching the user's own sheets). A person resolves a conflict by typing in the
Resolution column: ``jira`` keeps Jira's value, ``excel`` keeps the workbook's, and
anything else is taken as the value to write to both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.excel import (
    Fingerprint,
    PatchResult,
    TrackerNotFound,
    is_owned,
    read_tracker,
    replace_owned_sheet,
)
from connectors.excel.package import Package
from sync.conflict_text import shown_values
from sync.store_records import Conflict

SHEET = "Sync Conflicts"
HEADER = (
    "Conflict #",
    "Pair",
    "Entity",
    "Record",
    "Field",
    "Value at last sync",
    "Jira value",
    "Excel value",
    "Jira updated",
    "Excel read at",
    "Detected",
    "Resolution (jira / excel / value)",
)
RESOLUTION = HEADER[-1]


def _cell(value: Any) -> Any:
    """Values as cells: text stays literal (the writer quote-prefixes formula-like text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _naive(moment: Any) -> Any:
    return moment.replace(tzinfo=None) if moment is not None else None


def write_conflicts_sheet(
    path: Path, conflicts: Sequence[Conflict], *, fingerprint: Fingerprint, keep_backups: int = 10
) -> PatchResult:
    """Replace the conflicts sheet with the open conflicts (an empty table when none)."""
    rows = [
        [
            c.id,
            c.pair,
            c.entity,
            c.jira_key or c.sync_id,
            c.field,
            *(_cell(value) for value in shown_values(c)),
            _naive(c.jira_updated),
            _naive(c.excel_seen),
            _naive(c.detected_at),
            None,
        ]
        for c in conflicts
    ]
    return replace_owned_sheet(
        path, SHEET, HEADER, rows, fingerprint=fingerprint, keep_backups=keep_backups
    )


@dataclass(frozen=True)
class Resolution:
    """What a person typed for one conflict."""

    conflict_id: int
    choice: str  # "jira", "excel" or "value"
    value: Any = None


def read_resolutions(path: Path) -> list[Resolution]:
    """The resolutions typed into the conflicts sheet (none when there is no sheet)."""
    if not is_owned(Package(path, path.read_bytes()), SHEET):
        return []
    try:
        data = read_tracker(path, sheet=SHEET, columns=[HEADER[0], RESOLUTION])
    except TrackerNotFound:
        return []
    found = []
    for row in data.rows:
        number, typed = row.value(HEADER[0]), row.value(RESOLUTION)
        if not isinstance(number, int | float) or typed in (None, ""):
            continue
        word = str(typed).strip().casefold()
        if word in ("jira", "excel"):
            found.append(Resolution(int(number), word))
        else:
            found.append(Resolution(int(number), "value", typed))
    return found


def refresh_conflicts_sheet(path: Path, conflicts: Sequence[Conflict], keep_backups: int) -> int:
    """Bring the sheet up to date; bytes written (0 when nothing changed or no sheet is
    needed: a workbook without conflicts never gets an empty conflicts sheet)."""
    data = path.read_bytes()
    if not conflicts and not is_owned(Package(path, data), SHEET):
        return 0
    result = write_conflicts_sheet(
        path, conflicts, fingerprint=Fingerprint.of_bytes(path, data), keep_backups=keep_backups
    )
    return result.bytes_written
