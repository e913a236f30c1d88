"""The capacity engine, rule by rule, on hand-worked examples (hours worked out in the
comments), then a property: no estimated hour is lost or made up.

The calendar of the examples (2026): Mon 2 Mar starts week W1, Mon 9 Mar W2, Mon 16 Mar
W3, Mon 23 Mar W4; Sat 7 / Sun 8 Mar and Sat 14 / Sun 15 Mar are the weekends.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resources import (
    Person,
    Plan,
    Work,
    capacity,
    demand,
    overallocated,
    planned_vs_actual,
    utilisation,
    weeks,
)

W1, W2, W3, W4 = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)
WEEKS = [W1, W2, W3, W4]
TODAY = W1  # a Monday
ALICE = Person("alice", 40)  # 8 h a day, Monday to Friday


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


def work(key, person="alice", project="A", hours=10.0, start=None, due=None) -> Work:
    return Work(key, person, project, hours, start, due)


def messages(result, key):
    return [p.message for p in result.problems if p.key == key]


# -- weeks and capacity ----------------------------------------------------------------------


def test_weeks_are_iso_mondays_from_the_week_of_the_first_day():
    assert weeks(d(4), 3) == [W1, W2, W3]  # Wed 4 Mar is in W1
    assert weeks(d(8), 1) == [W1]  # Sunday belongs to the week before it
    assert weeks(d(4), 0) == []


def test_capacity_of_a_full_week_and_a_holiday_inside_it():
    assert capacity(ALICE, W1) == 40
    # Wed 4 Mar off: 4 working days x 8 h = 32 h
    assert capacity(Person("alice", 40, non_working=((d(4), d(4)),)), W1) == 32
    # a holiday on a Saturday takes nothing: 40 h
    assert capacity(Person("alice", 40, non_working=((d(7), d(7)),)), W1) == 40
    # any day of the week names the week
    assert capacity(Person("alice", 40, non_working=((d(4), d(4)),)), d(6)) == 32


def test_overlapping_holidays_count_each_day_once():
    # Tue 3..Thu 5 and Wed 4..Fri 6: off Tue, Wed, Thu, Fri once each; Monday left: 8 h
    alice = Person("alice", 40, non_working=((d(3), d(5)), (d(4), d(6))))
    assert capacity(alice, W1) == 8
    assert capacity(alice, W2) == 40


def test_half_time_people():
    # 20 h over Monday to Friday: 4 h a day
    assert capacity(Person("bob", 20), W1) == 20
    assert capacity(Person("bob", 20, non_working=((d(6), d(6)),)), W1) == 16
    # 24 h over Monday to Wednesday: 8 h a day; a Thursday holiday takes nothing
    carol = Person("carol", 24, frozenset({1, 2, 3}), ((d(5), d(5)),))
    assert capacity(carol, W1) == 24
    assert capacity(Person("carol", 24, frozenset({1, 2, 3}), ((d(2), d(2)),)), W1) == 16


def test_invalid_people_and_plans_are_refused():
    with pytest.raises(ValueError, match="capacity_hours_per_week"):
        Person("x", -1)
    with pytest.raises(ValueError, match="ISO weekdays"):
        Person("x", 40, frozenset({0, 1}))
    with pytest.raises(ValueError, match="ends before"):
        Person("x", 40, non_working=((d(5), d(4)),))
    with pytest.raises(ValueError, match="exactly one"):
        Plan("alice", "A", W1, W2)
    with pytest.raises(ValueError, match="exactly one"):
        Plan("alice", "A", W1, W2, hours_per_week=10, share=0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Plan("alice", "A", W1, W2, share=1.5)
    with pytest.raises(ValueError, match="before it starts"):
        Plan("alice", "A", W2, W1, share=0.5)


def test_weeks_must_be_consecutive_mondays_and_people_unique():
    with pytest.raises(ValueError, match="not a Monday"):
        demand([], [ALICE], [d(3)], TODAY)
    with pytest.raises(ValueError, match="consecutive"):
        demand([], [ALICE], [W1, W3], TODAY)
    with pytest.raises(ValueError, match="at least one week"):
        demand([], [ALICE], [], TODAY)
    with pytest.raises(ValueError, match="given twice"):
        demand([], [ALICE, ALICE], WEEKS, TODAY)


# -- demand ----------------------------------------------------------------------------------


def test_a_person_on_two_projects():
    items = [
        # 20 h over Mon 2..Fri 6 = 5 days, 4 h a day -> W1 20
        work("A-1", project="A", hours=20, start=d(2), due=d(6)),
        # B-1: 30 h over Mon 2..Fri 13 = 10 days, 3 h a day -> W1 15, W2 15
        work("B-1", project="B", hours=30, start=d(2), due=d(13)),
    ]
    result = demand(items, [ALICE], WEEKS, TODAY)
    assert result.hours == {
        ("alice", W1): 35,
        ("alice", W2): 15,
        ("alice", W3): 0,
        ("alice", W4): 0,
    }
    assert result.by_project == {
        ("alice", W1, "A"): 20,
        ("alice", W1, "B"): 15,
        ("alice", W2, "B"): 15,
    }
    assert result.problems == () and result.unestimated == ()
    assert (result.before, result.after, result.unassigned) == (0, 0, {})
    util = utilisation(result, [ALICE], WEEKS)
    assert util[("alice", W1)] == 35 / 40 and util[("alice", W2)] == 15 / 40
    assert util[("alice", W3)] == 0


def test_a_holiday_inside_a_week():
    alice = Person("alice", 40, non_working=((d(4), d(4)),))  # Wed 4 Mar off
    items = [
        # 16 h over Mon 2..Fri 6 less Wednesday = 4 days, 4 h a day -> W1 16
        work("A-1", hours=16, start=d(2), due=d(6)),
        # 24 h over Mon 2..Tue 10: W1 Mon, Tue, Thu, Fri + W2 Mon, Tue = 6 days, 4 h a day
        # -> W1 16, W2 8
        work("A-2", hours=24, start=d(2), due=d(10)),
    ]
    result = demand(items, [alice], WEEKS, TODAY)
    assert result.hours[("alice", W1)] == 32 and result.hours[("alice", W2)] == 8
    # capacity W1 is 32 h: fully used, not over
    util = utilisation(result, [alice], WEEKS)
    assert util[("alice", W1)] == 1.0 and util[("alice", W2)] == 8 / 40
    assert overallocated(util) == []


def test_overlapping_holidays_in_demand():
    # off Tue 3..Fri 6 (two overlapping ranges); 10 h over Mon 2..Mon 9 has two working
    # days, Mon 2 and Mon 9: 5 h each -> W1 5, W2 5 (capacity W1 8 h)
    alice = Person("alice", 40, non_working=((d(3), d(5)), (d(4), d(6))))
    result = demand([work("A-1", hours=10, start=d(2), due=d(9))], [alice], WEEKS, TODAY)
    assert result.hours[("alice", W1)] == 5 and result.hours[("alice", W2)] == 5
    assert utilisation(result, [alice], WEEKS)[("alice", W1)] == 5 / 8


def test_half_time_people_in_demand_and_utilisation():
    bob = Person("bob", 20)
    carol = Person("carol", 24, frozenset({1, 2, 3}))
    items = [
        # bob: 20 h over Mon 2..Fri 13 = 10 days, 2 h a day -> W1 10, W2 10
        work("A-1", person="bob", hours=20, start=d(2), due=d(13)),
        # carol works Mon-Wed: 18 h over Mon 2..Fri 13 = 6 of her days, 3 h a day
        # -> W1 9, W2 9
        work("A-2", person="carol", hours=18, start=d(2), due=d(13)),
    ]
    result = demand(items, [bob, carol], WEEKS, TODAY)
    assert result.hours[("bob", W1)] == 10 and result.hours[("bob", W2)] == 10
    assert result.hours[("carol", W1)] == 9 and result.hours[("carol", W2)] == 9
    util = utilisation(result, [bob, carol], WEEKS)
    assert util[("bob", W1)] == 0.5  # 10 of 20
    assert util[("carol", W1)] == 9 / 24  # 0.375


def test_an_item_with_no_estimate_is_listed_not_spread():
    result = demand([work("A-1", hours=None, start=d(2), due=d(6))], [ALICE], WEEKS, TODAY)
    assert result.unestimated == ("A-1",)
    assert sum(result.hours.values()) == 0 and result.by_project == {}
    assert result.problems == ()


def test_negative_hours_are_reported_and_left_out():
    result = demand([work("A-1", hours=-5, start=d(2), due=d(6))], [ALICE], WEEKS, TODAY)
    assert result.total == 0 and result.unestimated == ()
    assert "not counted" in messages(result, "A-1")[0]


def test_no_start_starts_today():
    today = d(4)  # Wednesday
    # 12 h from Wed 4 to Fri 6 = 3 days, 4 h a day -> W1 12 (none on Mon 2 / Tue 3)
    result = demand([work("A-1", hours=12, due=d(6))], [ALICE], WEEKS, today)
    assert result.hours[("alice", W1)] == 12 and result.problems == ()
    # 24 h from Wed 4 to Tue 10 = Wed, Thu, Fri, Mon, Tue = 5 days, 4.8 h a day
    # -> W1 14.4, W2 9.6
    result = demand([work("A-2", hours=24, due=d(10))], [ALICE], WEEKS, today)
    assert result.hours[("alice", W1)] == pytest.approx(14.4)
    assert result.hours[("alice", W2)] == pytest.approx(9.6)


def test_no_due_is_the_start_week_only():
    # start Tue 10, no due: Tue 10..Sun 15 = Tue-Fri, 4 days, 2 h a day -> W2 8
    result = demand([work("A-1", hours=8, start=d(10))], [ALICE], WEEKS, TODAY)
    assert result.hours[("alice", W2)] == 8 and result.problems == ()
    assert result.hours[("alice", W3)] == 0
    # neither start nor due: today (Wed 4) to Sunday 8: Wed, Thu, Fri -> W1 6
    result = demand([work("A-2", hours=6)], [ALICE], WEEKS, d(4))
    assert result.hours[("alice", W1)] == 6


def test_due_before_start_is_swapped_and_reported():
    # start Fri 13, due Mon 9: swapped to Mon 9..Fri 13, 5 days, 2 h a day -> W2 10
    result = demand([work("A-1", hours=10, start=d(13), due=d(9))], [ALICE], WEEKS, TODAY)
    assert result.hours[("alice", W2)] == 10 and result.hours[("alice", W1)] == 0
    assert messages(result, "A-1") == ["due 2026-03-09 is before start 2026-03-13: dates swapped"]


def test_past_due_open_work_is_demand_in_the_current_week():
    today = d(11)  # Wednesday of W2
    items = [
        # due Fri 6 (W1), before today: the current week W2, Mon 9..Fri 13, -> W2 10
        work("A-1", hours=10, start=d(2), due=d(6)),
        # no start, due in the past: the current week too -> W2 5
        work("A-2", hours=5, due=d(3)),
        # no due, its start week (W1) is over: the current week -> W2 5
        work("A-3", hours=5, start=d(3)),
    ]
    result = demand(items, [ALICE], WEEKS, today)
    assert result.hours[("alice", W1)] == 0 and result.hours[("alice", W2)] == 20
    for key in ("A-1", "A-2", "A-3"):
        assert "past due" in messages(result, key)[0], key
    assert "current week (2026-03-09)" in messages(result, "A-1")[0]


def test_a_start_in_a_past_week_moves_to_the_current_week():
    today = d(11)  # Wednesday of W2
    # start Mon 23 Feb, due Fri 13 Mar, 10 h: the remaining work from Mon 9 (today's
    # Monday) to Fri 13 = 5 days -> W2 10; nothing in W1, nothing before
    result = demand([work("A-1", hours=10, start=d(23, 2), due=d(13))], [ALICE], WEEKS, today)
    assert result.hours[("alice", W2)] == 10 and result.before == 0
    assert result.problems == ()
    # a start earlier in the current week stays: Mon 9..Tue 10 at 5 h a day -> W2 10
    result = demand([work("A-2", hours=10, start=d(9), due=d(10))], [ALICE], WEEKS, today)
    assert result.hours[("alice", W2)] == 10


def test_an_item_entirely_in_holidays_lands_on_its_first_weekday():
    alice = Person("alice", 40, non_working=((d(9), d(13)), (d(2), d(2))))  # W2 off, Mon 2 off
    items = [
        # Tue 10..Thu 12 all off: 8 h on Tue 10 -> W2 8
        work("A-1", hours=8, start=d(10), due=d(12)),
        # Sat 7..Mon 9: the weekend and a holiday; first weekday Mon 9 -> W2 4 (not W1)
        work("A-2", hours=4, start=d(7), due=d(9)),
        # Sat 14..Sun 15: no weekday at all -> the window's first day, Sat 14 -> W2 2
        work("A-3", hours=2, start=d(14), due=d(15)),
    ]
    result = demand(items, [alice], WEEKS, TODAY)
    assert result.hours[("alice", W1)] == 0 and result.hours[("alice", W2)] == 14
    assert messages(result, "A-1") == [
        "no working day from 2026-03-10 to 2026-03-12: 8 h counted on 2026-03-10"
    ]
    assert "counted on 2026-03-09" in messages(result, "A-2")[0]
    assert "counted on 2026-03-14" in messages(result, "A-3")[0]
    # W2's capacity is 0: utilisation is None there, and nothing is "over" at None
    util = utilisation(result, [alice], WEEKS)
    assert util[("alice", W2)] is None and overallocated(util) == []


def test_unassigned_work_is_per_week_and_project_over_monday_to_friday():
    items = [
        # 10 h over Mon 2..Fri 6 -> W1 10 on A
        work("A-1", person=None, project="A", hours=10, start=d(2), due=d(6)),
        # 4 h over Fri 6..Mon 9 (the weekend does not count): Fri, Mon -> W1 2, W2 2 on B
        work("B-1", person=None, project="B", hours=4, start=d(6), due=d(9)),
        # no project either
        work("X-1", person=None, project=None, hours=1, start=d(2), due=d(2)),
    ]
    # alice's holiday on Mon 2 is not the unassigned work's
    alice = Person("alice", 40, non_working=((d(2), d(6)),))
    result = demand(items, [alice], WEEKS, TODAY)
    assert result.unassigned == {(W1, "A"): 10, (W1, "B"): 2, (W2, "B"): 2, (W1, None): 1}
    assert sum(result.hours.values()) == 0 and result.by_project == {}
    assert result.problems == ()


def test_hours_outside_the_requested_weeks_are_before_and_after():
    # 20 h over Mon 2..Fri 27 = 20 days, 1 h a day; weeks asked: W2, W3 only
    # -> before 5 (W1), W2 5, W3 5, after 5 (W4); unassigned 10 h Mon 2..Fri 13 -> 5 + 5
    items = [
        work("A-1", hours=20, start=d(2), due=d(27)),
        work("A-2", person=None, hours=10, start=d(2), due=d(13)),
    ]
    result = demand(items, [ALICE], [W2, W3], TODAY)
    assert result.hours == {("alice", W2): 5, ("alice", W3): 5}
    assert result.unassigned == {(W2, "A"): 5}
    assert (result.before, result.after) == (10, 5)
    assert result.total == 30
    # an all-holiday window before the weeks lands in before as one lump
    alice = Person("alice", 40, non_working=((d(2), d(6)),))
    result = demand([work("A-3", hours=7, start=d(3), due=d(4))], [alice], [W2], TODAY)
    assert result.before == 7 and len(result.problems) == 1


def test_a_person_not_among_the_people():
    items = [
        work("A-1", person="zed", hours=10, start=d(2), due=d(6)),  # Mon-Fri: W1 10
        work("A-2", person="zed", hours=5, start=d(9), due=d(9)),  # W2 5
    ]
    result = demand(items, [ALICE], WEEKS, TODAY)
    assert result.hours[("zed", W1)] == 10 and result.hours[("zed", W2)] == 5
    assert result.hours[("alice", W1)] == 0
    assert messages(result, "A-1") == [
        "person 'zed' is not among the people (2 item(s)): their demand is counted under "
        "that id, with capacity 0"
    ]
    assert messages(result, "A-2") == []
    util = utilisation(result, [ALICE], WEEKS)
    assert util[("zed", W1)] is None and util[("alice", W1)] == 0


def test_utilisation_is_none_at_zero_capacity():
    dave = Person("dave", 0)  # no hours at all
    eve = Person("eve", 40, frozenset())  # no working days
    items = [work("A-1", person="dave", hours=4, start=d(2), due=d(6))]
    result = demand(items, [dave, eve], WEEKS, TODAY)
    util = utilisation(result, [dave, eve], WEEKS)
    assert util[("dave", W1)] is None and util[("eve", W1)] is None
    assert result.hours[("dave", W1)] == 4  # the demand is still there


def test_overallocation_is_strictly_above_the_threshold():
    # W1: 40 h on a 40 h week is exactly 1.0, not over; W2: 41 h is over
    items = [
        work("A-1", hours=40, start=d(2), due=d(6)),
        work("A-2", hours=41, start=d(9), due=d(13)),
    ]
    result = demand(items, [ALICE], WEEKS, TODAY)
    util = utilisation(result, [ALICE], WEEKS)
    assert util[("alice", W1)] == 1.0
    assert overallocated(util) == [("alice", W2, 41 / 40)]
    assert overallocated(util, threshold=41 / 40) == []
    assert overallocated(util, threshold=0.99) == [("alice", W1, 1.0), ("alice", W2, 41 / 40)]
    assert overallocated({("x", W1): None, ("x", W2): 1.0}, threshold=1.0) == []


# -- planned vs actual -----------------------------------------------------------------------


def test_planned_share_and_hours_per_week_plan_the_same_hours():
    alice = Person("alice", 40, non_working=((d(11), d(11)),))  # Wed 11 off
    plans = [
        # a half share of 40 h = 20 h a week = 4 h a working day, Mon 2..Sun 22:
        # W1 5 days 20, W2 4 days (Wed off) 16, W3 20, W4 nothing
        Plan("alice", "A", d(2), d(22), share=0.5),
        Plan("alice", "B", d(2), d(22), hours_per_week=20),
        # a quarter share (2 h a day) from Wed 4 to Tue 10: W1 Wed-Fri 6, W2 Mon-Tue 4
        Plan("alice", "C", d(4), d(10), share=0.25),
    ]
    items = [
        work("A-1", hours=10, start=d(2), due=d(6)),  # W1 10 on A
        work("A-2", person=None, hours=5, start=d(2), due=d(6)),  # unassigned W1 5 on A
        work("D-1", project="D", hours=3, start=d(16), due=d(16)),  # W3 3 on D, unplanned
    ]
    result = demand(items, [alice], WEEKS, TODAY)
    pva = planned_vs_actual(plans, result, [alice], WEEKS)
    assert [pva[("A", w)] for w in WEEKS] == [(20, 15), (16, 0), (20, 0), (0, 0)]
    assert [pva[("B", w)][0] for w in WEEKS] == [20, 16, 20, 0]
    assert [pva[("C", w)][0] for w in WEEKS] == [6, 4, 0, 0]
    assert [pva[("D", w)] for w in WEEKS] == [(0, 0), (0, 0), (0, 3), (0, 0)]
    assert list(pva)[:4] == [("A", w) for w in WEEKS]  # by project, then week


def test_planned_share_of_a_part_timer_and_of_someone_unknown():
    carol = Person("carol", 24, frozenset({1, 2, 3}))  # 8 h on Mon, Tue, Wed
    plans = [
        # half of 24 h = 12 h a week = 4 h on each of her 3 days; Thu 5..Tue 10 holds
        # only Mon 9, Tue 10 of hers -> W1 0, W2 8
        Plan("carol", "A", d(5), d(10), share=0.5),
        # someone not among the people: a share of nothing is 0; hours per week count,
        # Monday to Friday: 10 h a week = 2 h a day, Mon 2..Wed 4 -> W1 6
        Plan("zed", "B", d(2), d(4), share=0.5),
        Plan("zed", "B", d(2), d(4), hours_per_week=10),
    ]
    empty = demand([], [carol], WEEKS, TODAY)
    pva = planned_vs_actual(plans, empty, [carol], WEEKS)
    assert pva[("A", W1)] == (0, 0) and pva[("A", W2)] == (8, 0)
    assert pva[("B", W1)] == (6, 0)


# -- properties ------------------------------------------------------------------------------

BASE = date(2026, 1, 5)  # a Monday
days = st.integers(-60, 120).map(lambda n: BASE + timedelta(days=n))
ranges = st.tuples(days, st.integers(0, 20)).map(lambda t: (t[0], t[0] + timedelta(days=t[1])))
people_st = st.lists(
    st.builds(
        Person,
        id=st.sampled_from(["p0", "p1", "p2", "p3"]),
        capacity_hours_per_week=st.sampled_from([0.0, 20.0, 37.5, 40.0]),
        working_days=st.frozensets(st.integers(1, 7)),
        non_working=st.lists(ranges, max_size=4).map(tuple),
    ),
    max_size=4,
    unique_by=lambda p: p.id,
)
work_st = st.lists(
    st.builds(
        Work,
        key=st.text("ABC-123", min_size=1, max_size=5),
        person=st.sampled_from([None, "p0", "p1", "p2", "p3", "ghost"]),
        project=st.sampled_from([None, "A", "B"]),
        hours=st.one_of(st.none(), st.floats(0, 500), st.integers(0, 80).map(float)),
        start=st.one_of(st.none(), days),
        due=st.one_of(st.none(), days),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    work_st,
    people_st,
    days,
    st.integers(-10, 20),
    st.integers(1, 12),
)
def test_total_demand_hours_are_conserved(items, people, today, first_week, count):
    wanted = weeks(BASE + timedelta(weeks=first_week), count)
    result = demand(items, people, wanted, today)
    estimated = sum(w.hours for w in items if w.hours is not None)
    counted = (
        sum(result.hours.values()) + sum(result.unassigned.values()) + result.before + result.after
    )
    assert math.isclose(counted, estimated, rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(
        sum(result.by_project.values()), sum(result.hours.values()), rel_tol=1e-9, abs_tol=1e-6
    )
    assert sorted(result.unestimated) == sorted(w.key for w in items if w.hours is None)
    assert all(v >= 0 for v in result.hours.values())
    util = utilisation(result, people, wanted)
    for (pid, week), u in util.items():
        person = next((p for p in people if p.id == pid), None)
        cap = capacity(person, week) if person else 0.0
        assert (u is None) == (cap == 0)
    # the same inputs give the same outputs
    assert demand(items, people, wanted, today) == result
