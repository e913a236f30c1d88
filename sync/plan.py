"""Planning a cycle: match the records of both sides to their bases, merge, list the work.

A plan is an explicit list of operations (Jira edits, Jira creates, Excel cell writes,
Excel appends, flags, conflicts) built by pure functions from the three views, so
`pmo-sync sync --dry-run` can show exactly what a cycle would do, and the applier
only executes what was planned.

Records are matched by Jira key, else by sync_id (the Excel row's id column, the Jira
issue's `pmo-sync` entity property), never by position or by summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sync.errors import MassChangeRefused
from sync.merge import FieldChange, MergeRules, RecordPlan, merge_record
from sync.store_records import BaseEntry


@dataclass(frozen=True)
class SideRecord:
    """A record as one side holds it now."""

    sync_id: str | None
    key: str | None
    values: Mapping[str, Any]
    ref: Any  # where it is: the issue key, or the row number
    unknown: Mapping[str, str] = field(default_factory=dict)
    """Fields this side cannot tell now (an error cell, a stale formula): field -> why."""
    computed: frozenset[str] = frozenset()
    """Fields this side computes (formula cells): shown, never written into."""


@dataclass(frozen=True)
class Match:
    """The three views of one record."""

    sync_id: str | None
    base: BaseEntry | None
    jira: SideRecord | None
    excel: SideRecord | None

    @property
    def key(self) -> str | None:
        for candidate in (self.jira, self.excel):
            if candidate is not None and candidate.key:
                return candidate.key
        return self.base.jira_key if self.base else None


OperationKind = Literal[
    "jira_edit",
    "jira_create",
    "jira_close",
    "excel_write",
    "excel_append",
    "excel_flag",
    "excel_unflag",
    "conflict",
]


@dataclass(frozen=True)
class Operation:
    """One side effect the applier will perform (or one conflict it will record)."""

    kind: OperationKind
    sync_id: str | None
    key: str | None
    row: int | None
    changes: tuple[FieldChange, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class Plan:
    """Everything one cycle of one pair and entity would do."""

    pair: str
    entity: str
    operations: list[Operation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    held: dict[str, set[str]] = field(default_factory=dict)
    """sync id -> fields whose Jira change could not be written into the workbook (its
    cell is a formula): their base stays, so the change is neither lost nor undone."""

    def of_kind(self, kind: OperationKind) -> list[Operation]:
        return [op for op in self.operations if op.kind == kind]

    @property
    def is_empty(self) -> bool:
        return not self.operations

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for `pmo-sync sync --dry-run --json`."""

        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if value is None or isinstance(value, str | int | float | bool):
                return value
            return str(value)

        return {
            "pair": self.pair,
            "entity": self.entity,
            "operations": [plain(asdict(op)) for op in self.operations],
            "warnings": list(self.warnings),
        }


class _Pool:
    """Records of one side not matched yet, findable by key or sync_id in O(1)."""

    def __init__(self, records: Iterable[SideRecord]) -> None:
        self.left: dict[int, SideRecord] = dict(enumerate(records))
        self.by_key = {r.key: i for i, r in self.left.items() if r.key}
        self.by_id = {r.sync_id: i for i, r in self.left.items() if r.sync_id}

    def take(self, sync_id: str | None, key: str | None) -> SideRecord | None:
        for index in (self.by_key.get(key or ""), self.by_id.get(sync_id or "")):
            if index is not None and index in self.left:
                return self.left.pop(index)
        return None


def match_records(
    bases: Mapping[str, BaseEntry], jira: Iterable[SideRecord], excel: Iterable[SideRecord]
) -> list[Match]:
    """Pair every record with its base and its counterpart on the other side."""
    jira_pool, excel_pool = _Pool(jira), _Pool(excel)
    matches = [
        Match(
            sync_id,
            base,
            jira_pool.take(sync_id, base.jira_key),
            excel_pool.take(sync_id, base.jira_key),
        )
        for sync_id, base in bases.items()
    ]
    for record in list(jira_pool.left.values()):
        partner = excel_pool.take(record.sync_id, record.key)
        sync_id = record.sync_id or (partner.sync_id if partner else None)
        matches.append(Match(sync_id, None, record, partner))
    matches.extend(Match(record.sync_id, None, None, record) for record in excel_pool.left.values())
    return matches


