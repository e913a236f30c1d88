"""The compliance benchmark harness runs (a small portfolio; no timing is asserted)."""

from __future__ import annotations


def test_compliance_bench_harness_runs(bench_module, tmp_path):
    results = bench_module("compliance_bench").run(items=700, reps=1, out_dir=tmp_path)
    assert results["items"] == 700 and results["rules"] == 13
    assert 0 < results["breaches"] < results["checks"]
    assert (tmp_path / "compliance_bench.json").exists()
