"""Runs the sync benchmark harness at N=100 so it cannot rot (no timing asserts)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_sync_bench_harness_runs(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "bench.sync_bench", REPO_ROOT / "bench" / "sync_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench.sync_bench", module)
    spec.loader.exec_module(module)
    results = module.run([100], out_dir=tmp_path)
    (row,) = results["sizes"]
    assert row["initial"]["records"] > 0 and row["initial"]["errors"] == 0
    assert sum(row["noop"]["requests"].values()) <= 2  # the no-op budget holds
    assert row["noop"]["changes"] == {} and not row["noop"]["workbook_rewritten"]
    assert row["one_percent"]["errors"] == 0
    assert (tmp_path / "sync_bench.json").exists()
