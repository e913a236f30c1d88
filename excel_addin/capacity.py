"""Capacity lookups for the worksheet functions: the resource plan and Jira's open work of
the synced portfolio, through the capacity engine (``resources``), never calling Jira.

One model per store snapshot and day: 52 ISO weeks from the current one (demand never
lands in past weeks: remaining work starts now), computed on first use and kept until
the store changes. Each answer (or error) is remembered with the snapshot too, per day
and ``hours_per_point``; tables come out as new lists on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from excel_addin.lookups import Portfolio, _day
from excel_addin.metrics import MetricError
from excel_addin.snapshot import Snapshot, _key_of, remembered
from resources import capacity, monday
from resources.portfolio import HORIZON_WEEKS, Load, load, person_id


def model(portfolio: Portfolio, today: date | None = None) -> Load:
    """The engine over the store's snapshot, once per snapshot and day; story points
    count as the config's ``[sync] hours_per_point`` (as for the report)."""
    return _model(portfolio, portfolio.snapshot(), today)[1]


def _model(
    portfolio: Portfolio, snap: Snapshot, today: date | None = None
) -> tuple[tuple[Any, ...], Load]:
    today = today or date.today()
    config = portfolio.config()
    hours_per_point = config.sync.hours_per_point if config is not None else 0.0
    key = ("capacity", today, hours_per_point)
    cached = snap.memo.get(key)
    if cached is None:
        cached = snap.memo[key] = load(snap.items, today, hours_per_point)
    return key, cached


def _answer(portfolio: Portfolio, name: str, compute: Callable[[Load], Any], *args: Any) -> Any:
    """``compute(model)``, remembered with the snapshot per model (day, hours_per_point)
    and ``args``."""
    snap = portfolio.snapshot()
    model_key, m = _model(portfolio, snap)
    return remembered(snap, _key_of(name, (*model_key[1:], *args)), lambda: compute(m))


def _person(m: Load, person: Any) -> str:
    who = person_id(person)
    if not who:
        raise MetricError("#VALUE!", "a person is needed (their Jira email or name)")
    if who not in m.people and not any(k[0] == who for k in m.demand.hours):
        raise MetricError("#N/A", f"{person!r} is neither in the resource plan nor assigned work")
    return who


def _week(m: Load, week: Any) -> date:
    day = monday(_day(week))
    if day < m.weeks[0] or day > m.weeks[-1]:
        raise MetricError(
            "#N/A",
            f"week of {day} is outside the {HORIZON_WEEKS} weeks from {m.weeks[0]} that demand "
            "is computed for (remaining work starts this week)",
        )
    return day


def capacity_of(portfolio: Portfolio, person: Any, week: Any) -> float:
    return _answer(portfolio, "capacity_of", lambda m: _capacity(m, person, week), person, week)


def _capacity(m: Load, person: Any, week: Any) -> float:
    who = _person(m, person)
    found = m.people.get(who)
    if found is None:
        raise MetricError("#N/A", f"{person!r} has work but no row in the resource plan")
    return capacity(found, _week(m, week))


def demand_of(portfolio: Portfolio, person: Any, week: Any, project: Any = None) -> float:
    return _answer(
        portfolio, "demand_of", lambda m: _demand(m, person, week, project), person, week, project
    )


def _demand(m: Load, person: Any, week: Any, project: Any) -> float:
    who, day = _person(m, person), _week(m, week)
    if project in (None, ""):
        return m.demand.hours.get((who, day), 0.0)
    wanted = str(project).strip().upper()
    return sum(
        h
        for (p, w, pr), h in m.demand.by_project.items()
        if p == who and w == day and str(pr).upper() == wanted
    )


def utilisation_of(portfolio: Portfolio, person: Any, week: Any) -> float:
    return _answer(portfolio, "utilisation_of", lambda m: _util(m, person, week), person, week)


def _util(m: Load, person: Any, week: Any) -> float:
    who, day = _person(m, person), _week(m, week)
    value = m.util.get((who, day))
    if value is None:
        raise MetricError("#DIV/0!", f"{person!r} has no capacity in the week of {day}")
    return value


def overallocated_in(portfolio: Portfolio, week: Any, threshold: float = 1.0) -> list[list[Any]]:
    rows = _answer(
        portfolio,
        "overallocated_in",
        lambda m: tuple(tuple(r) for r in _overallocated(m, week, threshold)),
        week,
        threshold,
    )
    return [list(row) for row in rows]


def _overallocated(m: Load, week: Any, threshold: float) -> list[list[Any]]:
    day = _week(m, week)
    rows = sorted(
        (
            (who, u)
            for (who, w), u in m.util.items()
            if w == day and u is not None and u > threshold
        ),
        key=lambda r: -r[1],
    )
    return [["person", "utilisation"], *([who, u] for who, u in rows)]