def _guard(pair: str, entity: str, matches: list[Match], share: float) -> None:
    """Refuse a cycle in which one side suddenly lost most of the synced records.

    A wrong workbook, a renamed table or a JQL typo looks exactly like a mass deletion;
    propagating it would flag or close hundreds of items. Small registers (under 10
    synced records) are exempt: there, a few deletions are a real majority.
    """
    synced = [m for m in matches if m.base is not None]
    if len(synced) < 10:
        return
    for side in ("jira", "excel"):
        missing = sum(getattr(m, side) is None for m in synced)
        if missing / len(synced) > share:
            raise MassChangeRefused(
                f"{pair}/{entity}: {missing} of {len(synced)} synced records are missing "
                f"from {'Jira' if side == 'jira' else 'the workbook'}; refusing the cycle. "
                "Check the workbook path, the table/sheet and the JQL scope; if the removal "
                "is intended, raise sync.mass_change_guard"
            )


FLAGGED = "_flagged"  # base marker: the row is flagged as out of Jira scope
CLOSED = "_closed"  # base marker: the issue was closed because its row was removed
REMOVED = "_excel_removed"  # base marker: the row was removed and the issue left alone
RECREATE = "_recreate"  # base marker: the issue left Jira; a person chose to keep the row
RECORD_FIELD = "(record)"  # the field name of a conflict about a whole record


def _apply_resolutions(
    record_plan: RecordPlan,
    sync_id: str | None,
    jira: Mapping[str, Any],
    excel: Mapping[str, Any],
    resolutions: Mapping[tuple[str, str], Any],
) -> RecordPlan:
    """Replace the merge's verdict on fields a person resolved with their chosen value."""
    chosen = {name: v for (sid, name), v in resolutions.items() if sid == sync_id}
    if not chosen:
        return record_plan
    changes = [c for c in record_plan.changes if c.name not in chosen]
    for name, value in sorted(chosen.items()):
        if jira.get(name) != value:
            changes.append(
                FieldChange(name, "to_jira", value, None, jira.get(name), excel.get(name))
            )
        if excel.get(name) != value:
            changes.append(
                FieldChange(name, "to_excel", value, None, jira.get(name), excel.get(name))
            )
    return RecordPlan(record_plan.action, tuple(changes), record_plan.reason)


def _settled(record_plan: RecordPlan, match: Match, base: Mapping[str, Any] | None) -> bool:
    """True when the record's state was already acted on in an earlier cycle."""
    if base is None or record_plan.action == "forget":
        return False
    if record_plan.action == "flag_in_excel" and base.get(FLAGGED):
        return True
    # The row was removed and that was dealt with; later Jira edits stay in Jira.
    return match.excel is None and bool(base.get(CLOSED) or base.get(REMOVED))


def _in_sync(
    match: Match,
    base: Mapping[str, Any] | None,
    jira: Mapping[str, Any] | None,
    excel: Mapping[str, Any] | None,
    resolutions: Mapping[tuple[str, str], Any] | None,
) -> bool:
    """Both sides present, equal to each other and to a marker-free base, ids in place."""
    if base is None or jira is None or excel is None or jira != excel:
        return False
    if match.excel is None or match.jira is None:
        return False
    if match.excel.sync_id != match.jira.sync_id or match.excel.key != match.jira.key:
        return False
    if resolutions and any(sid == match.sync_id for sid, _ in resolutions):
        return False
    return all(base.get(name) == value for name, value in jira.items()) and not any(
        name.startswith("_") for name in base
    )


