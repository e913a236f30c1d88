"""The workbook as one side of the sync: its records as the planner sees them, and the
plan's Excel operations as surgical patches.

All of a cycle's Excel changes for a workbook go into one WorkbookPatch, applied once
(atomic replace, backup kept) against the fingerprint taken when the rows were read,
so a workbook saved by a person in between is never overwritten.

A daemon re-reads the same unchanged workbook every few minutes; the parsed rows are
kept per file and reused while the file's size and modification time stay the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from connectors.excel import TrackerLocation, WorkbookPatch
from connectors.excel.record_writes import add_new_rows, add_row_changes, row_values
from connectors.excel.records import ColumnStyle, RecordsRead, read_records
from mappings.mapping import EntityMapping, MappingSpec
from sync.plan import SideRecord

_CACHE: dict[tuple[str, str, str], tuple[tuple[int, int], RecordsRead]] = {}


def read_entity(
    path: Path, mapping: MappingSpec, entity: EntityMapping, context: Mapping[str, Any]
) -> RecordsRead:
    """The entity's rows, parsed again only when the file changed since the last read."""
    stat = os.stat(path)
    stamp = (stat.st_size, stat.st_mtime_ns)
    cache_key = (str(Path(path).resolve()), mapping.name, entity.type)
    cached = _CACHE.get(cache_key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    read = read_records(path, mapping, entity, context=context)
    _CACHE[cache_key] = (stamp, read)
    return read


def side_records(read: RecordsRead, fields: Iterable[str]) -> list[SideRecord]:
    """The rows of a tracker as planner input (rows never stamped have no sync_id)."""
    names = list(fields)
    return [
        SideRecord(
            str(row.record.sync_id) if row.has_sync_id else None,
            row.record.key,
            {name: getattr(row.record, name) for name in names},
            row.row_number,
            {name: why for name, why in row.unknown.items() if name in names},
            row.formula_fields & frozenset(names),
        )
        for row in read.rows
    ]


def flag_text(today: date) -> str:
    return f"Not in Jira scope since {today.isoformat()}"


class ExcelChanges:
    """The cell writes and appends of one cycle for one workbook, entity by entity."""

    def __init__(self, mapping: MappingSpec) -> None:
        self.mapping = mapping
        self.patch = WorkbookPatch()

    def write(
        self,
        entity: EntityMapping,
        location: TrackerLocation,
        row: int,
        changes: Mapping[str, Any],
        styles: Mapping[str, ColumnStyle] | None = None,
    ) -> None:
        if changes:
            add_row_changes(self.patch, self.mapping, entity, location, row, changes, styles)

    def flag(
        self, entity: EntityMapping, location: TrackerLocation, row: int, text: str | None
    ) -> bool:
        """Write (or clear, with None) the row's flag; False when the tracker has no flag
        column, in which case the row is only reported."""
        column = entity.excel.flag_column
        if not column or location.header_for(column) is None:
            return False
        self.patch.set_in(location, row, column, text)
        return True

    def append(
        self,
        entity: EntityMapping,
        location: TrackerLocation,
        records: Iterable[Any],
        blank: Iterable[int] = (),
        seed: Iterable[str] = (),
        styles: Mapping[str, ColumnStyle] | None = None,
    ) -> None:
        """New rows: into the tracker's blank template rows first, then appended.
        ``seed``: one-way workbook fields that start with Jira's value (see row_values)."""
        pending = list(records)
        fields = tuple(seed)
        for row, record in zip(blank, list(pending), strict=False):
            values = row_values(self.mapping, entity, record, location, fields, styles)
            for header, value in values.items():
                if value is not None:
                    self.patch.set_in(location, row, header, value)
            pending.remove(record)
        add_new_rows(self.patch, self.mapping, entity, location, pending, fields, styles)

    def __bool__(self) -> bool:
        return bool(self.patch)
