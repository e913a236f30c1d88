"""Runs the benchmark harness on a tiny workbook so it cannot rot (no timing asserts)."""

from __future__ import annotations

import json
from pathlib import Path


def test_bench_harness_runs(tmp_path: Path, bench_module) -> None:
    bench = bench_module("excel_bench")
    results = bench.run(rows=100, reps=1, out_dir=tmp_path)
    assert results["cells_written"] == 20  # 1% of 100 x 20
    assert results["fidelity"]["only_expected_parts_changed"]
    assert results["fidelity"]["other_parts_byte_identical"]
    assert results["fidelity"]["only_written_cells_changed"]
    saved = json.loads(Path(results["output_file"]).read_text())
    assert saved["rows"] == 100
    assert "speed-up" in bench.report(results)
