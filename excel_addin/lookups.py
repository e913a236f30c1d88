"""Portfolio lookups for worksheet formulas, over the sync's local state store.

Each ``Portfolio`` method answers one worksheet function from the store's snapshot
(``snapshot.py``: loaded once, indexed, every answer remembered until the store
changes), never from the network. The newest compliance audit (``compliance.py``) is
read the same way, once per snapshot.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from excel_addin.compliance import LatestAudit, load_latest
from excel_addin.metrics import MetricError, number, performance_indices, rag
from excel_addin.snapshot import StoreView, _memo, _table_memo
from mappings.values import BUILTIN_MAPS, parse_date

LEVELS = ("low", "medium", "high", "critical")
CLOSED = {"closed", "done", "implemented", "rejected", "deferred"}
STATUS_MAPS = {
    "risk": "risk_status",
    "change_request": "change_request_status",
}
ALL = ("", "*", None)
DEFAULT_ITEM_FIELDS = ("key", "summary", "status", "owner", "due_date")
PROJECT_ITEM_FIELDS = ("key", "name", "manager", "bac", "pv", "ev", "ac")  # Projects sheet


class Portfolio(StoreView):
    """Read-only lookups over one state store (``StoreView``: its snapshot, how fresh)."""

    # -- selection --------------------------------------------------------------------------
    def _items(self, project: Any, entity: str | None = None) -> list[dict[str, Any]]:
        """The items of a project (all for * or blank), of one entity: a shared index
        list, to read only."""
        snap = self.snapshot()
        if project in ALL:
            return snap.items if entity is None else snap.by_entity.get(entity, [])
        wanted = str(project).strip().upper()
        found = snap.by_project.get(wanted)
        if found is None:
            raise MetricError("#N/A", f"no project {project!r} in the synced portfolio")
        return found if entity is None else snap.by_project_entity.get((wanted, entity), [])

    def _item(self, key: Any) -> dict[str, Any]:
        if key in ALL:
            raise MetricError("#VALUE!", "an issue key is needed, e.g. ALPHA-12")
        item = self.snapshot().by_key.get(str(key).strip().upper())
        if item is None:
            raise MetricError("#N/A", f"no issue {key!r} in the synced portfolio")
        return item

    # -- lookups ----------------------------------------------------------------------------
    @_memo
    def open_risks(self, project: Any, min_level: Any = None) -> int:
        floor = 0
        if min_level not in ALL:
            try:
                floor = LEVELS.index(BUILTIN_MAPS["risk_level"].to_canonical(min_level))
            except ValueError:
                raise MetricError(
                    "#VALUE!", f"level {min_level!r} is not Low, Medium, High or Critical"
                ) from None
        return sum(
            1
            for r in self._items(project, "risk")
            if r.get("status") != "closed" and r.get("level") and LEVELS.index(r["level"]) >= floor
        )

    @_memo
    def exposure(self, project: Any) -> int:
        """Sum of the scores (probability x impact) of the open risks."""
        return sum(
            int(r.get("score") or 0)
            for r in self._items(project, "risk")
            if r.get("status") != "closed"
        )

    @_memo
    def changes(self, project: Any, decision: Any = None) -> int:
        wanted = None
        if decision not in ALL:
            try:
                wanted = BUILTIN_MAPS["decision"].to_canonical(decision)
            except ValueError:
                raise MetricError(
                    "#VALUE!",
                    f"decision {decision!r} is not pending, approved, rejected or deferred",
                ) from None
        return sum(
            1
            for c in self._items(project, "change_request")
            if wanted is None or c.get("decision") == wanted
        )

    @_memo
    def change_impact(self, project: Any, kind: Any = "cost", decision: Any = "approved") -> float:
        """Total cost (or schedule days) impact of the change requests with ``decision``."""
        name = {"cost": "cost_impact", "schedule": "schedule_impact_days"}.get(
            str(kind or "").strip().casefold()
        )
        if name is None:
            raise MetricError("#VALUE!", f"impact kind {kind!r} is not 'cost' or 'schedule'")
        wanted = None if decision in ALL else BUILTIN_MAPS["decision"].to_canonical(decision)
        return float(
            sum(
                c.get(name) or 0
                for c in self._items(project, "change_request")
                if wanted is None or c.get("decision") == wanted
            )
        )

    @_memo
    def progress(self, project: Any, by: Any = None) -> float:
        """Fraction of work items done: by estimate when every item has one, else by count."""
        work = self._items(project, "work_item")
        if not work:
            raise MetricError("#N/A", f"no work items for {project!r} in the synced portfolio")
        method = str(by or "auto").strip().casefold()
        if method not in ("auto", "count", "estimate"):
            raise MetricError("#VALUE!", f"progress by {by!r}: use 'count' or 'estimate'")
        estimated = all(w.get("estimate") for w in work)
        if method == "estimate" or (method == "auto" and estimated):
            if not estimated:
                raise MetricError("#N/A", "some work items have no estimate")
            total = sum(w["estimate"] for w in work)
            return sum(w["estimate"] for w in work if w.get("status") == "done") / total
        return sum(w.get("status") == "done" for w in work) / len(work)

    def overdue(self, project: Any, as_of: Any = None) -> int:
        return self._overdue(project, as_of, date.today())

    @_memo
    def _overdue(self, project: Any, as_of: Any, today: date) -> int:
        day = _day(as_of) if as_of not in ALL else today
        return sum(
            1
            for i in self._items(project)
            if i.get("due_date") and i["due_date"] < day and i.get("status") not in CLOSED
        )

    def health(self, project: Any, as_of: Any = None) -> str:
        """The report's RAG for one project: SPI and CPI from its row on the status
        tracker's Projects sheet (left out where there are no figures), its open critical
        risks and its overdue items."""
        return self._health(project, as_of, date.today())

    @_memo
    def _health(self, project: Any, as_of: Any, today: date) -> str:
        if project in ALL:
            raise MetricError("#VALUE!", "health is per project: give a project key")
        budget = next((i for i in self._items(project, "project")), {})
        spi, cpi = performance_indices(budget)
        overdue = self._overdue(project, as_of, today)
        return rag(spi, cpi, self.open_risks(project, "critical"), overdue)

    @_memo
    def status(self, key: Any) -> str:
        item = self._item(key)
        value_map = BUILTIN_MAPS.get(STATUS_MAPS.get(item["_entity"], "status"))
        raw = item.get("status")
        return value_map.to_label(raw) if value_map is not None and raw else str(raw or "")

    @_memo
    def field(self, key: Any, name: Any) -> Any:
        item = self._item(key)
        wanted = str(name or "").strip().casefold().replace(" ", "_")
        if wanted not in item or wanted.startswith("_"):
            fields = ", ".join(sorted(k for k in item if not k.startswith("_")))
            raise MetricError("#N/A", f"{key} has no field {name!r}; fields: {fields}")
        return cell(item[wanted])

    @_table_memo
    def items(
        self, entity: Any, project: Any = None, filter_text: Any = None, fields: Any = None
    ) -> list[list[Any]]:
        kind = str(entity or "").strip().casefold().replace(" ", "_")
        known = self.snapshot().by_entity.keys()
        if kind not in known:
            raise MetricError(
                "#N/A",
                f"no {entity!r} items synced (synced: {', '.join(sorted(filter(None, known)))})",
            )
        names = _names(fields) or list(
            PROJECT_ITEM_FIELDS if kind == "project" else DEFAULT_ITEM_FIELDS
        )
        conditions = _conditions(filter_text)
        rows = [
            [cell(item.get(n)) for n in names]
            for item in self._items(project, kind)
            if all(_matches(item, f, v) for f, v in conditions)
        ]
        rows.sort(key=lambda r: str(r[0]))
        return [names, *rows]

    # -- compliance (the newest audit the store kept) -------------------------------------
    def latest_audit(self) -> LatestAudit:
        """The newest compliance audit, loaded once per snapshot of the store (an error
        opening it is not remembered: the next call tries again)."""
        snap = self.snapshot()
        found = snap.memo.get(("latest_audit",))
        if found is None:
            found = snap.memo["latest_audit",] = load_latest(snap.path or self.store_path)
        return found

    def compliance(self, project: Any) -> float:
        """A project's (or the portfolio's) compliance score in the newest audit, 0..1."""
        self.latest_audit()  # first, so that only the audit's own answers are remembered
        return self._compliance(project)

    @_memo
    def _compliance(self, project: Any) -> float:
        return self.latest_audit().score(project)

    def breaches(self, project: Any, severity: Any = None) -> list[list[Any]]:
        """The newest audit's breaches of a project: a header row, one row per breach."""
        self.latest_audit()
        return self._breaches(project, severity)

    @_table_memo
    def _breaches(self, project: Any, severity: Any = None) -> list[list[Any]]:
        return self.latest_audit().breaches(project, severity)

    def last_sync(self) -> datetime:
        found = self.snapshot().last_sync
        if found is None:
            raise MetricError("#N/A", "no finished sync cycle in the store yet")
        return found

    @_memo
    def utilization(self, person: Any, start: Any, end: Any, hours_per_day: Any = 8) -> float:
        """Share of ``person``'s working hours from start to end taken by their estimates.

        Each work item assigned to the person spreads its estimate (read as hours) evenly
        over its working days (start date to due date); the share of those days inside the
        window counts. Capacity is hours_per_day on every weekday of the window.
        """
        first, last = _day(start), _day(end)
        if last < first:
            raise MetricError("#NUM!", "the end date is before the start date")
        capacity = _weekdays(first, last) * number(hours_per_day, "hours per day")
        if capacity <= 0:
            raise MetricError("#DIV/0!", "the window has no working hours")
        who = str(person or "").strip().casefold()
        if not who:
            raise MetricError("#VALUE!", "a person is needed")
        booked = 0.0
        for item in self._items(None, "work_item"):
            if str(item.get("assignee") or item.get("owner") or "").casefold() != who:
                continue
            if not item.get("estimate") or item.get("status") == "done":
                continue
            begin = item.get("start_date") or item.get("due_date")
            finish = item.get("due_date") or begin
            if begin is None:
                continue
            days = _weekdays(begin, finish) or 1
            inside = (
                _weekdays(max(begin, first), min(finish, last))
                if begin <= last and finish >= first
                else 0
            )
            booked += item["estimate"] * inside / days
        return booked / capacity


