"""Runs the benchmark harness on a tiny workbook so it cannot rot (no timing asserts)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _bench_module():
    """bench/ is not an installed package: load excel_bench.py from the repo by path."""
    spec = importlib.util.spec_from_file_location(
        "bench.excel_bench", REPO_ROOT / "bench" / "excel_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench.excel_bench", module)
    spec.loader.exec_module(module)
    return module


def test_bench_harness_runs(tmp_path: Path) -> None:
    bench = _bench_module()
    results = bench.run(rows=100, reps=1, out_dir=tmp_path)
    assert results["cells_written"] == 20  # 1% of 100 x 20
    assert results["fidelity"]["only_expected_parts_changed"]
    assert results["fidelity"]["other_parts_byte_identical"]
    assert results["fidelity"]["only_written_cells_changed"]
    saved = json.loads(Path(results["output_file"]).read_text())
    assert saved["rows"] == 100
    assert "speed-up" in bench.report(results)
