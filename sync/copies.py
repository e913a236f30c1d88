"""Rows a person copied inside a tracker, told apart before they are matched.

Copy and paste is how people add a row in Excel, and a copied row carries the hidden
Sync ID (and often the Jira Key) of the row it came from. Matched as they are, two rows
would claim one record: a create could give Jira a second issue with the same id, or
one issue's values could land on the other row. So, before matching:

- rows sharing a Jira key are left alone this cycle and reported: only the person knows
  which one is the copy;
- rows sharing a Sync ID keep it on one row only (the one whose key the record has, else
  the first keyed row, else the first); the others are read as rows pmo-sync has not
  stamped yet: a copy without a key becomes a new issue, a copy with its own key is
  matched to that issue by key and gets that issue's id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from uuid import uuid4

from connectors.excel.records import RecordsRead, RowRecord
from sync.store_records import BaseEntry


def separate_copies(
    read: RecordsRead, bases: Mapping[str, BaseEntry]
) -> tuple[RecordsRead, list[str], set[str]]:
    """(the rows with copies told apart, errors for the person, keys to leave alone)."""
    errors: list[str] = []
    blocked: set[str] = set()
    by_key: dict[str, list[RowRecord]] = defaultdict(list)
    for row in read.rows:
        if row.record.key:
            by_key[row.record.key].append(row)
    entity = read.entity.excel
    for key, rows in by_key.items():
        if len(rows) > 1:
            blocked.add(key)
            numbers = ", ".join(str(r.row_number) for r in rows)
            errors.append(
                f"{key} is on rows {numbers} of sheet {read.location.sheet!r}: delete the "
                f"copies, or clear a copy's {entity.key_column!r} and {entity.sync_id_column!r} "
                "to make it a new record; these rows are not synced until then"
            )
    by_id: dict[str, list[RowRecord]] = defaultdict(list)
    for row in read.rows:
        if row.has_sync_id:
            by_id[str(row.record.sync_id)].append(row)
    renewed: dict[int, RowRecord] = {}
    for sync_id, rows in by_id.items():
        if len(rows) < 2:
            continue
        keeper = _keeper(rows, bases.get(sync_id))
        for row in rows:
            if row is not keeper:
                fresh = row.record.model_copy(update={"sync_id": uuid4()})
                renewed[row.row_number] = replace(row, record=fresh, has_sync_id=False)
    if not renewed:
        return read, errors, blocked
    rows = [renewed.get(row.row_number, row) for row in read.rows]
    return replace(read, rows=rows), errors, blocked


def _keeper(rows: list[RowRecord], base: BaseEntry | None) -> RowRecord:
    """The row that keeps a shared Sync ID: the record's own row as far as one can tell."""
    if base is not None and base.jira_key:
        for row in rows:
            if row.record.key == base.jira_key:
                return row
    return next((row for row in rows if row.record.key), rows[0])