def _weekdays(first: date, last: date) -> int:
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (first + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def _day(value: Any) -> date:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return date(1899, 12, 30) + timedelta(days=int(value))  # an Excel serial date
    try:
        return parse_date(value)
    except ValueError:
        raise MetricError("#VALUE!", f"{value!r} is not a date") from None


def _names(fields: Any) -> list[str]:
    if fields in ALL:
        return []
    if isinstance(fields, list | tuple):
        parts = [
            str(f) for row in fields for f in (row if isinstance(row, list | tuple) else [row])
        ]
    else:
        parts = str(fields).split(",")
    return [p.strip().casefold().replace(" ", "_") for p in parts if p and str(p).strip()]


def _conditions(text: Any) -> list[tuple[str, str]]:
    """'status=open; level=high' -> [(status, open), (level, high)]."""
    if text in ALL:
        return []
    found = []
    for part in str(text).split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise MetricError("#VALUE!", f"filter {part.strip()!r} is not field=value")
        found.append((name.strip().casefold().replace(" ", "_"), value.strip().casefold()))
    return found


def _matches(item: dict[str, Any], name: str, value: str) -> bool:
    actual = item.get(name)
    if isinstance(actual, date):
        actual = actual.isoformat()
    return str(actual if actual is not None else "").casefold() == value


def cell(value: Any) -> Any:
    """A stored value as a cell can hold it (lists joined, ids as text)."""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return str(value)
