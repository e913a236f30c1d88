"""Utilisation, over-allocation and planned-vs-actual per person or project and ISO
week, from a ``Demand`` (resources.spreading) and people's capacity: pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from resources.calendars import (
    DEFAULT_CALENDAR,
    Calendar,
    Person,
    check_mondays,
    hours_per_day,
    index_people,
)
from resources.spreading import Demand

Week = date


@dataclass(frozen=True)
class Plan:
    """A planned allocation of ``person`` to ``project`` from ``start`` to ``end``
    inclusive: either ``hours_per_week`` or a ``share`` (0..1) of the person's capacity."""

    person: str
    project: str
    start: date
    end: date
    hours_per_week: float | None = None
    share: float | None = None

    def __post_init__(self) -> None:
        where = f"plan of {self.person!r} on {self.project!r}"
        if (self.hours_per_week is None) == (self.share is None):
            raise ValueError(f"{where}: give exactly one of hours_per_week and share")
        if self.share is not None and not 0 <= self.share <= 1:
            raise ValueError(f"{where}: share must be between 0 and 1, not {self.share!r}")
        if self.hours_per_week is not None and not self.hours_per_week >= 0:
            raise ValueError(f"{where}: hours_per_week must be 0 or more")
        if self.end < self.start:
            raise ValueError(f"{where}: ends {self.end} before it starts {self.start}")


def utilisation(
    demand: Demand, people: Iterable[Person], weeks: Sequence[date]
) -> dict[tuple[str, Week], float | None]:
    """Demand over capacity per (person, week): every person of ``people`` and every
    person with demand; None where capacity is 0 (unknown people included)."""
    mondays = check_mondays(weeks, consecutive=False)
    known = index_people(people)
    ids = list(known) + sorted({pid for pid, _ in demand.hours} - set(known))
    result: dict[tuple[str, Week], float | None] = {}
    for pid in ids:
        person = known.get(pid)
        if person is None:
            for week in mondays:
                result[(pid, week)] = None
            continue
        cal, per_day = Calendar.of(person), hours_per_day(person)
        for week in mondays:
            start = week.toordinal()
            cap = per_day * cal.count(start, start + 6)
            load = demand.hours.get((pid, week), 0.0)
            result[(pid, week)] = load / cap if cap > 0 else None
    return result


def overallocated(
    util: dict[tuple[str, Week], float | None], threshold: float = 1.0
) -> list[tuple[str, Week, float]]:
    """(person, week, utilisation) strictly above ``threshold``, by person then week."""
    return sorted(
        (pid, week, u) for (pid, week), u in util.items() if u is not None and u > threshold
    )


def planned_vs_actual(
    plans: Iterable[Plan], demand: Demand, people: Iterable[Person], weeks: Sequence[date]
) -> dict[tuple[str | None, Week], tuple[float, float]]:
    """(planned hours, actual demand hours) per (project, week).

    Planned: a plan's rate (hours_per_week, or share x capacity_hours_per_week) spread
    over the person's working days the plan covers that week, less non-working days, so
    a share of a person's capacity and the same hours per week plan the same hours. A
    plan of a person not in ``people``: Monday to Friday, and a share of nothing is 0.
    Actual: the demand of every person on the project that week, unassigned work
    included. Every project of a plan or of the demand appears for every week (0.0 when
    none); unassigned work without a project appears under None.
    """
    mondays = check_mondays(weeks, consecutive=False)
    known = index_people(people)
    planned: dict[tuple[str | None, Week], float] = {}
    actual: dict[tuple[str | None, Week], float] = {}
    for plan in plans:
        person = known.get(plan.person)
        cal = Calendar.of(person) if person is not None else DEFAULT_CALENDAR
        if plan.hours_per_week is not None:
            rate = plan.hours_per_week
        else:
            rate = (plan.share or 0.0) * (person.capacity_hours_per_week if person else 0.0)
        per_day = rate / cal.per_week if cal.per_week else 0.0
        start, end = plan.start.toordinal(), plan.end.toordinal()
        for week in mondays:
            m = week.toordinal()
            key = (plan.project, week)
            planned[key] = planned.get(key, 0.0) + per_day * cal.count(
                max(start, m), min(end, m + 6)
            )
    wanted = set(mondays)
    for (_, week, project), value in demand.by_project.items():
        if week in wanted:
            actual[(project, week)] = actual.get((project, week), 0.0) + value
    for (week, project), value in demand.unassigned.items():
        if week in wanted:
            actual[(project, week)] = actual.get((project, week), 0.0) + value
    projects = {project for project, _ in planned} | {project for project, _ in actual}
    order = sorted(projects, key=lambda p: (p is None, p or ""))
    return {
        (project, week): (planned.get((project, week), 0.0), actual.get((project, week), 0.0))
        for project in order
        for week in mondays
    }
