"""Runs the survey benchmark on a small workbook so it cannot rot (no timing asserts),
and checks that the survey finds every tracker the generator wrote, with all its rows."""

from __future__ import annotations

import json
from pathlib import Path


def test_map_bench_harness_runs_and_finds_every_tracker(tmp_path: Path, bench_module) -> None:
    bench = bench_module("map_bench")
    results = bench.run(sheets=5, rows=1500, reps=1, out_dir=tmp_path)
    for shape in ("spread", "one_big_sheet"):
        found = results["shapes"][shape]
        assert found["trackers_found"] == found["trackers_expected"] == 7
        assert found["data_rows_found"] == 1500
    saved = json.loads(Path(results["output_file"]).read_text())
    assert saved["sheets"] == 5
    assert "trackers found 7/7" in bench.report(results)
