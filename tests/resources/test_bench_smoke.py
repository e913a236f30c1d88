"""The resources benchmark harness runs (a tiny portfolio; no timing is asserted)."""

from __future__ import annotations

import json


def test_resources_bench_harness_runs(bench_module, tmp_path):
    bench = bench_module("resources_bench")
    results = bench.run(people=12, weeks=6, items=300, reps=1, out_dir=tmp_path)
    assert (results["people"], results["weeks"], results["items"]) == (12, 6, 300)
    assert results["hours"] > 0 and results["total_s"] >= results["demand_s"] >= 0
    assert 0 < results["unestimated"] < 300
    assert json.loads((tmp_path / "resources_bench.json").read_text())["goal_s"] == 1.0
    # every estimated hour of the generated work is accounted for
    work = bench.build(12, 6, 300)["work"]
    assert results["hours"] == round(sum(w.hours for w in work if w.hours is not None), 1)
