"""Benchmark of the capacity engine: demand, utilisation and over-allocation at scale.

N people (a tenth part-time on 3 days, most with a holiday or two, some overlapping), a
year of ISO weeks and M open work items over 40 projects (some unassigned, some without an
estimate, a start or a due date, some past due, some long), plus one planned allocation
per person. Reported: ``demand`` + ``utilisation`` + ``overallocated`` together (what a
resource report runs), each apart, and ``planned_vs_actual``, beside the goal (500 people
x 52 weeks x 20,000 items in under 1 s).

    python -m bench.resources_bench [--people 500] [--weeks 52] [--items 20000] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from resources import Person, Plan, Work, demand, overallocated, planned_vs_actual, utilisation
from resources import weeks as iso_weeks

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PROJECTS = [f"P{n:02d}" for n in range(40)]
GOAL_SECONDS = 1.0
TODAY = date(2026, 3, 4)


def build(people: int, weeks: int, items: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    first = TODAY - timedelta(weeks=2)
    span = 7 * weeks
    staff = []
    for n in range(people):
        holidays = []
        for _ in range(rng.randint(0, 3)):
            start = first + timedelta(days=rng.randrange(span))
            holidays.append((start, start + timedelta(days=rng.randint(0, 9))))
        part_time = n % 10 == 0
        staff.append(
            Person(
                id=f"u{n:03d}",
                capacity_hours_per_week=24.0 if part_time else 40.0,
                working_days=frozenset({1, 2, 3}) if part_time else frozenset({1, 2, 3, 4, 5}),
                non_working=tuple(holidays),
            )
        )
    work = []
    for n in range(items):
        start = first + timedelta(days=rng.randrange(span))
        due = start + timedelta(days=rng.choice([0, 3, 10, 20, 40, 90]))
        r = rng.random()
        work.append(
            Work(
                key=f"{PROJECTS[n % len(PROJECTS)]}-{n + 1}",
                person=None if r < 0.05 else f"u{rng.randrange(people):03d}",
                project=PROJECTS[n % len(PROJECTS)],
                hours=None if r > 0.97 else float(rng.randint(1, 80)),
                start=None if 0.05 < r < 0.10 else start,
                due=None if 0.10 < r < 0.15 else due,
            )
        )
    plans = [
        Plan(
            person=p.id,
            project=PROJECTS[i % len(PROJECTS)],
            start=first,
            end=first + timedelta(days=span // 2),
            **({"share": 0.5} if i % 2 else {"hours_per_week": 16.0}),
        )
        for i, p in enumerate(staff)
    ]
    return {"people": staff, "work": work, "plans": plans, "weeks": iso_weeks(first, weeks)}


def run(
    people: int = 500,
    weeks: int = 52,
    items: int = 20_000,
    reps: int = 3,
    out_dir: Path = RESULTS_DIR,
) -> dict[str, Any]:
    data = build(people, weeks, items)
    staff, work, plans, wanted = data["people"], data["work"], data["plans"], data["weeks"]
    whole, spread, util_s, pva_s = [], [], [], []
    for _ in range(reps):
        started = time.perf_counter()
        found = demand(work, staff, wanted, TODAY)
        after_demand = time.perf_counter()
        util = utilisation(found, staff, wanted)
        over = overallocated(util)
        done = time.perf_counter()
        planned_vs_actual(plans, found, staff, wanted)
        pva_s.append(time.perf_counter() - done)
        whole.append(done - started)
        spread.append(after_demand - started)
        util_s.append(done - after_demand)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "people": people,
        "weeks": weeks,
        "items": items,
        "unestimated": len(found.unestimated),
        "problems": len(found.problems),
        "overallocated": len(over),
        "hours": round(found.total, 1),
        "total_s": round(statistics.median(whole), 3),
        "demand_s": round(statistics.median(spread), 3),
        "utilisation_s": round(statistics.median(util_s), 3),
        "planned_vs_actual_s": round(statistics.median(pva_s), 3),
        "goal_s": GOAL_SECONDS,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "resources_bench.json").write_text(json.dumps(results, indent=2))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    r = run(args.people, args.weeks, args.items, args.reps)
    print(f"machine: {r['machine']['platform']}, Python {r['machine']['python']}")
    print(
        f"{r['people']:,} people x {r['weeks']} weeks x {r['items']:,} items: "
        f"{r['hours']:,} h of demand, {r['unestimated']:,} unestimated, "
        f"{r['problems']:,} problems, {r['overallocated']:,} over-allocated person-weeks"
    )
    print(
        f"demand + utilisation + over-allocation: {r['total_s']} s   (goal: under {r['goal_s']} s)"
    )
    print(
        f"of which demand {r['demand_s']} s, utilisation and over-allocation "
        f"{r['utilisation_s']} s; planned vs actual {r['planned_vs_actual_s']} s (no goal)"
    )


if __name__ == "__main__":
    main()
