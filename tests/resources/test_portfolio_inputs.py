"""The engine's inputs from store items (resources.portfolio): every plan row or work
item that cannot be counted as it is is a problem naming it, and the rest is read."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.excel.record_writes import excel_value
from mappings.mapping import load_mapping
from mappings.model import format_periods, format_working_days, parse_periods, parse_working_days
from resources.portfolio import load, read_inputs

WEEK = date(2026, 12, 7)  # a Monday


def _person(key: str, **values):
    return {"_entity": "resource", "key": key, "capacity_hours": 40, **values}


def _item(key: str, **values):
    return {"_entity": "work_item", "key": key, "project": "ALPHA", "status": "todo",
            "start_date": WEEK, "due_date": date(2026, 12, 11), **values}  # fmt: skip


def test_each_bad_row_or_item_is_a_problem_and_the_rest_is_read():
    found = read_inputs(
        [
            _person("ana@example.com", non_working=[(WEEK, date(2026, 12, 9)),
                                                    (date(2026, 12, 8), date(2026, 12, 10))]),
            _person("bo@example.com", capacity_hours=0),
            _person("Ana@Example.com "),  # the same person again
            _item("ALPHA-1", assignee="ana@example.com", remaining_estimate="3d"),
            _item("ALPHA-2", assignee="ana@example.com", estimate=5),
            _item("ALPHA-3", assignee="ana@example.com", remaining_estimate=8),
            _item("ALPHA-4", assignee="ana@example.com", remaining_estimate=99, status="done"),
        ]
    )  # fmt: skip
    problems = {(p.key, p.message.split(":")[0]) for p in found.problems}
    assert problems == {
        ("ana@example.com", f"non-working periods {WEEK}..2026-12-09 and 2026-12-08..2026-12-10 "
                            "overlap"),
        ("bo@example.com", "no capacity (0 hours a week or no working day)"),
        ("Ana@Example.com ", "listed twice in the plan"),
        ("ALPHA-1", "remaining estimate '3d' is in no unit pmo-sync knows (hours are expected)"),
        ("ALPHA-2", "estimate 5 is in points and [sync] hours_per_point is 0"),
    }  # fmt: skip
    assert [p.id for p in found.people] == ["ana@example.com", "bo@example.com"]
    assert [(w.key, w.hours) for w in found.work] == [
        ("ALPHA-1", None), ("ALPHA-2", None), ("ALPHA-3", 8.0)
    ]  # fmt: skip


def test_overlapping_holidays_are_counted_once():
    ana = _person("ana@example.com", non_working=[(WEEK, date(2026, 12, 9)),
                                                  (date(2026, 12, 8), date(2026, 12, 10))])  # fmt: skip
    found = load([ana, _item("ALPHA-1", assignee="ana@example.com", remaining_estimate=8)],
                 WEEK)  # fmt: skip
    # Mon-Thu off once each: one working day (Friday) holds 8 h of capacity and the work.
    assert found.util[("ana@example.com", WEEK)] == pytest.approx(1.0)
    assert found.demand.hours[("ana@example.com", WEEK)] == pytest.approx(8)


def test_drivers_are_the_items_and_their_hours_in_the_weeks_asked():
    found = load(
        [_person("ana@example.com"),
         _item("ALPHA-1", assignee="ana@example.com", remaining_estimate=30),
         _item("ALPHA-2", assignee="ana@example.com", remaining_estimate=20,
               due_date=date(2026, 12, 18)),
         _item("ALPHA-3", assignee="bo@example.com", remaining_estimate=5)],
        WEEK,
    )  # fmt: skip
    drivers = [(w.key, h) for w, h in found.drivers("ana@example.com", [WEEK])]
    assert drivers == [("ALPHA-1", pytest.approx(30)), ("ALPHA-2", pytest.approx(10))]


@pytest.mark.parametrize(
    ("days", "text"),
    [((1, 2, 3, 4, 5), "Mon-Fri"), ((1, 3, 5), "Mon,Wed,Fri"), ((6, 7), "Sat,Sun"),
     ((1, 2, 3, 4, 6), "Mon-Thu,Sat")],
)  # fmt: skip
def test_working_days_written_as_text_read_back(days, text):
    assert format_working_days(days) == text
    assert parse_working_days(text) == days


def test_holidays_written_as_text_read_back_and_empty_is_an_empty_cell():
    periods = ((date(2026, 12, 24), date(2026, 12, 31)), (date(2027, 1, 5), date(2027, 1, 5)))
    assert format_periods(periods) == "2026-12-24..2026-12-31; 2027-01-05"
    assert parse_periods(format_periods(periods)) == periods
    mapping = load_mapping("builtin:resource_plan")
    fields = mapping.entity("resource")
    assert excel_value(mapping, fields.field("non_working"), ()) is None
    assert excel_value(mapping, fields.field("working_days"), (1, 2, 3)) == "Mon-Wed"
