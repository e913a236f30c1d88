"""Two-way sync engine: three-way merge against the last synced base, state store.

Work in progress: the merge and the state store exist; the planner, the applier with
its intent journal and the daemon are still to come (issue: two-way sync engine).
"""

from sync.errors import StateStoreError, SyncError
from sync.merge import FieldChange, MergeRules, RecordPlan, merge_field, merge_record
from sync.store import AuditEntry, BaseEntry, Conflict, StateStore

__all__ = [
    "AuditEntry",
    "BaseEntry",
    "Conflict",
    "FieldChange",
    "MergeRules",
    "RecordPlan",
    "StateStore",
    "StateStoreError",
    "SyncError",
    "merge_field",
    "merge_record",
]
