"""Capacity lookups for the worksheet functions: the resource plan and Jira's open work of
the synced portfolio, through the capacity engine (``resources``), never calling Jira.

One model per store snapshot and day: 52 ISO weeks from the current one (demand never
lands in past weeks: remaining work starts now), computed on first use and kept until
the store changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from excel_addin.lookups import Portfolio, _day, configured
from excel_addin.metrics import MetricError
from resources import capacity, monday
from resources.portfolio import HORIZON_WEEKS, Load, load, person_id


def model(portfolio: Portfolio, today: date | None = None) -> Load:
    """The engine over the store's snapshot, once per snapshot and day; story points
    count as the config's ``[sync] hours_per_point`` (as for the report)."""
    today = today or date.today()
    snap = portfolio.snapshot()
    config = configured()
    hours_per_point = config.sync.hours_per_point if config is not None else 0.0
    key = ("capacity", today, hours_per_point)
    cached = snap.memo.get(key)
    if cached is None:
        cached = snap.memo[key] = load(snap.items, today, hours_per_point)
    return cached


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
    m = model(portfolio)
    who = _person(m, person)
    found = m.people.get(who)
    if found is None:
        raise MetricError("#N/A", f"{person!r} has work but no row in the resource plan")
    return capacity(found, _week(m, week))


def demand_of(portfolio: Portfolio, person: Any, week: Any, project: Any = None) -> float:
    m = model(portfolio)
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
    m = model(portfolio)
    who, day = _person(m, person), _week(m, week)
    value = m.util.get((who, day))
    if value is None:
        raise MetricError("#DIV/0!", f"{person!r} has no capacity in the week of {day}")
    return value


def overallocated_in(portfolio: Portfolio, week: Any, threshold: float = 1.0) -> list[list[Any]]:
    m = model(portfolio)
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
