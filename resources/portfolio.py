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

from resources.allocation import Plan
from resources.calendars import Person
from resources.spreading import Problem, Work

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


def _hours(item: Mapping[str, Any], hours_per_point: float) -> tuple[float | None, str | None]:
    remaining = item.get("remaining_estimate")
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
                found.people.append(
                    Person(
                        who,
                        float(item.get("capacity_hours") or 0),
                        frozenset(item.get("working_days") or (1, 2, 3, 4, 5)),
                        tuple((a, b) for a, b in item.get("non_working") or ()),
                    )
                )
            except (TypeError, ValueError) as exc:
                found.problems.append(Problem(str(item.get("key")), str(exc)))
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
