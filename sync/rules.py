"""Which fields a pair syncs, and how: the mapping's directions plus the config's policies.

A field is synced when it has both a workbook column and a Jira field; derived fields
(a risk's score and level) are computed on each side, never carried.
"""

from __future__ import annotations

from mappings.config import Config, SyncPair
from mappings.mapping import EntityMapping
from mappings.model import ENTITY_TYPES
from sync.merge import MergeRules, Policy


def synced_fields(entity: EntityMapping) -> frozenset[str]:
    derived = ENTITY_TYPES[entity.type].derived_fields
    return frozenset(f.name for f in entity.fields if f.excel and f.jira and f.name not in derived)


def merge_rules(config: Config, pair: SyncPair, entity: EntityMapping) -> MergeRules:
    """Per-field policy: 'risk.status' beats 'risk' beats the global sync.conflict_policy."""
    default: Policy = pair.conflict_policy.get(entity.type, config.sync.conflict_policy)
    prefix = f"{entity.type}."
    policies = {
        name[len(prefix) :]: policy
        for name, policy in pair.conflict_policy.items()
        if name.startswith(prefix)
    }
    return MergeRules(
        directions={f.name: f.direction for f in entity.fields},
        policies=policies,
        default_policy=default,
        on_excel_delete=config.sync.on_excel_delete,
    )


CLOSED_STATUSES = ("closed", "done")


def closed_status(entity: EntityMapping) -> str | None:
    """The canonical status that closes an issue of this entity, if it has one."""
    status = ENTITY_TYPES[entity.type].model_fields.get("status")
    if status is None:
        return None
    for candidate in CLOSED_STATUSES:
        try:
            record = ENTITY_TYPES[entity.type].model_validate(
                {"summary": "x", "status": candidate}, strict=False
            )
        except ValueError:
            continue
        return str(record.status)
    return None
