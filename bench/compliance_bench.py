"""Benchmark of a compliance audit: the built-in PMO pack over a large portfolio.

A state store holding N synced items (risks, change requests, RAID issues, actions,
dependencies, work items over 50 projects, plus the projects) is built with the real
store API; then ``audit_store`` runs the built-in pack over it, as every cycle does.
Reported: the whole audit (reading the store included) and the evaluation alone, as
seconds and checks per second, beside the goal (evaluating the pack over 100,000 items in
under 3 s; reading the store, which the report shares, is shown apart),
and the evaluator's cost relative to the same rules written as Python functions (the
floor no safe expression language can beat), measured in the same run.

    python -m bench.compliance_bench [--items 100000] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from compliance.audit import audit, audit_store
from compliance.policy import load_policy
from mappings.model import build_record
from sync.store import StateStore

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PROJECTS = [f"P{n:02d}" for n in range(50)]
KINDS = ("risk", "risk", "change_request", "raid_issue", "action", "dependency", "work_item")
GOAL_SECONDS = 3.0
TODAY = date(2026, 12, 4)


def _values(kind: str, n: int, rng: random.Random) -> dict[str, Any]:
    project = PROJECTS[n % len(PROJECTS)]
    values: dict[str, Any] = {"key": f"{project}-{n + 1}", "project": project, "summary": "x"}
    maybe = lambda v: v if rng.random() < 0.8 else None  # noqa: E731 - some fields left empty
    due = TODAY + timedelta(days=rng.randint(-30, 60))
    if kind == "risk":
        values |= {
            "probability": rng.randint(1, 5),
            "impact": rng.randint(1, 5),
            "status": rng.choice(["open", "mitigating", "closed"]),
            "owner": maybe("alice@example.com"),
            "mitigation": maybe("plan"),
            "response": maybe("mitigate"),
            "next_review": maybe(due),
        }
    elif kind == "change_request":
        values |= {
            "status": rng.choice(["submitted", "under_review", "approved", "rejected"]),
            "cost_impact": maybe(rng.randint(0, 50_000)),
            "schedule_impact_days": maybe(rng.randint(0, 30)),
            "decision_date": maybe(due),
            "board_ref": maybe("CB-1"),
        }
    elif kind == "work_item":
        values |= {
            "status": rng.choice(["todo", "in_progress", "done"]),
            "start_date": maybe(due),
            "due_date": maybe(due),
        }
    else:
        values |= {
            "status": rng.choice(["todo", "done"]),
            "owner": maybe("bob"),
            "due_date": maybe(due),
        }
    return values


def build_store(path: Path, items: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    records: dict[str, list[dict[str, Any]]] = {}
    for n in range(items):
        kind = KINDS[n % len(KINDS)]
        record = build_record(kind, _values(kind, n, rng), source="bench").model_dump()
        record["sync_id"] = str(record["sync_id"])
        records.setdefault(kind, []).append(record)
    projects = [
        build_record(
            "project", {"key": p, "name": p, "manager": maybe_manager}, source="bench"
        ).model_dump()
        for p, maybe_manager in zip(PROJECTS, ["Priya", None] * 25, strict=True)
    ]
    for record in projects:
        record["sync_id"] = str(record["sync_id"])
    records["project"] = projects
    with StateStore(path) as store, store.transaction():
        for kind, found in records.items():
            store.save_items("bench", kind, found)


def _python_floor(items: dict[str, list[dict[str, Any]]]) -> float:
    """Three of the pack's rules as plain Python over the same items: the floor."""
    started = time.perf_counter()
    breaches = 0
    for risk in items["risk"]:
        if risk["status"] != "closed":
            breaches += not risk.get("owner")
            if risk.get("level") in ("high", "critical"):
                breaches += not (risk.get("mitigation") and risk.get("response"))
            if risk.get("next_review") is not None:
                breaches += risk["next_review"] < TODAY
    return time.perf_counter() - started


def run(items: int = 100_000, reps: int = 3, out_dir: Path = RESULTS_DIR) -> dict[str, Any]:
    policy = load_policy()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.db"
        build_store(path, items)
        whole, evaluation, floors, subset, reads = [], [], [], [], []
        risk_rules = type(policy)(policy.source, tuple(r for r in policy.rules if r.id in (
            "risk-owner", "risk-high-mitigated", "risk-review-current")))  # fmt: skip
        with StateStore(path, read_only=True) as store:
            for _ in range(reps):
                started = time.perf_counter()
                loaded = {e: store.items(e) for e in policy.entities}
                reads.append(time.perf_counter() - started)
                started = time.perf_counter()
                result = audit_store(store, policy, today=TODAY)
                whole.append(time.perf_counter() - started)
                started = time.perf_counter()
                audit(loaded, policy, today=TODAY)
                evaluation.append(time.perf_counter() - started)
                started = time.perf_counter()
                audit({"risk": loaded["risk"]}, risk_rules, today=TODAY)
                subset.append(time.perf_counter() - started)
                floors.append(_python_floor(loaded))
    checks = sum(p.checks for p in result.projects.values())
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "items": items,
        "rules": len(policy.rules),
        "checks": checks,
        "breaches": len(result.breaches),
        "audit_s": round(statistics.median(whole), 3),
        "evaluation_s": round(statistics.median(evaluation), 3),
        "store_read_s": round(statistics.median(reads), 3),
        "checks_per_second": round(checks / statistics.median(evaluation)),
        "goal_s": GOAL_SECONDS,
        "risk_rules_vs_python": round(statistics.median(subset) / statistics.median(floors), 1),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "compliance_bench.json").write_text(json.dumps(results, indent=2))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    r = run(args.items, args.reps)
    print(f"machine: {r['machine']['platform']}, Python {r['machine']['python']}")
    print(
        f"built-in pack ({r['rules']} rules) over {r['items']:,} items: {r['checks']:,} checks, "
        f"{r['breaches']:,} breaches"
    )
    print(
        f"evaluation: {r['evaluation_s']} s = {r['checks_per_second']:,} checks/s   "
        f"(goal: under {r['goal_s']} s)"
    )
    print(
        f"whole audit as a cycle runs it: {r['audit_s']} s, of which reading the store's "
        f"{r['items']:,} items {r['store_read_s']} s (the same read the report makes)"
    )
    print(
        f"the three risk rules, evaluator / plain Python: {r['risk_rules_vs_python']}x   "
        "(the price of a safe language; no goal)"
    )


if __name__ == "__main__":
    main()
