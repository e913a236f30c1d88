"""Resource management's capacity engine: pure, deterministic functions over people,
work items and planned allocations (no I/O; callers pass the values in).

``weeks`` and ``capacity`` (resources.calendars); ``demand`` (resources.spreading, whose
docstring holds the rules for missing or odd data); ``utilisation``, ``overallocated``
and ``planned_vs_actual`` (resources.allocation).
"""

from resources.allocation import Plan, overallocated, planned_vs_actual, utilisation
from resources.calendars import Person, capacity, monday, weeks
from resources.spreading import Demand, Problem, Work, demand

__all__ = [
    "Demand",
    "Person",
    "Plan",
    "Problem",
    "Work",
    "capacity",
    "demand",
    "monday",
    "overallocated",
    "planned_vs_actual",
    "utilisation",
    "weeks",
]
