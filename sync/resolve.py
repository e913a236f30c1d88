"""Resolving conflicts: from `pmo-sync resolve` or the Resolution column of the sheet.

A resolved field conflict is written to both sides by the next cycle (the chosen value
wins on each side that does not hold it yet). A conflict about a whole record (edited on
one side, removed on the other) is settled in the store right away:

- row removed in Excel, issue edited in Jira: ``jira`` brings the row back with Jira's
  values; ``excel`` keeps it removed (the issue stays in Jira, untouched).
- issue left Jira's scope, row edited in Excel: ``jira`` accepts it (the row is flagged);
  ``excel`` keeps the row and creates it again in Jira as a new issue, whose key
  replaces the old one in the row (only once Jira confirms the old issue is gone: one
  that merely left the scope is never duplicated).
"""

from __future__ import annotations

from typing import Any, Literal

from mappings.errors import UnknownValueError
from mappings.mapping import MappingSpec
from mappings.model import build_record
from sync.errors import SyncError
from sync.plan import RECORD_FIELD, RECREATE, REMOVED
from sync.store import StateStore
from sync.store_records import Conflict

Choice = Literal["jira", "excel", "value"]


def canonical_value(mapping: MappingSpec, entity: str, field: str, raw: Any) -> Any:
    """A value typed by a person (a workbook label like 'High') as the model holds it."""
    mapped = mapping.entity(entity).field(field)
    value_map = mapping.value_map(mapped, "excel")
    try:
        value = value_map.to_canonical(raw) if value_map is not None and raw is not None else raw
        record = build_record(entity, {"summary": "resolution", field: value}, source="resolution")
    except (UnknownValueError, ValueError) as exc:
        raise SyncError(f"{raw!r} is not a valid {field}: {exc}") from None
    return getattr(record, field)


def resolve(
    store: StateStore,
    conflict_id: int,
    choice: Choice,
    value: Any = None,
    *,
    mapping: MappingSpec | None = None,
) -> str:
    """Settle one open conflict; returns what will happen, for the person."""
    conflict = store.conflict(conflict_id)
    if conflict is None or conflict not in store.open_conflicts(conflict.pair):
        raise SyncError(f"no open conflict #{conflict_id}; see `pmo-sync conflicts`")
    if conflict.field == RECORD_FIELD:
        return _resolve_record(store, conflict, choice)
    if choice == "jira":
        chosen = conflict.jira
    elif choice == "excel":
        chosen = conflict.excel
    else:
        if mapping is None:
            raise SyncError("a typed value needs the pair's mapping to be checked")
        chosen = canonical_value(mapping, conflict.entity, conflict.field, value)
    with store.transaction():
        store.resolve_conflict(conflict_id, chosen)
        store.unsettle(conflict.pair)
    return (
        f"#{conflict_id} {conflict.jira_key or conflict.sync_id} {conflict.field}: "
        f"{chosen!r} will be written to both sides by the next sync"
    )


def _resolve_record(store: StateStore, conflict: Conflict, choice: Choice) -> str:
    if choice not in ("jira", "excel"):
        raise SyncError("a conflict about a whole record is resolved with 'jira' or 'excel'")
    record = conflict.jira_key or conflict.sync_id
    with store.transaction():
        if conflict.excel is None:  # the row was removed, the issue edited
            if choice == "jira":
                store.forget(conflict.pair, conflict.entity, conflict.sync_id)
                outcome = "the row will be added back with Jira's values"
            else:
                store.save_base(
                    conflict.pair,
                    conflict.entity,
                    conflict.sync_id,
                    conflict.jira_key,
                    {**(conflict.jira or {}), REMOVED: True},
                )
                outcome = "the row stays removed; the issue stays in Jira as it is"
        else:  # the issue left Jira, the row was edited
            if choice == "jira":
                store.save_base(
                    conflict.pair,
                    conflict.entity,
                    conflict.sync_id,
                    conflict.jira_key,
                    dict(conflict.excel),
                )
                outcome = "the row will be flagged as no longer in Jira"
            else:
                store.save_base(
                    conflict.pair,
                    conflict.entity,
                    conflict.sync_id,
                    conflict.jira_key,
                    {**conflict.excel, RECREATE: conflict.jira_key or "its issue"},
                )
                outcome = "the row is kept and will be created again as a new Jira issue"
        store.resolve_conflict(conflict.id, choice)
        store.unsettle(conflict.pair)
        store.mark_applied(conflict.pair, conflict.entity, [(conflict.sync_id, RECORD_FIELD)])
    return f"#{conflict.id} {record}: {outcome}"
