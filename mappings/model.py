"""The canonical PMO model: the one shape every Jira issue and Excel row becomes.

Records are frozen pydantic models with strict validation: the only conversions that
happen are the named normalisers of `mappings.values` (so "H", "High" and 4 become
the same probability), never pydantic's silent lax coercions. Derived values (a risk's
score and level, a change request's decision) are computed here, once, and checked
when a source supplies them too, so a workbook whose Exposure column disagrees with
its Probability x Impact is reported instead of synced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID, uuid4

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from mappings import values as vm
from mappings.errors import Problem, RecordValidationError
from mappings.scoring import DEFAULT_THRESHOLDS, RiskLevel, RiskLevelThresholds, risk_score

ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
SUMMARY_MAX = 255  # Jira refuses longer summaries


def _blank_to_none(raw: object) -> object:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return raw


def _optional(parse: Callable[[object], Any]) -> Callable[[object], Any]:
    """Empty cells and empty strings mean "no value", for every optional field."""

    def parse_or_none(raw: object) -> Any:
        raw = _blank_to_none(raw)
        return None if raw is None else parse(raw)

    return parse_or_none


def _text(raw: object) -> str:
    """Text as given: leading and trailing spaces, tabs and line breaks are part of what
    a person (or Jira) wrote, so they are kept; a value of only whitespace is no value."""
    if isinstance(raw, bool):
        raise ValueError(f"expected text, got {raw!r}")
    if isinstance(raw, float) and raw == int(raw):
        return str(int(raw))  # a reference typed as 1234 in Excel is read back as 1234.0
    if isinstance(raw, int | float):
        return str(raw)
    if isinstance(raw, str):
        return raw
    raise ValueError(f"expected text, got {type(raw).__name__}")


def _summary(raw: object) -> str:
    text = _text(raw)
    if not text.strip():
        raise ValueError("a summary is required (the cell or field is empty)")
    return text


def _whole_number(raw: object) -> int:
    number = vm.parse_number(raw)
    if number != int(number):
        raise ValueError(f"{raw!r} is not a whole number")
    return int(number)


def _uuid(raw: object) -> UUID:
    if isinstance(raw, UUID):
        return raw
    if isinstance(raw, str):
        try:
            return UUID(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"{raw!r} is not a sync id (a UUID such as 1b4e28ba-2fa1-11d2-883f-...)")


def _aware_datetime(raw: object) -> datetime:
    if isinstance(raw, str):
        text = raw.strip()
        # Jira writes offsets as +0000; fromisoformat wants +00:00 before Python 3.11's
        # broader parser, and "Z" is common in JSON.
        text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text).replace("Z", "+00:00")
        try:
            raw = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{raw!r} is not a timestamp (ISO 8601 with offset)") from None
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise ValueError(
                f"timestamp {raw.isoformat()} has no time zone; comparing it with Jira's "
                "would be a guess"
            )
        return raw
    raise ValueError(f"{raw!r} is not a timestamp")


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[object], str]:
    def check(raw: object) -> str:
        text = _text(raw).strip().upper()
        if not pattern.match(text):
            raise ValueError(f"{raw!r} is not a {what}")
        return text

    return check


def _by_map(value_map: vm.ValueMap) -> Callable[[object], Any]:
    return value_map.to_canonical


Text = Annotated[str | None, BeforeValidator(_optional(_text))]
Day = Annotated[date | None, BeforeValidator(_optional(vm.parse_date))]
Amount = Annotated[float | None, BeforeValidator(_optional(vm.parse_number))]
Fraction = Annotated[float | None, BeforeValidator(_optional(vm.parse_fraction))]
Timestamp = Annotated[datetime | None, BeforeValidator(_optional(_aware_datetime))]
IssueKey = Annotated[
    str | None, BeforeValidator(_optional(_matching(ISSUE_KEY, "Jira issue key (ALPHA-12)")))
]
ProjectKey = Annotated[
    str | None, BeforeValidator(_optional(_matching(PROJECT_KEY, "Jira project key (ALPHA)")))
]
# The bounds sit on the int alone: on the whole union they would be checked against None.
Scale = Annotated[
    Annotated[int, Field(ge=1, le=5)] | None, BeforeValidator(_optional(_by_map(vm.PROBABILITY)))
]
Summary = Annotated[str, BeforeValidator(_summary), Field(min_length=1, max_length=SUMMARY_MAX)]
SyncId = Annotated[UUID, BeforeValidator(_uuid)]


def _enum(value_map: vm.ValueMap, optional: bool = True) -> BeforeValidator:
    parse = _by_map(value_map)
    return BeforeValidator(_optional(parse) if optional else parse)


RiskStatus = Literal["open", "mitigating", "closed"]
ChangeStatus = Literal[
    "submitted", "under_review", "approved", "rejected", "deferred", "implemented"
]
WorkStatus = Literal["todo", "in_progress", "blocked", "done"]
Decision = Literal["pending", "approved", "rejected", "deferred"]
ResponseStrategy = Literal["avoid", "mitigate", "transfer", "accept"]
ChangeType = Literal["scope", "schedule", "cost", "quality"]
Priority = Literal["highest", "high", "medium", "low", "lowest"]
Rag = Literal["green", "amber", "red"]
WorkItemType = Literal["epic", "story", "task"]


class Record(BaseModel):
    """Fields every tracked PMO item has, whichever side it comes from."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    entity: ClassVar[str] = "record"
    derived_fields: ClassVar[frozenset[str]] = frozenset()

    sync_id: SyncId = Field(default_factory=uuid4, description="Stable id across both sides")
    key: IssueKey = Field(None, description="Jira issue key once the item exists in Jira")
    ref: Text = Field(
        None,
        description="The tracker's own number for the row (R-3, DEP-004), kept in the "
        "workbook; a link cell may name the row by it instead of its Jira key",
    )
    project: ProjectKey = None
    summary: Summary
    description: Text = None
    owner: Text = Field(None, description="Person accountable (email or display name)")
    raised_by: Text = None
    created: Day = Field(None, description="Date identified / raised")
    due_date: Day = None
    updated: Timestamp = Field(None, description="Last change on the side it was read from")

    def with_changes(self, context: Mapping[str, Any] | None = None, **changes: Any) -> Record:
        """A re-validated copy with some fields changed (derived fields recomputed)."""
        data = self.model_dump(exclude=set(self.derived_fields))
        data.update(changes)
        return type(self).model_validate(data, context=context)


