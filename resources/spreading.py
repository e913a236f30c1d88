"""Demand per person, project and ISO week from open work items: pure functions.

Callers pass values in (people, open work items with their remaining estimate, planned
allocations, the weeks wanted and ``today``); nothing is read or written, and the same
inputs give the same outputs.

How an item's remaining hours become demand (``demand``), rule by rule, in this order:

1. ``hours is None``: no estimate; the key goes to ``Demand.unestimated``, nothing is
   spread. Negative or NaN hours: a problem is reported and the item is left out.
   0 hours: nothing to spread (no problem).
2. Due before start (both given): the two dates are swapped and a problem is reported.
3. No start: the work starts ``today``.
4. No due: the work is due on the Sunday of its start's week (the start's week only).
5. Past due (the due date, given or from rule 4, is before ``today``): overdue work is
   still demand, so the window becomes the whole current week (today's Monday to
   Sunday) and a problem is reported. So an item with no start and a due date in the
   past lands in the current week too.
6. A start before the current week is moved to today's Monday: a remaining estimate is
   work still to do, not work done in past weeks. (A start earlier in the current week
   stays: the week is the unit capacity is counted in, whole.)
7. The hours are spread evenly over the working days of the window, start to due
   inclusive: the person's working weekdays less their non-working days; for
   unassigned work (``person is None``) Monday to Friday, no holidays.
8. A window with no working day (all holidays, or only days off): the hours land on the
   window's first weekday (the first day on one of the person's working weekdays,
   holidays ignored; the window's first day when it holds none) and a problem is
   reported.
9. Hours spread onto days before the first requested week or after the last are added
   to ``Demand.before`` / ``Demand.after`` (whoever they belong to), so nothing is lost:
   sum(hours) + sum(unassigned) + before + after == the sum of the estimated hours.
10. A person in the work but not in ``people``: one problem per person (naming the
    first item and how many there are); their demand is counted under their id with a
    Monday-to-Friday calendar, and their capacity is 0 (utilisation None).

Items are taken as given: pass open work only (a done item's remaining estimate is 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from resources.calendars import (
    DEFAULT_CALENDAR,
    Calendar,
    Person,
    check_mondays,
    index_people,
)

Week = date


@dataclass(frozen=True)
class Work:
    """An open work item: ``hours`` is its remaining estimate (None: no estimate)."""

    key: str
    person: str | None
    project: str | None
    hours: float | None
    start: date | None
    due: date | None


@dataclass(frozen=True)
class Problem:
    key: str
    message: str


@dataclass(frozen=True)
class Demand:
    """Demand in hours. ``hours``: per (person, week), every person of ``people`` for
    every week (0.0 included) plus unknown people with work; ``by_project``: per
    (person, week, project), non-zero only; ``unassigned``: per (week, project);
    ``before``/``after``: hours falling outside the requested weeks."""

    weeks: tuple[Week, ...]
    hours: dict[tuple[str, Week], float] = field(default_factory=dict)
    by_project: dict[tuple[str, Week, str | None], float] = field(default_factory=dict)
    unassigned: dict[tuple[Week, str | None], float] = field(default_factory=dict)
    before: float = 0.0
    after: float = 0.0
    unestimated: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def total(self) -> float:
        """Every estimated hour, wherever it fell."""
        return sum(self.hours.values()) + sum(self.unassigned.values()) + self.before + self.after


def _window(item: Work, today: int, current: int, problems: list[Problem]) -> tuple[int, int]:
    """Rules 2 to 6: the item's window as ordinals, first and last day inclusive."""
    start = item.start.toordinal() if item.start is not None else None
    due = item.due.toordinal() if item.due is not None else None
    if start is not None and due is not None and due < start:
        problems.append(
            Problem(item.key, f"due {item.due} is before start {item.start}: dates swapped")
        )
        start, due = due, start
    if start is None:
        start = today
    if due is None:
        due = start - (start - 1) % 7 + 6
    if due < today:
        problems.append(
            Problem(
                item.key,
                f"past due ({date.fromordinal(due)}): its remaining hours are counted in "
                f"the current week ({date.fromordinal(current)})",
            )
        )
        return current, current + 6
    return max(start, current), due


