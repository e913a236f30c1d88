"""Every figure of the status report, computed once from the state store.

Kept apart from the workbook layout so tests can check each number against the store
and the PMO Dashboard sheet and the report workbook say exactly the same thing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from excel_addin.metrics import performance_indices, rag
from sync.store import StateStore

LEVELS = ("low", "medium", "high", "critical")
DECISIONS = ("pending", "approved", "rejected", "deferred")
CLOSED = {"closed", "done", "implemented", "rejected", "deferred"}
TREND_POINTS = 200


@dataclass
class ProjectRow:
    key: str
    name: str
    manager: str
    rag: str
    progress: float | None
    spi: float | None
    cpi: float | None
    open_risks: dict[str, int]
    exposure: int
    pending_changes: int
    pending_cost: float
    pending_schedule_days: float
    overdue: int
    last_sync: datetime | None

    @property
    def open_risk_total(self) -> int:
        return sum(self.open_risks.values())


@dataclass(frozen=True)
class WeekPoint:
    """The portfolio at the end of one period (the last snapshot in it): what the trend
    charts plot, one point per week (or day), on a date axis."""

    period_end: date
    open_risks: int
    exposure: int  # sum of the open risks' scores
    approved_changes: int  # change requests approved during the period


@dataclass
class Figures:
    generated_at: datetime
    as_of: date
    last_sync: datetime | None
    projects: list[ProjectRow] = field(default_factory=list)
    heat: list[list[int]] = field(default_factory=lambda: [[0] * 5 for _ in range(5)])
    top_risks: list[dict[str, Any]] = field(default_factory=list)
    changes_by_decision: dict[str, dict[str, float]] = field(default_factory=dict)
    changes_by_month: dict[str, dict[str, int]] = field(default_factory=dict)
    trend: list[tuple[datetime, int]] = field(default_factory=list)
    weekly: list[WeekPoint] = field(default_factory=list)
    trend_note: str | None = None  # why there is no trend to draw (empty or one point)
    open_risk_keys: list[str] = field(default_factory=list)

    @property
    def approved_cost(self) -> float:
        return self.changes_by_decision.get("approved", {}).get("cost", 0.0)

    @property
    def approved_schedule_days(self) -> float:
        return self.changes_by_decision.get("approved", {}).get("schedule_days", 0.0)


def _local(moment: datetime | None) -> datetime | None:
    """A store's stamp (UTC; read as UTC when it has no offset) in local time, naive,
    as the report shows it. In the hour a clock goes back twice, ``fold`` says which of
    the two it is, so ``.astimezone(UTC)`` gives the same moment back (history.py)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone().replace(tzinfo=None)
    if local.astimezone(UTC) != moment and local.replace(fold=1).astimezone(UTC) == moment:
        return local.replace(fold=1)
    return local


def _progress(work: list[dict[str, Any]]) -> float | None:
    if not work:
        return None
    if all(w.get("estimate") for w in work):
        total = sum(w["estimate"] for w in work)
        return sum(w["estimate"] for w in work if w.get("status") == "done") / total
    return sum(w.get("status") == "done" for w in work) / len(work)


def _is_open_risk(item: dict[str, Any]) -> bool:
    return item["_entity"] == "risk" and item.get("status") != "closed"


def compute(store: StateStore, as_of: date | None = None) -> Figures:
    """The report's figures; "now" is the store's clock (a replay of past weeks reports
    as of those weeks), shown in local time."""
    from report.trends import trend_note, weekly  # report.trends imports this module

    generated_at = (_local(store.clock()) or datetime.now()).replace(microsecond=0)
    as_of = as_of or generated_at.date()
    items = []
    for entity in ("risk", "change_request", "raid_issue", "work_item", "action"):
        for item in store.items(entity):
            items.append({**item, "_entity": entity})
    cycles = [c for c in store.cycles(limit=1000) if c.finished_at is not None]
    last_by_pair: dict[str, datetime] = {}
    for c in cycles:
        if c.outcome in ("ok", "conflicts", "errors") and c.pair not in last_by_pair:
            last_by_pair[c.pair] = c.finished_at  # type: ignore[assignment]
    figures = Figures(
        generated_at,
        as_of,
        _local(max(last_by_pair.values())) if last_by_pair else None,
    )
    details = store.project_details()
    budgets = {str(p["key"]): p for p in store.items("project")}
    by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_project[str(item.get("project") or "?")].append(item)
    for key in sorted(set(by_project) | set(details) | set(budgets)):
        figures.projects.append(
            _project_row(key, by_project.get(key, []), details, budgets.get(key, {}), figures)
        )
    _risks(figures, items)
    _changes(figures, items)
    figures.trend = _trend(store)
    figures.weekly = weekly(store.snapshot_totals())
    figures.trend_note = trend_note(figures.weekly)
    return figures


