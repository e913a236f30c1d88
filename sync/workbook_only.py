"""Entities only the workbook holds, such as a status tracker's Projects sheet or a
resource plan's Resources and Allocations (mappings.model.WORKBOOK_ONLY).

A PMO keeps some figures Jira never sees: each project's manager, baseline and the
earned-value inputs (budget, planned value, earned value, actual cost). There is nothing
to merge, so they are not synced; each cycle copies the rows as they are into the state
store, where the report (SPI, CPI, RAG) and the worksheet functions read them next to the
synced issues.

A tracker without such a sheet simply has no figures (the default status-tracker mapping
names a Projects sheet, and older workbooks lack it); a sheet that is there but holds a
row the model rejects is reported, and the other rows are still copied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from connectors.excel.errors import ExcelError, TrackerNotFound
from mappings.mapping import EntityMapping, MappingSpec
from sync.excel_side import read_entity
from sync.store import StateStore


def workbook_only_entities(
    mapping: MappingSpec, wanted: Sequence[str] | None
) -> list[EntityMapping]:
    """The mapping's entities with no Jira side (limited to a pair's `entities` if set)."""
    return [e for e in mapping.entities if e.jira is None and (not wanted or e.type in wanted)]


def item_id(entity: str, key: str) -> str:
    """The store's id of a workbook-only record: stable across cycles, from its key."""
    return f"{entity}:{key}"


def copy_to_store(
    store: StateStore,
    pair: str,
    workbook: Path,
    mapping: MappingSpec,
    entity: EntityMapping,
    context: Mapping[str, Any],
) -> list[str]:
    """Replace the pair's stored records of one workbook-only entity; returns the errors."""
    try:
        read = read_entity(workbook, mapping, entity, context)
    except TrackerNotFound:
        return []  # no such sheet in this workbook: no figures, nothing wrong
    except ExcelError as exc:
        return [f"{entity.type}: {exc}"]
    errors = [str(error) for error in read.errors]
    items: dict[str, dict[str, Any]] = {}
    rows: dict[str, int] = {}
    for row in read.rows:
        key = row.record.key
        if key in rows:
            errors.append(
                f"{entity.type} {key} is on rows {rows[key]} and {row.row_number} of "
                f"{read.location.sheet}; the later row is used: remove one of them"
            )
        rows[key] = row.row_number
        values = row.record.model_dump()
        items[key] = {**values, "sync_id": item_id(entity.type, key)}
        if entity.type == "project":
            items[key]["project"] = key  # a project is its own project (an allocation has one)
    rejected = {key for key, _ in read.rejected_ids if key}
    with store.transaction():
        stored = {str(item["sync_id"]) for item in store.items(entity.type, pair)}
        # A rejected row keeps its last good figures instead of vanishing from reports.
        keep = {item_id(entity.type, key) for key in rejected}
        current = {item["sync_id"] for item in items.values()}
        store.drop_items(pair, entity.type, sorted(stored - current - keep))
        store.save_items(pair, entity.type, list(items.values()))
    return errors
