"""People's working calendars: which days of a week a person works, and their capacity.

A day is handled as its proleptic ordinal (``date.toordinal()``; day 1, 0001-01-01, was a
Monday), so counting a person's working days between two dates is a closed form (whole
weeks times the working days per week, plus a 7 x 7 table for the remainder, minus the
holidays found by bisection), never a loop over the days.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise

MONDAY_TO_FRIDAY: frozenset[int] = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True)
class Person:
    """A person's capacity: hours a full week holds, spread evenly over ``working_days``
    (ISO weekdays, 1 = Monday ... 7 = Sunday); ``non_working`` are inclusive date ranges
    (holidays, leave) that may overlap: a day in two ranges is off once."""

    id: str
    capacity_hours_per_week: float
    working_days: frozenset[int] = MONDAY_TO_FRIDAY
    non_working: tuple[tuple[date, date], ...] = ()

    def __post_init__(self) -> None:
        if not self.capacity_hours_per_week >= 0:  # also refuses NaN
            raise ValueError(
                f"person {self.id!r}: capacity_hours_per_week must be 0 or more, "
                f"not {self.capacity_hours_per_week!r}"
            )
        days = frozenset(self.working_days)
        if not days <= frozenset(range(1, 8)):
            raise ValueError(
                f"person {self.id!r}: working_days are ISO weekdays 1..7, not {sorted(days)}"
            )
        object.__setattr__(self, "working_days", days)
        ranges = tuple((first, last) for first, last in self.non_working)
        for first, last in ranges:
            if last < first:
                raise ValueError(
                    f"person {self.id!r}: non-working range {first}..{last} ends before it starts"
                )
        object.__setattr__(self, "non_working", ranges)


def monday(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks(first: date, count: int) -> list[date]:
    """``count`` consecutive ISO weeks, as their Mondays, from the week holding ``first``."""
    start = monday(first)
    return [start + timedelta(weeks=n) for n in range(max(count, 0))]


def check_mondays(weeks: Sequence[date], *, consecutive: bool) -> list[date]:
    """The weeks as a list, each a Monday (and one after the other, when asked), or
    ValueError."""
    found = list(weeks)
    for week in found:
        if week.isoweekday() != 1:
            raise ValueError(f"weeks are given by their Mondays; {week} is not a Monday")
    if consecutive:
        if not found:
            raise ValueError("at least one week is needed")
        for a, b in pairwise(found):
            if (b - a).days != 7:
                raise ValueError(f"weeks must be consecutive: {a} is followed by {b}")
    return found


def index_people(people: Iterable[Person]) -> dict[str, Person]:
    """People by id; ValueError when an id is given twice."""
    known: dict[str, Person] = {}
    for person in people:
        if person.id in known:
            raise ValueError(f"person {person.id!r} is given twice")
        known[person.id] = person
    return known


class Calendar:
    """Working-day arithmetic for one working pattern and set of non-working days."""

    __slots__ = ("_mask", "_remainder", "holidays", "per_week")

    def __init__(
        self,
        working_days: frozenset[int] = MONDAY_TO_FRIDAY,
        non_working: tuple[tuple[date, date], ...] = (),
    ) -> None:
        self._mask = tuple((d + 1) in working_days for d in range(7))  # index 0 = Monday
        self.per_week = sum(self._mask)
        # _remainder[w][r]: working days among r consecutive days starting on weekday w.
        self._remainder = tuple(
            tuple(sum(self._mask[(w + k) % 7] for k in range(r)) for r in range(7))
            for w in range(7)
        )
        off: set[int] = set()
        for first, last in non_working:
            for day in range(first.toordinal(), last.toordinal() + 1):
                if self._mask[(day - 1) % 7]:
                    off.add(day)
        self.holidays = sorted(off)  # working weekdays that are off, each once

    @classmethod
    def of(cls, person: Person) -> Calendar:
        return _calendar_of(person)

    def count(self, first: int, last: int) -> int:
        """Working days from ordinal ``first`` to ``last`` inclusive (0 when last < first)."""
        if last < first:
            return 0
        whole, rest = divmod(last - first + 1, 7)
        n = whole * self.per_week + self._remainder[(first - 1) % 7][rest]
        if self.holidays:
            n -= bisect_right(self.holidays, last) - bisect_left(self.holidays, first)
        return n

    def first_weekday(self, first: int, last: int) -> int:
        """The first day of ``first..last`` on one of the working weekdays (holidays
        ignored); ``first`` when the window holds none of them."""
        for day in range(first, min(last, first + 6) + 1):
            if self._mask[(day - 1) % 7]:
                return day
        return first


DEFAULT_CALENDAR = Calendar()


@lru_cache(maxsize=4096)
def _calendar_of(person: Person) -> Calendar:
    return Calendar(person.working_days, person.non_working)


def hours_per_day(person: Person) -> float:
    """The hours one working day holds (0 for a person with no working days)."""
    days = len(person.working_days)
    return person.capacity_hours_per_week / days if days else 0.0


def capacity(person: Person, week_monday: date) -> float:
    """Hours ``person`` can work in the ISO week of ``week_monday`` (any day of the week
    names it): capacity_hours_per_week spread evenly over the working days, less the
    working days that week that are non-working."""
    start = monday(week_monday).toordinal()
    return hours_per_day(person) * Calendar.of(person).count(start, start + 6)