def _project_row(
    key: str,
    items: list[dict[str, Any]],
    details: dict[str, dict[str, str]],
    budget: dict[str, Any],
    figures: Figures,
) -> ProjectRow:
    """One project's line; the workbook's Projects sheet (budget) names its manager and
    gives the earned-value figures, Jira's project lead stands in where it does not."""
    open_risks = Counter(
        i.get("level") for i in items if _is_open_risk(i) and i.get("level") in LEVELS
    )
    overdue = sum(
        1
        for i in items
        if i.get("due_date") and i["due_date"] < figures.as_of and i.get("status") not in CLOSED
    )
    pending = [
        i for i in items if i["_entity"] == "change_request" and i.get("decision") == "pending"
    ]
    critical = open_risks.get("critical", 0)
    spi_value, cpi_value = performance_indices(budget)
    return ProjectRow(
        key=key,
        name=budget.get("name") or details.get(key, {}).get("name", key),
        manager=budget.get("manager") or details.get(key, {}).get("lead", ""),
        rag=rag(spi_value, cpi_value, critical, overdue),
        progress=_progress([i for i in items if i["_entity"] == "work_item"]),
        spi=spi_value,
        cpi=cpi_value,
        open_risks={level: open_risks.get(level, 0) for level in LEVELS},
        exposure=sum(int(i.get("score") or 0) for i in items if _is_open_risk(i)),
        pending_changes=len(pending),
        pending_cost=float(sum(i.get("cost_impact") or 0 for i in pending)),
        pending_schedule_days=float(sum(i.get("schedule_impact_days") or 0 for i in pending)),
        overdue=overdue,
        last_sync=figures.last_sync,
    )


def _risks(figures: Figures, items: list[dict[str, Any]]) -> None:
    open_risks = [i for i in items if _is_open_risk(i)]
    for risk in open_risks:
        p, i = risk.get("probability"), risk.get("impact")
        if p and i:
            figures.heat[5 - int(p)][int(i) - 1] += 1  # row 0 is probability 5
    ranked = sorted(open_risks, key=lambda r: (-(r.get("score") or 0), str(r.get("key"))))
    figures.top_risks = ranked[:10]
    figures.open_risk_keys = sorted(str(r.get("key")) for r in open_risks if r.get("key"))


def _changes(figures: Figures, items: list[dict[str, Any]]) -> None:
    by_decision = {d: {"count": 0, "cost": 0.0, "schedule_days": 0.0} for d in DECISIONS}
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DECISIONS, 0))
    for change in (i for i in items if i["_entity"] == "change_request"):
        decision = change.get("decision") or "pending"
        row = by_decision.setdefault(decision, {"count": 0, "cost": 0.0, "schedule_days": 0.0})
        row["count"] += 1
        row["cost"] += float(change.get("cost_impact") or 0)
        row["schedule_days"] += float(change.get("schedule_impact_days") or 0)
        created = change.get("created")
        month = created.strftime("%Y-%m") if isinstance(created, date) else "unknown"
        by_month[month][decision] = by_month[month].get(decision, 0) + 1
    figures.changes_by_decision = by_decision
    figures.changes_by_month = dict(sorted(by_month.items()))


def _trend(store: StateStore) -> list[tuple[datetime, int]]:
    """Open risks after each cycle (all pairs), from the per-cycle snapshots."""
    points = [(_local(at), n) for at, n in store.open_risk_trend()]
    return [(p, n) for p, n in points if p is not None][-TREND_POINTS:]