def demand(
    work_items: Iterable[Work], people: Iterable[Person], weeks: Sequence[date], today: date
) -> Demand:
    """Spread each item's remaining hours over its window's working days, per week
    (the rules are in the module docstring)."""
    mondays = check_mondays(weeks, consecutive=True)
    known = index_people(people)
    count = len(mondays)
    first = mondays[0].toordinal()
    last = first + 7 * count - 1
    today_n = today.toordinal()
    current = today_n - (today_n - 1) % 7
    calendars: dict[str | None, tuple[Calendar, list[int]]] = {}
    rows: dict[tuple[str | None, str | None], dict[int, float]] = {}  # week index -> hours
    unknown: dict[str, list[str]] = {}
    problems: list[Problem] = []
    unestimated: list[str] = []
    before = after = 0.0

    for item in work_items:
        hours = item.hours
        if hours is None:
            unestimated.append(item.key)
            continue
        if not hours >= 0:
            problems.append(Problem(item.key, f"remaining estimate {hours!r} h is not counted"))
            continue
        pid = item.person
        if pid is not None and pid not in known:
            unknown.setdefault(pid, []).append(item.key)
        if hours == 0:
            continue
        got = calendars.get(pid)
        if got is None:
            person = known.get(pid) if pid is not None else None
            cal = Calendar.of(person) if person is not None else DEFAULT_CALENDAR
            got = calendars[pid] = (cal, [cal.count(m, m + 6) for m in range(first, last, 7)])
        cal, per_week = got
        row = rows.get((pid, item.project))
        if row is None:
            row = rows[(pid, item.project)] = {}
        start, due = _window(item, today_n, current, problems)

        days = cal.count(start, due)
        if days == 0:  # rule 8
            day = cal.first_weekday(start, due)
            problems.append(
                Problem(
                    item.key,
                    f"no working day from {date.fromordinal(start)} to "
                    f"{date.fromordinal(due)}: {hours:g} h counted on {date.fromordinal(day)}",
                )
            )
            if day < first:
                before += hours
            elif day > last:
                after += hours
            else:
                k = (day - first) // 7
                row[k] = row.get(k, 0.0) + hours
            continue

        per_day = hours / days
        if start < first:
            before += per_day * cal.count(start, min(due, first - 1))
        if due > last:
            after += per_day * cal.count(max(start, last + 1), due)
        a, b = max(start, first), min(due, last)
        if a > b:
            continue
        i, j = (a - first) // 7, (b - first) // 7
        if i == j:
            row[i] = row.get(i, 0.0) + per_day * cal.count(a, b)
            continue
        row[i] = row.get(i, 0.0) + per_day * cal.count(a, first + 7 * i + 6)
        row[j] = row.get(j, 0.0) + per_day * cal.count(first + 7 * j, b)
        for k in range(i + 1, j):
            row[k] = row.get(k, 0.0) + per_day * per_week[k]

    for pid, keys in unknown.items():
        problems.append(
            Problem(
                keys[0],
                f"person {pid!r} is not among the people ({len(keys)} item(s)): "
                "their demand is counted under that id, with capacity 0",
            )
        )

    hours_of: dict[tuple[str, Week], float] = {}
    for pid in known:
        for week in mondays:
            hours_of[(pid, week)] = 0.0
    for pid in unknown:
        for week in mondays:
            hours_of[(pid, week)] = 0.0
    by_project: dict[tuple[str, Week, str | None], float] = {}
    unassigned: dict[tuple[Week, str | None], float] = {}
    for (pid, project), row in rows.items():
        for k in sorted(row):
            value, week = row[k], mondays[k]
            if not value:
                continue
            if pid is None:
                unassigned[(week, project)] = unassigned.get((week, project), 0.0) + value
            else:
                hours_of[(pid, week)] += value
                by_project[(pid, week, project)] = value
    return Demand(
        weeks=tuple(mondays),
        hours=hours_of,
        by_project=by_project,
        unassigned=unassigned,
        before=before,
        after=after,
        unestimated=tuple(unestimated),
        problems=tuple(problems),
    )
