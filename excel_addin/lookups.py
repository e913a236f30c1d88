"""Portfolio lookups for worksheet formulas, over the sync's local state store.

A workbook full of ``=PMO_OPEN_RISKS(A2)`` recalculates thousands of formulas at once,
so nothing here touches the network: the synced portfolio (the store's ``items``
table) is loaded once, read-only, and kept in memory until the store file changes
(its size or modification time, or its write-ahead log's). Each lookup is then a scan
of one project's items. The newest compliance audit (``compliance.py``) is read the
same way, once per snapshot.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from excel_addin.compliance import LatestAudit, load_latest
from excel_addin.metrics import MetricError, number, performance_indices, rag
from mappings.values import BUILTIN_MAPS, parse_date
from sync.store_items import read_items

if TYPE_CHECKING:
    from mappings.config import Config

LEVELS = ("low", "medium", "high", "critical")
CLOSED = {"closed", "done", "implemented", "rejected", "deferred"}
STATUS_MAPS = {
    "risk": "risk_status",
    "change_request": "change_request_status",
}
ALL = ("", "*", None)
DEFAULT_ITEM_FIELDS = ("key", "summary", "status", "owner", "due_date")
PROJECT_ITEM_FIELDS = ("key", "name", "manager", "bac", "pv", "ev", "ac")  # Projects sheet


def configured() -> Config | None:
    """The config the add-in reads (PMO_SYNC_CONFIG, else ./pmo-sync.toml), or None when
    there is none; loaded again only when the file changes."""
    path = Path(os.environ.get("PMO_SYNC_CONFIG", "pmo-sync.toml"))
    try:
        stat = path.stat()
    except OSError:
        return None
    return _load_config(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load_config(path: str, _mtime_ns: int, _size: int) -> Config:
    from mappings.config import load_config

    return load_config(Path(path))


def default_store_path() -> Path:
    """PMO_SYNC_STATE_STORE, else the config's sync.state_store, else the default."""
    explicit = os.environ.get("PMO_SYNC_STATE_STORE")
    if explicit:
        return Path(explicit)
    loaded = configured()
    if loaded is not None:
        return loaded.resolve(loaded.sync.state_store)
    return Path(".pmo-sync/state.db")


def _signature(path: Path) -> tuple[Any, ...]:
    parts = []
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            stat = candidate.stat()
            # An empty log is no log: readers create one, and must not look like writers.
            parts.append((stat.st_size, stat.st_mtime_ns) if stat.st_size else None)
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


@dataclass
class Snapshot:
    """The portfolio as the store held it at one moment, indexed for lookups."""

    items: list[dict[str, Any]]
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_project: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_sync: datetime | None = None
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in self.items:
            if item.get("key"):
                self.by_key[str(item["key"]).upper()] = item
            if item.get("project"):
                by_project[str(item["project"]).upper()].append(item)
        self.by_project = dict(by_project)


def _memo(method: Any) -> Any:
    """Answers are cached per snapshot: a sheet asks the same question many times."""

    def cached(self: Portfolio, *args: Any) -> Any:
        snap = self.snapshot()
        key = (method.__name__, *(_hashable(a) for a in args))
        if key not in snap.memo:
            snap.memo[key] = method(self, *args)
        return snap.memo[key]

    cached.__name__ = method.__name__
    cached.__doc__ = method.__doc__
    return cached


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


class Portfolio:
    """Read-only lookups over one state store."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._snapshot: Snapshot | None = None
        self._signature: tuple[Any, ...] | None = None

    @property
    def store_path(self) -> Path:
        return self.path or default_store_path()

    def snapshot(self) -> Snapshot:
        path = self.store_path
        signature = _signature(path)
        if self._snapshot is not None and signature == self._signature:
            return self._snapshot
        if signature[0] is None:
            raise MetricError("#N/A", f"no synced portfolio at {path}: run `pmo-sync sync` first")
        self._snapshot = _load(path)
        # Changed while loading: keep the data for now, but load again next time.
        self._signature = signature if _signature(path) == signature else None
        return self._snapshot

    # -- selection --------------------------------------------------------------------------
    def _items(self, project: Any, entity: str | None = None) -> list[dict[str, Any]]:
        snap = self.snapshot()
        if project in ALL:
            found = snap.items
        else:
            found = snap.by_project.get(str(project).strip().upper())
            if found is None:
                raise MetricError("#N/A", f"no project {project!r} in the synced portfolio")
        return [i for i in found if entity is None or i.get("_entity") == entity]

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
        day = _day(as_of) if as_of not in ALL else date.today()
        return sum(
            1
            for i in self._items(project)
            if i.get("due_date") and i["due_date"] < day and i.get("status") not in CLOSED
        )

    def health(self, project: Any, as_of: Any = None) -> str:
        """The report's RAG for one project: SPI and CPI from its row on the status
        tracker's Projects sheet (left out where there are no figures), its open critical
        risks and its overdue items."""
        if project in ALL:
            raise MetricError("#VALUE!", "health is per project: give a project key")
        budget = next((i for i in self._items(project, "project")), {})
        spi, cpi = performance_indices(budget)
        return rag(spi, cpi, self.open_risks(project, "critical"), self.overdue(project, as_of))

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

    def items(
        self, entity: Any, project: Any = None, filter_text: Any = None, fields: Any = None
    ) -> list[list[Any]]:
        kind = str(entity or "").strip().casefold().replace(" ", "_")
        known = {i.get("_entity") for i in self.snapshot().items}
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
    @_memo
    def latest_audit(self) -> LatestAudit:
        """The newest compliance audit, loaded once per snapshot of the store."""
        return load_latest(self.store_path)

    def compliance(self, project: Any) -> float:
        """A project's (or the portfolio's) compliance score in the newest audit, 0..1."""
        return self.latest_audit().score(project)

    def breaches(self, project: Any, severity: Any = None) -> list[list[Any]]:
        """The newest audit's breaches of a project: a header row, one row per breach."""
        return self.latest_audit().breaches(project, severity)

    def last_sync(self) -> datetime:
        found = self.snapshot().last_sync
        if found is None:
            raise MetricError("#N/A", "no finished sync cycle in the store yet")
        return found

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


def _load(path: Path) -> Snapshot:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise MetricError("#N/A", f"cannot open the state store {path}: {exc}") from None
    try:
        found = read_items(db)  # the portfolio: each issue once
        finished = db.execute(
            "SELECT MAX(finished_at) FROM cycles WHERE outcome IN ('ok', 'conflicts', 'errors')"
        ).fetchone()[0]
    except sqlite3.Error as exc:
        raise MetricError(
            "#N/A", f"{path} is not a pmo-sync state store with a synced portfolio ({exc})"
        ) from None
    finally:
        db.close()
    items = [{**values, "_entity": entity} for (entity, _), values in found.items()]
    last = datetime.fromisoformat(finished).astimezone().replace(tzinfo=None) if finished else None
    return Snapshot(items, last_sync=last)
