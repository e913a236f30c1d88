"""Runs the lookup benchmark on a tiny store so it cannot rot (no timing asserts)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_addin_bench_harness_runs(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "bench.addin_bench", REPO_ROOT / "bench" / "addin_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench.addin_bench", module)
    spec.loader.exec_module(module)
    results = module.run(items=60, calls=200, reps=1, out_dir=tmp_path)
    assert results["calls"] == 200 and results["calls_per_second"] > 0
    assert (tmp_path / "addin_bench.json").exists()
