"""Benchmark of the worksheet functions' portfolio lookups (not a timed test).

A state store holding N synced items (risks, change requests, work items over 20
projects) is built with the real store API; then 10,000 lookup calls, mixed the way a
PMO dashboard mixes them (open risks, exposure, status by key, change counts, fields),
run through the same wrappers Excel calls, on a portfolio set up as the add-in's
(``functions.PORTFOLIO``: the store looked at every ``ADDIN_MAX_STALENESS`` s). Reports
calls per second (median of several runs), cold (first call loads the store) and warm,
beside the goal (>= 500,000 warm calls/s, issue 19), and, for comparison, warm calls
with the store looked at on every call (``Portfolio(path)``'s default).

    python -m bench.addin_bench [--items 5000] [--calls 10000] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from excel_addin import functions
from excel_addin.lookups import Portfolio
from excel_addin.snapshot import ADDIN_MAX_STALENESS
from mappings.model import build_record
from sync.store import StateStore

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PROJECTS = [f"P{n:02d}" for n in range(20)]
GOAL_CALLS_PER_SECOND = 500_000


def build_store(path: Path, items: int, seed: int = 7) -> list[str]:
    """A store with ``items`` records; returns their keys."""
    rng = random.Random(seed)
    records: dict[str, list[dict[str, Any]]] = {"risk": [], "change_request": [], "work_item": []}
    keys = []
    for n in range(items):
        project = PROJECTS[n % len(PROJECTS)]
        key = f"{project}-{n + 1}"
        keys.append(key)
        kind = ("risk", "change_request", "work_item")[n % 3]
        values: dict[str, Any] = {"key": key, "project": project, "summary": f"item {n}"}
        if kind == "risk":
            values |= {
                "probability": rng.randint(1, 5),
                "impact": rng.randint(1, 5),
                "status": rng.choice(["open", "mitigating", "closed"]),
            }
        elif kind == "change_request":
            values |= {
                "status": rng.choice(["submitted", "approved", "rejected"]),
                "cost_impact": rng.randint(0, 50_000),
            }
        else:
            values |= {"status": rng.choice(["todo", "done"]), "estimate": rng.randint(1, 13)}
        record = build_record(kind, values, source=key).model_dump()
        record["sync_id"] = str(record["sync_id"])
        records[kind].append(record)
    with StateStore(path) as store, store.transaction():
        for kind, found in records.items():
            store.save_items("bench", kind, found)
    return keys


def _calls(keys: list[str], count: int, seed: int = 11) -> list[tuple[Any, tuple[Any, ...]]]:
    rng = random.Random(seed)
    menu = [
        lambda: (functions.PMO_OPEN_RISKS, (rng.choice(PROJECTS),)),
        lambda: (functions.PMO_OPEN_RISKS, (rng.choice(PROJECTS), "High")),
        lambda: (functions.PMO_EXPOSURE, (rng.choice(PROJECTS),)),
        lambda: (functions.PMO_CHANGES, (rng.choice(PROJECTS), "Approved")),
        lambda: (functions.PMO_STATUS, (rng.choice(keys),)),
        lambda: (functions.PMO_FIELD, (rng.choice(keys), "summary")),
    ]
    return [rng.choice(menu)() for _ in range(count)]


def _timed(plan: list[tuple[Any, tuple[Any, ...]]], reps: int) -> list[float]:
    timings = []
    for _ in range(reps):
        started = time.perf_counter()
        for fn, args in plan:
            answer = fn(*args)
            if isinstance(answer, str) and answer.startswith("#"):
                raise AssertionError(f"{fn.__name__}{args} -> {answer}")
        timings.append(time.perf_counter() - started)
    return timings


def run(
    items: int = 5000, calls: int = 10_000, reps: int = 5, out_dir: Path = RESULTS_DIR
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "state.db"
        keys = build_store(store, items)
        plan = _calls(keys, calls)
        previous = functions.PORTFOLIO
        try:
            functions.PORTFOLIO = Portfolio(store, max_staleness=ADDIN_MAX_STALENESS)
            started = time.perf_counter()
            functions.PMO_OPEN_RISKS(PROJECTS[0])
            cold = time.perf_counter() - started
            timings = _timed(plan, reps)
            functions.PORTFOLIO = Portfolio(store)  # looks at the store on every call
            strict = _timed(plan, 1 + max(1, reps // 2))[1:]  # the first pass fills the memo
        finally:
            functions.PORTFOLIO = previous
    median = statistics.median(timings)
    per_second = round(calls / median)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "items": items,
        "calls": calls,
        "max_staleness_s": ADDIN_MAX_STALENESS,
        "first_call_load_s": round(cold, 4),
        "first_pass_s": round(timings[0], 4),  # answers computed, not yet remembered
        "median_s": round(median, 4),
        "calls_per_second": per_second,
        "goal_calls_per_second": GOAL_CALLS_PER_SECOND,
        "goal_met": per_second >= GOAL_CALLS_PER_SECOND,
        "every_call_looks_calls_per_second": round(calls / statistics.median(strict)),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "addin_bench.json").write_text(json.dumps(results, indent=2))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    results = run(args.items, args.calls, args.reps)
    print(f"machine: {results['machine']['platform']}, Python {results['machine']['python']}")
    print(
        f"store: {results['items']} items; "
        f"first call (loads the store): {results['first_call_load_s']} s"
    )
    print(
        f"{results['calls']} lookup calls: first pass {results['first_pass_s']} s, median "
        f"{results['median_s']} s = {results['calls_per_second']:,} calls/s warm   "
        f"(goal >= {results['goal_calls_per_second']:,} calls/s: "
        f"{'PASS' if results['goal_met'] else 'MISS'})"
    )
    print(
        f"store looked at every {results['max_staleness_s']} s at most; looking on every call: "
        f"{results['every_call_looks_calls_per_second']:,} calls/s warm (no goal)"
    )


if __name__ == "__main__":
    main()
