"""The three-way merge: a pure function of Jira now, Excel now and the last synced base.

Nothing here reads a clock, a file or the network, so the planner can be tested
exhaustively and replayed deterministically (the Dropbox Nucleus lesson). Decisions
never compare a Jira timestamp with a file time (the Unison lesson): only values are
compared with the base both sides agreed on.

Every branch names the case it handles, as vdirsyncer does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Policy = Literal["manual", "jira-wins", "excel-wins"]
Direction = Literal["both", "jira-to-excel", "excel-to-jira"]
FieldAction = Literal["to_jira", "to_excel", "conflict"]
RecordAction = Literal[
    "none",  # nothing to do for the record as a whole (field actions may still exist)
    "create_in_jira",
    "create_in_excel",
    "flag_in_excel",  # the issue left Jira or the scope: flag the row, never delete it
    "close_in_jira",  # the row was removed and on_excel_delete = "close"
    "forget",  # gone from both sides: drop the base
    "conflict",  # edited on one side, deleted on the other
]

Values = Mapping[str, Any]


@dataclass(frozen=True)
class FieldChange:
    """What one field needs: a value carried to a side, or a conflict to show a person."""

    name: str
    action: FieldAction
    value: Any = None  # the value to write (to_jira / to_excel)
    base: Any = None
    jira: Any = None
    excel: Any = None


@dataclass(frozen=True)
class RecordPlan:
    """The merge result of one record."""

    action: RecordAction
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""

    @property
    def conflicts(self) -> tuple[FieldChange, ...]:
        return tuple(c for c in self.changes if c.action == "conflict")


@dataclass(frozen=True)
class MergeRules:
    """How fields flow: per-field direction and conflict policy, and delete behaviour."""

    directions: Mapping[str, Direction] = field(default_factory=dict)
    policies: Mapping[str, Policy] = field(default_factory=dict)
    default_policy: Policy = "manual"
    on_excel_delete: Literal["ignore", "close"] = "ignore"

    def direction(self, name: str) -> Direction:
        return self.directions.get(name, "both")

    def policy(self, name: str) -> Policy:
        return self.policies.get(name, self.default_policy)


def merge_field(
    name: str, base: Any, jira: Any, excel: Any, rules: MergeRules, *, has_base: bool = True
) -> FieldChange | None:
    """The change one field needs, or None when both sides already agree."""
    direction = rules.direction(name)
    if jira == excel:
        # Both sides hold the same value (unchanged, or changed identically): nothing to do.
        return None
    if direction == "jira-to-excel":
        # Jira owns this field: Excel shows Jira's value, an Excel edit is overwritten.
        return FieldChange(name, "to_excel", jira, base, jira, excel)
    if direction == "excel-to-jira":
        # Excel owns this field: Jira receives Excel's value.
        return FieldChange(name, "to_jira", excel, base, jira, excel)
    jira_changed = not has_base or jira != base
    excel_changed = not has_base or excel != base
    if jira_changed and not excel_changed:
        # Edited in Jira only: carry it to Excel.
        return FieldChange(name, "to_excel", jira, base, jira, excel)
    if excel_changed and not jira_changed:
        # Edited in Excel only: carry it to Jira.
        return FieldChange(name, "to_jira", excel, base, jira, excel)
    # Edited on both sides to different values (or first meeting with different values).
    policy = rules.policy(name)
    if policy == "jira-wins":
        return FieldChange(name, "to_excel", jira, base, jira, excel)
    if policy == "excel-wins":
        return FieldChange(name, "to_jira", excel, base, jira, excel)
    return FieldChange(name, "conflict", None, base, jira, excel)


def _edited(base: Values, current: Values, names: frozenset[str]) -> bool:
    return any(current.get(n) != base.get(n) for n in names)


def merge_record(
    base: Values | None,
    jira: Values | None,
    excel: Values | None,
    fields: frozenset[str],
    rules: MergeRules,
) -> RecordPlan:
    """Plan one record from its three views (None means absent on that side).

    Args:
        base: the values both sides held after the last successful sync, or None if
            the record was never synced.
        jira, excel: the values now, or None when the side no longer has the record.
        fields: the canonical fields the mapping syncs.
    """
    if base is None:
        if jira is None and excel is None:
            # Never synced and absent everywhere: nothing exists.
            return RecordPlan("none")
        if excel is None:
            # New in Jira: append a row.
            return RecordPlan("create_in_excel", reason="new in Jira")
        if jira is None:
            # New row in Excel: create the issue.
            return RecordPlan("create_in_jira", reason="new in Excel")
        # Present on both sides, never synced (first sync of an existing pair).
        changes = [
            change
            for name in sorted(fields)
            if (
                change := merge_field(
                    name, None, jira.get(name), excel.get(name), rules, has_base=False
                )
            )
        ]
        return RecordPlan("none", tuple(changes), "first sync of a matched record")
    if jira is None and excel is None:
        # Deleted on both sides: forget it.
        return RecordPlan("forget", reason="gone from both sides")
    if jira is None:
        if excel is not None and _edited(base, excel, fields):
            # Deleted (or out of scope) in Jira, edited in Excel: a person must decide.
            return RecordPlan("conflict", reason="left Jira while edited in Excel")
        # Deleted or out of scope in Jira, unchanged in Excel: flag the row.
        return RecordPlan("flag_in_excel", reason="left Jira or the sync scope")
    if excel is None:
        if _edited(base, jira, fields):
            # Row removed in Excel, issue edited in Jira: keep Jira, surface it.
            return RecordPlan("conflict", reason="row removed while edited in Jira")
        if rules.on_excel_delete == "close":
            # Row removed in Excel and the pair is told to close such issues.
            return RecordPlan("close_in_jira", reason="row removed in Excel")
        # Row removed in Excel, default policy: Jira keeps the issue, untouched.
        return RecordPlan("none", reason="row removed in Excel (on_excel_delete = ignore)")
    # Present on both sides: merge field by field.
    changes = [
        change
        for name in sorted(fields)
        if (change := merge_field(name, base.get(name), jira.get(name), excel.get(name), rules))
    ]
    return RecordPlan("none", tuple(changes))
