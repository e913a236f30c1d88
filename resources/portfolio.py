"""The engine's inputs from a synced portfolio: resources and allocations (copied from the
resource plan workbook) and open work items (read from Jira), as the store keeps them.

Plain dictionaries in, engine values out, so the worksheet functions, the report and the
tests share one reading. Work hours are the remaining estimate in hours (Jira's
``timeestimate``); without it, story points times ``hours_per_point`` when that is set;
otherwise the item is unestimated (counted, not spread). Every row or item that cannot
be read is a problem naming it; nothing else is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from resources.allocation import Plan, utilisation
from resources.calendars import Person, weeks
from resources.spreading import Demand, Problem, Work, demand

DONE = {"done", "closed"}


@dataclass
class Inputs:
    people: list[Person] = field(default_factory=list)
    work: list[Work] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def person_id(value: Any) -> str:
    """How a person is matched between the plan and Jira: case and spaces do not matter."""
    return " ".join(str(value or "").split()).casefold()


def _person_problems(key: str, person: Person) -> list[Problem]:
    """What is odd about a plan row the engine still uses: no capacity (utilisation
    cannot be computed: the worksheet function says #DIV/0!), holidays that overlap
    (counted once)."""
    found = []
    if person.capacity_hours_per_week == 0 or not person.working_days:
        found.append(
            Problem(key, "no capacity (0 hours a week or no working day): utilisation is "
                    "not computed; give Capacity (h/week) and Working Days")
        )  # fmt: skip
    reach: tuple[date, date] | None = None  # the range reaching furthest so far
    for first, last in sorted(person.non_working):
        if reach is not None and first <= reach[1]:
            found.append(
                Problem(key, f"non-working periods {reach[0]}..{reach[1]} and {first}..{last} "
                        "overlap: the days in both are counted off once")
            )  # fmt: skip
        if reach is None or last > reach[1]:
            reach = (first, last)
    return found


def _hours(item: Mapping[str, Any], hours_per_point: float) -> tuple[float | None, str | None]:
    remaining = item.get("remaining_estimate")
    if isinstance(remaining, bool) or (
        remaining is not None and not isinstance(remaining, int | float)
    ):
        return None, (
            f"remaining estimate {remaining!r} is in no unit pmo-sync knows (hours are "
            "expected): the item is counted as unestimated"
        )
    if isinstance(remaining, int | float):
        return float(remaining), None
    points = item.get("estimate")
    if isinstance(points, int | float):
        if hours_per_point > 0:
            return float(points) * hours_per_point, None
        return None, (
            f"estimate {points:g} is in points and [sync] hours_per_point is 0: set it to "
            "count points as hours, or give the item a remaining estimate in Jira"
        )
    return None, None


def read_inputs(items: Iterable[Mapping[str, Any]], hours_per_point: float = 0.0) -> Inputs:
    """Engine inputs from store items (each with ``_entity``)."""
    found = Inputs()
    seen: set[str] = set()
    for item in items:
        entity = item.get("_entity")
        if entity == "resource":
            who = person_id(item.get("key"))
            if who in seen:
                found.problems.append(Problem(str(item.get("key")), "listed twice in the plan"))
                continue
            seen.add(who)
            try:
                person = Person(
                    who,
                    float(item.get("capacity_hours") or 0),
                    frozenset(item.get("working_days") or (1, 2, 3, 4, 5)),
                    tuple((a, b) for a, b in item.get("non_working") or ()),
                )
            except (TypeError, ValueError) as exc:
                found.problems.append(Problem(str(item.get("key")), str(exc)))
                continue
            found.people.append(person)
            found.problems.extend(_person_problems(str(item.get("key")), person))
        elif entity == "allocation":
            try:
                found.plans.append(
                    Plan(
                        person_id(item.get("person")),
                        str(item.get("project")),
                        item.get("start_date") or date.min,
                        item.get("end_date") or date.max,
                        hours_per_week=item.get("planned_hours"),
                        share=item.get("planned_share"),
                    )
                )
            except (TypeError, ValueError) as exc:
                found.problems.append(Problem(str(item.get("key")), str(exc)))
        elif entity == "work_item" and item.get("status") not in DONE:
            hours, problem = _hours(item, hours_per_point)
            key = str(item.get("key") or item.get("sync_id"))
            if problem:
                found.problems.append(Problem(key, problem))
            who = item.get("assignee")
            found.work.append(
                Work(
                    key,
                    person_id(who) if who else None,
                    item.get("project"),
                    hours,
                    item.get("start_date"),
                    item.get("due_date"),
                )
            )
    return found


HORIZON_WEEKS = 52
"""Weeks computed from the current one: the worksheet functions and the report share
this horizon, so a cell of the report's heat map and PMO_UTILISATION agree."""


@dataclass
class Load:
    """The capacity engine run over a portfolio as of ``today``: what the worksheet
    functions look up and the report's Resources sheet draws."""

    today: date
    inputs: Inputs
    people: dict[str, Person]
    demand: Demand
    util: dict[tuple[str, date], float | None]

    @property
    def weeks(self) -> tuple[date, ...]:
        return self.demand.weeks

    @property
    def problems(self) -> list[Problem]:
        """Every row or item the engine could not fully use, inputs first."""
        return [*self.inputs.problems, *self.demand.problems]

    def drivers(self, person: str, weeks: Iterable[date]) -> list[tuple[Work, float]]:
        """The person's work items and the hours each puts into ``weeks``, most first
        (items with no hours there left out): what drives an over-allocation."""
        wanted = set(weeks)
        found = []
        for item in self.inputs.work:
            if item.person != person or not item.hours:
                continue
            one = demand([item], self.inputs.people, self.weeks, self.today)
            hours = sum(h for (_, week), h in one.hours.items() if week in wanted)
            if hours > 0:
                found.append((item, hours))
        return sorted(found, key=lambda pair: (-pair[1], pair[0].key))


def load(
    items: Iterable[Mapping[str, Any]],
    today: date,
    hours_per_point: float = 0.0,
    horizon: int = HORIZON_WEEKS,
) -> Load:
    """Run the engine over store items for ``horizon`` weeks from ``today``'s week."""
    inputs = read_inputs(items, hours_per_point)
    mondays = weeks(today, horizon)
    found = demand(inputs.work, inputs.people, mondays, today)
    return Load(
        today,
        inputs,
        {p.id: p for p in inputs.people},
        found,
        utilisation(found, inputs.people, mondays),
    )
