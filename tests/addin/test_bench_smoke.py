"""Runs the lookup benchmark on a tiny store so it cannot rot (no timing asserts)."""

from __future__ import annotations

from pathlib import Path


def test_addin_bench_harness_runs(tmp_path: Path, bench_module) -> None:
    results = bench_module("addin_bench").run(items=60, calls=200, reps=1, out_dir=tmp_path)
    assert results["calls"] == 200 and results["calls_per_second"] > 0
    assert (tmp_path / "addin_bench.json").exists()
