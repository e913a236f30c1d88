"""Runs the sync benchmark harness at N=100 so it cannot rot (no timing asserts)."""

from __future__ import annotations

from pathlib import Path


def test_sync_bench_harness_runs(tmp_path: Path, bench_module) -> None:
    results = bench_module("sync_bench").run([100], out_dir=tmp_path, reps=1)
    (row,) = results["sizes"]
    assert row["initial"]["records"] > 0 and row["initial"]["errors"] == 0
    assert sum(row["noop"]["requests"].values()) <= 2  # the no-op budget holds
    assert row["noop"]["changes"] == {} and not row["noop"]["workbook_rewritten"]
    assert row["one_percent"]["errors"] == 0
    assert (tmp_path / "sync_bench.json").exists()
