"""The workbook as one side of the sync: its records as the planner sees them, and the
plan's Excel operations as one surgical patch.

All of a cycle's Excel changes for a tracker go into a single WorkbookPatch, applied
once (atomic replace, backup kept) against the fingerprint taken when the rows were
read, so a workbook saved by a person in between is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from connectors.excel import TrackerLocation, WorkbookPatch
from connectors.excel.records import RecordsRead, add_new_rows, add_row_changes
from mappings.mapping import EntityMapping, MappingSpec
from mappings.model import build_record
from sync.plan import Operation, SideRecord


def side_records(read: RecordsRead, fields: Iterable[str]) -> list[SideRecord]:
    """The rows of a tracker as planner input (rows never stamped have no sync_id)."""
    names = list(fields)
    return [
        SideRecord(
            str(row.record.sync_id) if row.has_sync_id else None,
            row.record.key,
            {name: getattr(row.record, name) for name in names},
            row.row_number,
        )
        for row in read.rows
    ]


def flag_text(today: date) -> str:
    return f"Not in Jira scope since {today.isoformat()}"


def excel_patch(
    operations: Iterable[Operation],
    mapping: MappingSpec,
    entity: EntityMapping,
    location: TrackerLocation,
    *,
    today: date,
    stamps: Mapping[int, Mapping[str, Any]] | None = None,
) -> WorkbookPatch:
    """One patch for every Excel operation of a plan.

    Args:
        stamps: row -> {"key": ..., "sync_id": ...} ids to write into rows (a row whose
            issue was just created in Jira, or a matched row not stamped yet).
    """
    patch = WorkbookPatch()
    appended = []
    for op in operations:
        if op.kind == "excel_write" and op.row is not None:
            add_row_changes(
                patch, mapping, entity, location, op.row, {c.name: c.value for c in op.changes}
            )
        elif op.kind == "excel_append":
            values = {**op.values, "key": op.key}
            if op.sync_id:
                values["sync_id"] = op.sync_id
            appended.append(build_record(entity.type, values, source=op.key or "new record"))
        elif op.kind == "excel_flag" and op.row is not None and entity.excel.flag_column:
            patch.set_in(location, op.row, entity.excel.flag_column, flag_text(today))
    for row, ids in (stamps or {}).items():
        add_row_changes(patch, mapping, entity, location, row, ids)
    add_new_rows(patch, mapping, entity, location, appended)
    return patch
