"""Two-way sync engine: three-way merge against the last synced base, a crash-safe
cycle with an intent journal, the state store and the scheduling daemon.

See sync/README.md for the module map, the merge table and the order of side effects.
"""

from sync.errors import MassChangeRefused, StateStoreError, SyncError
from sync.merge import FieldChange, MergeRules, RecordPlan, merge_field, merge_record
from sync.plan import Match, Operation, Plan, SideRecord, match_records, plan_entity
from sync.store import StateStore
from sync.store_records import AuditEntry, BaseEntry, Conflict

__all__ = [
    "AuditEntry",
    "BaseEntry",
    "Conflict",
    "FieldChange",
    "MassChangeRefused",
    "Match",
    "MergeRules",
    "Operation",
    "Plan",
    "RecordPlan",
    "SideRecord",
    "StateStore",
    "StateStoreError",
    "SyncError",
    "match_records",
    "merge_field",
    "merge_record",
    "plan_entity",
]