REF_FIELD = "ref"
"""The field of a tracker's own numbering (see Record.ref)."""


def _check_derived(data: dict[str, Any], name: str, computed: Any, normalise: Any) -> None:
    """Fill a derived field, or check that the value a source gave agrees with it."""
    given = _blank_to_none(data.get(name))
    if given is not None and computed is not None:
        try:
            given = normalise(given)
        except ValueError:
            given = data[name]
        if given != computed:
            raise ValueError(
                f"{name} is {data[name]!r} but the other fields make it {computed!r}; "
                f"fix the source or leave {name} empty"
            )
    data[name] = computed


def _thresholds(info: ValidationInfo) -> RiskLevelThresholds:
    context = info.context or {}
    thresholds = context.get("risk_thresholds", DEFAULT_THRESHOLDS)
    if not isinstance(thresholds, RiskLevelThresholds):
        thresholds = RiskLevelThresholds.model_validate(thresholds)
    return thresholds


class Risk(Record):
    """An uncertain event that would affect the project if it happened."""

    entity: ClassVar[str] = "risk"
    derived_fields: ClassVar[frozenset[str]] = frozenset({"score", "level"})

    status: Annotated[RiskStatus, _enum(vm.RISK_STATUS, optional=False)] = "open"
    category: Text = None
    probability: Scale = None
    impact: Scale = None
    score: Annotated[int | None, Field(ge=1, le=25)] = Field(
        None, description="Probability x impact (derived)"
    )
    level: Annotated[RiskLevel | None, _enum(vm.RISK_LEVEL)] = Field(
        None, description="Band of the score (derived, thresholds configurable)"
    )
    response: Annotated[ResponseStrategy | None, _enum(vm.RESPONSE_STRATEGY)] = None
    mitigation: Text = None
    trigger: Text = None
    next_review: Day = None

    @model_validator(mode="before")
    @classmethod
    def _derive_score_and_level(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        try:
            probability = _optional(_by_map(vm.PROBABILITY))(data.get("probability"))
            impact = _optional(_by_map(vm.IMPACT))(data.get("impact"))
        except ValueError:
            return data  # the field validators report the bad value
        if probability is None or impact is None:
            score = level = None
        else:
            score = risk_score(probability, impact)
            level = _thresholds(info).level(score)
        _check_derived(data, "score", score, _whole_number)
        _check_derived(data, "level", level, vm.RISK_LEVEL.to_canonical)
        return data


_DECISION_OF_STATUS: dict[str, Decision] = {
    "submitted": "pending",
    "under_review": "pending",
    "approved": "approved",
    "implemented": "approved",
    "rejected": "rejected",
    "deferred": "deferred",
}


class ChangeRequest(Record):
    """A request to change scope, schedule, cost or quality, decided by a change board."""

    entity: ClassVar[str] = "change_request"
    derived_fields: ClassVar[frozenset[str]] = frozenset({"decision"})

    status: Annotated[ChangeStatus, _enum(vm.CHANGE_STATUS, optional=False)] = "submitted"
    requester: Text = None
    change_type: Annotated[ChangeType | None, _enum(vm.CHANGE_TYPE)] = None
    cost_impact: Amount = None
    schedule_impact_days: Amount = None
    scope_impact: Text = None
    decision: Annotated[Decision | None, _enum(vm.DECISION)] = Field(
        None, description="Derived from the status the change board's workflow reached"
    )
    decision_date: Day = None
    board_ref: Text = Field(None, description="Change control board reference")

    @model_validator(mode="before")
    @classmethod
    def _derive_decision(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        try:
            status = vm.CHANGE_STATUS.to_canonical(data.get("status", "submitted"))
        except ValueError:
            return data
        _check_derived(data, "decision", _DECISION_OF_STATUS[status], vm.DECISION.to_canonical)
        return data


class _RaidItem(Record):
    """What the rest of a RAID log shares: a simple workflow status and a category."""

    status: Annotated[WorkStatus, _enum(vm.WORK_STATUS, optional=False)] = "todo"
    category: Text = None


class RaidIssue(_RaidItem):
    """Something that has happened and needs resolving (the I of RAID)."""

    entity: ClassVar[str] = "raid_issue"

    priority: Annotated[Priority | None, _enum(vm.PRIORITY)] = None
    escalate: Annotated[bool | None, _enum(vm.YES_NO)] = None
    impact_summary: Text = None
    action_steps: Text = None
    resolution: Text = None
    resolved_on: Day = None


class Assumption(_RaidItem):
    """Something taken as true for planning, to be validated by its due date."""

    entity: ClassVar[str] = "assumption"

    rationale: Text = None


class Dependency(_RaidItem):
    """Something the project needs from outside it, or gives to another project."""

    entity: ClassVar[str] = "dependency"

    depends_on: Text = Field(None, description="The other project, team or issue key")


class Action(_RaidItem):
    """A task agreed in a review meeting, owned by one person."""

    entity: ClassVar[str] = "action"

    outcome: Text = None


class DecisionRecord(_RaidItem):
    """A decision taken, by whom, when and why (the D of RAID logs that track decisions)."""

    entity: ClassVar[str] = "decision"

    decided_by: Text = None
    decision_date: Day = None
    rationale: Text = None


class WorkItem(Record):
    """An epic, story or task whose status and progress a status tracker reports."""

    entity: ClassVar[str] = "work_item"

    item_type: Annotated[WorkItemType, _enum(vm.WORK_ITEM_TYPE, optional=False)] = "task"
    status: Annotated[WorkStatus, _enum(vm.WORK_STATUS, optional=False)] = "todo"
    progress: Fraction = Field(None, description="Fraction done, 0..1 (Excel's 80% is 0.8)")
    estimate: Amount = Field(None, description="Story points or hours, as the team estimates")
    start_date: Day = None
    assignee: Text = None
    parent: IssueKey = Field(None, description="Key of the epic this item belongs to")
    time_spent: Amount = Field(
        None, description="Hours logged (Jira's worklogs; timespent with jira_scale = 3600)"
    )
    remaining_estimate: Amount = Field(None, description="Hours left (Jira's timeestimate)")
    original_estimate: Amount = Field(None, description="Hours first estimated")
    release: Text = Field(None, description="Fix version(s), comma-separated (fixVersions)")
    components: Text = Field(None, description="Component(s), comma-separated")

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkItem:
        if self.start_date and self.due_date and self.start_date > self.due_date:
            raise ValueError(f"start date {self.start_date} is after due date {self.due_date}")
        return self


class Lesson(Record):
    """A lesson learned: what happened on a project (summary and description) and what
    to do next time. A PMO's lessons across all its projects are its knowledge base."""

    entity: ClassVar[str] = "lesson"

    status: Annotated[WorkStatus, _enum(vm.WORK_STATUS, optional=False)] = Field(
        "todo", description="Whether the recommendation has been taken up (done)"
    )
    phase: Text = Field(None, description="Project phase it happened in (Planning, Execution)")
    category: Text = None
    recommendation: Text = Field(None, description="What to do, or avoid, next time")
    tags: Text = Field(None, description="Keywords, comma-separated (Jira labels)")


class Project(BaseModel):
    """A project as the PMO's status tracker sees it: manager, RAG, baseline, budget."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    entity: ClassVar[str] = "project"
    derived_fields: ClassVar[frozenset[str]] = frozenset()

    sync_id: SyncId = Field(default_factory=uuid4)
    key: Annotated[str, BeforeValidator(_matching(PROJECT_KEY, "Jira project key (ALPHA)"))]
    name: Summary
    manager: Text = None
    rag: Annotated[Rag | None, _enum(vm.RAG)] = None
    baseline_start: Day = None
    baseline_finish: Day = None
    forecast_finish: Day = None
    bac: Amount = Field(None, description="Budget at completion")
    pv: Amount = Field(None, description="Planned value to date")
    ev: Amount = Field(None, description="Earned value to date")
    ac: Amount = Field(None, description="Actual cost to date")
    updated: Timestamp = None

    @model_validator(mode="after")
    def _baseline_in_order(self) -> Project:
        if (
            self.baseline_start
            and self.baseline_finish
            and self.baseline_start > self.baseline_finish
        ):
            raise ValueError(
                f"baseline start {self.baseline_start} is after baseline finish "
                f"{self.baseline_finish}"
            )
        return self


_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "mo"),
            ("tue", "tues", "tuesday", "tu"),
            ("wed", "wednesday", "we"),
            ("thu", "thur", "thurs", "thursday", "th"),
            ("fri", "friday", "fr"),
            ("sat", "saturday", "sa"),
            ("sun", "sunday", "su"),
        ),
        start=1,
    )
    for name in names
}
WORKING_WEEK = (1, 2, 3, 4, 5)
"""Monday to Friday as ISO weekday numbers: a resource's working days when none are given."""
DEFAULT_WEEKLY_HOURS = 40.0


def _weekday(word: str, raw: object) -> int:
    number = _WEEKDAYS.get(word.strip().casefold().rstrip("."))
    if number is None:
        raise ValueError(
            f"{word.strip()!r} in {raw!r} is not a weekday (write Mon-Fri or Mon,Tue,Wed)"
        )
    return number


def parse_working_days(raw: object) -> tuple[int, ...]:
    """Working days as ISO weekday numbers (Monday 1 .. Sunday 7), in order: from text
    such as "Mon-Fri", "Mon,Tue,Wed" or "Sun-Thu; Sat" (a range may wrap past Sunday),
    or a list of numbers (the form the state store keeps). Empty: Monday to Friday."""
    raw = _blank_to_none(raw)
    if raw is None:
        return WORKING_WEEK
    if isinstance(raw, list | tuple):
        if not raw or not all(type(n) is int and 1 <= n <= 7 for n in raw):
            raise ValueError(f"{raw!r} is not a list of ISO weekday numbers (1 Monday .. 7)")
        return tuple(sorted(set(raw)))
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not a list of weekdays (write Mon-Fri or Mon,Tue,Wed)")
    days: set[int] = set()
    for part in re.split(r"[,;/、，]+", raw):
        if not part.strip():
            continue
        first, dash, last = re.sub(r"\s*(?:[–—~～]|\.\.|\bto\b)\s*", "-", part).partition("-")
        if not dash:
            days.add(_weekday(first, raw))
            continue
        start, end = _weekday(first, raw), _weekday(last, raw)
        days.update(((start - 1 + step) % 7) + 1 for step in range((end - start) % 7 + 1))
    if not days:
        raise ValueError(f"{raw!r} names no weekday (write Mon-Fri or Mon,Tue,Wed)")
    return tuple(sorted(days))


WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_working_days(days: tuple[int, ...]) -> str:
    """Working days as a workbook writes them, the form parse_working_days reads back:
    runs of three or more days as a range ("Mon-Fri"), others listed ("Mon,Wed,Fri")."""
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        names = [WEEKDAY_NAMES[d - 1] for d in run]
        parts.extend([f"{names[0]}-{names[-1]}"] if len(run) >= 3 else names)
    return ",".join(parts)


def format_periods(periods: tuple[tuple[date, date], ...]) -> str:
    """Non-working periods as a workbook writes them, the form parse_periods reads back:
    "2026-12-24..2026-12-31; 2027-01-05" (a one-day period as its day)."""
    return "; ".join(
        first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        for first, last in periods
    )


CELL_TEXT = {"working_days": format_working_days, "non_working": format_periods}
"""Canonical fields whose value is not one cell value: how a workbook cell writes them."""


def _day_in(text: object, raw: object) -> date:
    try:
        return vm.parse_date(text.strip() if isinstance(text, str) else text)
    except ValueError:
        raise ValueError(f"{text!r} in {raw!r} is not a date (write YYYY-MM-DD)") from None


def parse_periods(raw: object) -> tuple[tuple[date, date], ...]:
    """Non-working periods as (first, last) day pairs, both included, in date order: from
    text such as "2026-12-24..2026-12-31; 2027-01-05" (a single day is a one-day period),
    one date cell, or a list of pairs (the form the state store keeps). Empty: none."""
    raw = _blank_to_none(raw)
    if raw is None:
        return ()
    if isinstance(raw, date):
        day = vm.parse_date(raw)
        return ((day, day),)
    periods: list[tuple[date, date]] = []
    if isinstance(raw, list | tuple):
        for pair in raw:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{pair!r} is not a (first day, last day) pair")
            periods.append((_day_in(pair[0], raw), _day_in(pair[1], raw)))
    elif isinstance(raw, str):
        for part in re.split(r"[;,\n]+", raw):
            if not part.strip():
                continue
            first, dots, last = part.partition("..")
            start = _day_in(first, raw)
            periods.append((start, _day_in(last, raw) if dots else start))
    else:
        raise ValueError(
            f"{raw!r} is not a list of periods (write 2026-12-24..2026-12-31; 2027-01-05)"
        )
    for start, end in periods:
        if start > end:
            raise ValueError(f"period {start}..{end} in {raw!r} ends before it starts")
    return tuple(sorted(periods))


def _weekly_hours(raw: object) -> float:
    raw = _blank_to_none(raw)
    return DEFAULT_WEEKLY_HOURS if raw is None else vm.parse_number(raw)


def parse_planned_share(raw: object) -> float:
    """A planned allocation as a share of 1: the workbook writes percent, 0..100 ("50",
    "50%"); a number up to 1 is a cell formatted as a percentage (Excel stores 50% as 0.5),
    so 1 is 100%, never 1%."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a percentage, got {raw!r}")
    if isinstance(raw, str) and not raw.strip().endswith("%"):
        raw = vm.parse_number(raw)
    if isinstance(raw, str):
        share = vm.parse_fraction(raw, "planned %")
    elif isinstance(raw, int | float):
        share = float(raw) if raw <= 1 else float(raw) / 100
    else:
        raise ValueError(f"{raw!r} is not a percentage (write 50 or 50%)")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"{raw!r} is outside 0..100 % (write 50 for half time)")
    return share


PersonKey = Annotated[str, BeforeValidator(_summary), Field(min_length=1, max_length=SUMMARY_MAX)]
NonNegative = Annotated[
    Annotated[float, Field(ge=0)] | None, BeforeValidator(_optional(vm.parse_number))
]


class Resource(BaseModel):
    """A person the PMO plans work for, kept only in the workbook (a Resources sheet):
    role, team, cost rate and the hours a week they can give, over their working days
    and outside their non-working periods. The key is the person as Jira knows them (an
    email, or the display name or username the configuration's [people] resolves), so a
    work item's assignee finds its resource."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    entity: ClassVar[str] = "resource"
    derived_fields: ClassVar[frozenset[str]] = frozenset()

    sync_id: SyncId = Field(default_factory=uuid4)
    key: PersonKey = Field(description="The person: their Jira email, display name or username")
    name: Text = Field(None, description="Name as the PMO writes it")
    role: Text = None
    team: Text = None
    cost_rate: NonNegative = Field(None, description="Cost per hour, in the PMO's currency")
    capacity_hours: Annotated[float, BeforeValidator(_weekly_hours), Field(ge=0, le=168)] = Field(
        DEFAULT_WEEKLY_HOURS, description="Hours a week the person can work (default 40)"
    )
    working_days: Annotated[tuple[int, ...], BeforeValidator(parse_working_days)] = Field(
        WORKING_WEEK, description='ISO weekday numbers, 1 = Monday (from "Mon-Fri")'
    )
    non_working: Annotated[tuple[tuple[date, date], ...], BeforeValidator(parse_periods)] = Field(
        (), description='Holidays and leave as (first, last) days (from "2026-12-24..2026-12-31")'
    )


class Allocation(BaseModel):
    """A person planned onto a project for a period, kept only in the workbook (an
    Allocations sheet): a share of their week (50 % in the workbook, 0.5 here) or a
    number of hours a week, exactly one of the two. The key is the row's own id."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    entity: ClassVar[str] = "allocation"
    derived_fields: ClassVar[frozenset[str]] = frozenset()

    sync_id: SyncId = Field(default_factory=uuid4)
    key: PersonKey = Field(description="The allocation's own id (A-1)")
    person: PersonKey = Field(description="The resource's key (their Jira email or name)")
    project: Annotated[str, BeforeValidator(_matching(PROJECT_KEY, "Jira project key (ALPHA)"))]
    start_date: Day = Field(None, description="First day (empty: from the project's start)")
    end_date: Day = Field(None, description="Last day, included (empty: open-ended)")
    planned_share: Annotated[float | None, BeforeValidator(_optional(parse_planned_share))] = Field(
        None, description="Share of the person's week, 0..1 (the workbook's 0..100 %)"
    )
    planned_hours: NonNegative = Field(None, description="Hours a week on the project")

    @model_validator(mode="after")
    def _one_plan_in_order(self) -> Allocation:
        if self.planned_share is not None and self.planned_hours is not None:
            raise ValueError(
                f"planned_share ({self.planned_share:.0%}) and planned_hours "
                f"({self.planned_hours:g} h a week) are both given: give one of them"
            )
        if self.planned_share is None and self.planned_hours is None:
            raise ValueError(
                "planned_share and planned_hours are both empty: give a planned % or "
                "planned hours per week"
            )
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError(f"start date {self.start_date} is after end date {self.end_date}")
        return self


WORKBOOK_ONLY = frozenset({"project", "resource", "allocation"})
"""Entities kept only in the workbook: no Jira issue type; copied into the store each
cycle (sync.workbook_only), keyed by their key column."""

AnyRecord = (
    Risk
    | ChangeRequest
    | RaidIssue
    | Assumption
    | Dependency
    | Action
    | DecisionRecord
    | WorkItem
    | Lesson
    | Project
    | Resource
    | Allocation
)

ENTITY_TYPES: dict[str, type[BaseModel]] = {
    cls.entity: cls
    for cls in (
        Risk,
        ChangeRequest,
        RaidIssue,
        Assumption,
        Dependency,
        Action,
        DecisionRecord,
        WorkItem,
        Lesson,
        Project,
        Resource,
        Allocation,
    )
}
"""Entity name (as written in mapping files) -> record class."""


def build_record(
    entity: str,
    values: Mapping[str, Any],
    *,
    source: str,
    context: Mapping[str, Any] | None = None,
) -> Any:
    """Validate raw values into a record, or fail naming the source and every bad field.

    Args:
        entity: an ENTITY_TYPES name.
        values: canonical field name -> raw value (already translated by the mapping).
        source: where the values came from, e.g. "raid_log.xlsx, Risk Register row 7"
            or "ALPHA-12"; every error message starts with it.
        context: validation context (``risk_thresholds``).
    """
    cls = ENTITY_TYPES[entity]
    try:
        return cls.model_validate(dict(values), context=dict(context or {}))
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            field = ".".join(str(part) for part in error["loc"]) or "record"
            message = error["msg"].removeprefix("Value error, ")
            given = values.get(str(error["loc"][0])) if error["loc"] else None
            if error["type"] == "extra_forbidden":
                message = f"unknown field for {entity}; fields are: {', '.join(cls.model_fields)}"
            elif error["type"] == "missing":
                message = "is required"
            elif given is not None and repr(given) not in message:
                message = f"{message} (got {given!r})"
            problems.append(Problem(f"{source}, field '{field}'", message))
        raise RecordValidationError(source, problems) from None
