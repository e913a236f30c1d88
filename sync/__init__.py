"""Two-way sync engine: three-way merge against the last synced base, state store.

Work in progress: the merge, the planner and the state store exist; the applier with
its intent journal and the daemon are still to come (issue: two-way sync engine).
"""

from sync.errors import MassChangeRefused, StateStoreError, SyncError
from sync.merge import FieldChange, MergeRules, RecordPlan, merge_field, merge_record
from sync.plan import Match, Operation, Plan, SideRecord, match_records, plan_entity
from sync.store import AuditEntry, BaseEntry, Conflict, StateStore

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