def _writable(
    plan: Plan, match: Match, changes: tuple[FieldChange, ...]
) -> tuple[FieldChange, ...]:
    """The Excel writes of a record without those into formula cells: the workbook computes
    those fields, so Jira's change is reported and waits (its base is kept) instead of
    overwriting the person's formula."""
    computed = match.excel.computed if match.excel is not None else frozenset()
    if not computed:
        return changes
    kept = []
    for change in changes:
        if change.name not in computed:
            kept.append(change)
            continue
        plan.held.setdefault(str(match.sync_id), set()).add(change.name)
        where = " ".join(filter(None, [match.key, f"row {match.excel.ref}" if match.excel else ""]))
        plan.warnings.append(
            f"{where}: {change.name} is {change.value!r} in Jira, but the workbook computes it "
            "with a formula, so it is not written there; change the formula's inputs, or make "
            'the field one-way in the mapping (direction = "excel-to-jira")'
        )
    return tuple(kept)


def plan_entity(
    pair: str,
    entity: str,
    matches: list[Match],
    fields: frozenset[str],
    rules: MergeRules,
    *,
    mass_change_guard: float = 0.5,
    resolutions: Mapping[tuple[str, str], Any] | None = None,
) -> Plan:
    """The operations one cycle needs for one entity of one pair.

    Args:
        resolutions: (sync_id, field) -> the value a person chose for a conflict.
    """
    _guard(pair, entity, matches, mass_change_guard)
    plan = Plan(pair, entity)
    add = plan.operations.append
    for match in matches:
        base = match.base.values if match.base else None
        jira = match.jira.values if match.jira else None
        excel = match.excel.values if match.excel else None
        row = match.excel.ref if match.excel else None
        if _in_sync(match, base, jira, excel, resolutions):
            continue  # the common case in a large register: nothing happened to it
        if base and base.get(RECREATE) and jira is None and excel is not None:
            reason = f"kept from the workbook after {base.get(RECREATE)} left Jira"
            add(
                Operation(
                    "jira_create", match.sync_id, None, row, values=dict(excel), reason=reason
                )
            )
            continue
        record_plan = merge_record(base, jira, excel, fields, rules)
        if _settled(record_plan, match, base):
            continue
        if jira is not None and excel is not None and resolutions:
            record_plan = _apply_resolutions(record_plan, match.sync_id, jira, excel, resolutions)
        key = match.key
        if base and base.get(FLAGGED) and jira is not None and excel is not None:
            add(Operation("excel_unflag", match.sync_id, key, row, reason="back in Jira scope"))
        if record_plan.action == "create_in_excel":
            add(Operation("excel_append", match.sync_id, key, None, values=dict(jira or {})))
        elif record_plan.action == "create_in_jira":
            add(Operation("jira_create", match.sync_id, None, row, values=dict(excel or {})))
        elif record_plan.action == "flag_in_excel":
            add(Operation("excel_flag", match.sync_id, key, row, reason=record_plan.reason))
        elif record_plan.action == "close_in_jira":
            add(Operation("jira_close", match.sync_id, key, None, reason=record_plan.reason))
        elif record_plan.action == "conflict":
            add(Operation("conflict", match.sync_id, key, row, reason=record_plan.reason))
        to_jira = tuple(c for c in record_plan.changes if c.action == "to_jira")
        to_excel = _writable(
            plan, match, tuple(c for c in record_plan.changes if c.action == "to_excel")
        )
        conflicts = record_plan.conflicts
        if to_jira:
            add(Operation("jira_edit", match.sync_id, key, row, to_jira))
        if to_excel:
            add(Operation("excel_write", match.sync_id, key, row, to_excel))
        if conflicts:
            add(
                Operation(
                    "conflict",
                    match.sync_id,
                    key,
                    row,
                    conflicts,
                    reason="edited differently on both sides",
                )
            )
    return plan
