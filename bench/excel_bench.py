"""Benchmark of the Excel connector against openpyxl (not a timed test).

Read: 10,000 rows x 20 columns via read_tracker, against openpyxl full load + iterate,
openpyxl read-only, python-calamine and the bare streaming parse. Write: 1% of the
cells via apply_patch, against openpyxl load + assign + save. Medians of several
repetitions, printed as ratios and written as JSON to bench/results/. The write is
also checked for fidelity (only the edited sheet and workbook.xml change, and in the
sheet only the written cells).

    python -m bench.excel_bench [--rows 10000] [--reps 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from connectors.excel import WorkbookPatch, apply_patch, cell_diff, package_diff, read_tracker
from connectors.excel.refs import column_letter
from connectors.excel.sheetcells import iter_sheet_rows
from connectors.excel.synthetic import HEADERS, build_tracker_workbook

RESULTS_DIR = Path(__file__).resolve().parent / "results"
EXTRA_COLUMNS = 9  # 11 standard tracker columns + 9 = 20 columns
SHEET_PART = "xl/worksheets/sheet1.xml"


def _medians(
    fns: dict[str, Callable[[], Any]], reps: int, setup: Callable[[], Any] | None = None
) -> dict[str, float]:
    """Median seconds per function, running them round-robin so that a slow spell of a
    shared machine hits every contender alike (ratios stay meaningful)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def _value_for(header: str, i: int) -> Any:
    if header in ("Start", "Due"):
        return dt.date(2027, 1, 1) + dt.timedelta(days=i % 300)
    if header == "Done %":
        return (i % 4) / 4 + 0.125
    if header == "Flag":
        return i % 3 == 0
    if header in ("Estimate", "Cost") or (header.startswith("Field") and int(header[6:]) % 2 == 0):
        return 10_000 + i
    return f"updated {i}"


def _patch_cells(rows: int, headers: list[str], seed: int = 7) -> list[tuple[int, int, str, Any]]:
    """1% of the cells, spread over rows and writable columns (not the formula column)."""
    rng = random.Random(seed)
    writable = [(i + 1, h) for i, h in enumerate(headers) if h != "Total"]
    total = rows * len(headers)
    count = max(1, total // 100)
    chosen: set[tuple[int, int]] = set()
    out = []
    while len(out) < count:
        row = 4 + rng.randrange(rows)
        col, header = writable[rng.randrange(len(writable))]
        if (row, col) in chosen:
            continue
        chosen.add((row, col))
        out.append((row, col, header, _value_for(header, len(out))))
    return out


def _read_openpyxl_full(path: Path) -> int:
    wb = openpyxl.load_workbook(path)
    n = sum(1 for row in wb["Tracker"].iter_rows(values_only=True) for _ in row)
    wb.close()
    return n


def _read_openpyxl_readonly(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    n = sum(1 for row in wb["Tracker"].iter_rows(values_only=True) for _ in row)
    wb.close()
    return n


def _read_calamine(path: Path) -> int | None:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tracker").to_python()
    return sum(len(r) for r in rows)


def _read_streaming_only(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        data = zf.read(SHEET_PART)
    return sum(len(cells) for _, cells in iter_sheet_rows(data))


def run(rows: int = 10_000, reps: int = 5, out_dir: Path | None = None) -> dict[str, Any]:
    """Run the benchmark; return (and write) the results."""
    work = Path(tempfile.mkdtemp(prefix="pmo-sync-bench-"))
    try:
        original = build_tracker_workbook(
            work / "bench.xlsx", rows=rows, extra_columns=EXTRA_COLUMNS
        )
        headers = HEADERS + [f"Field {n + 1}" for n in range(EXTRA_COLUMNS)]
        results: dict[str, Any] = {
            "rows": rows,
            "columns": len(headers),
            "reps": reps,
            "file_bytes": original.stat().st_size,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        # -- read ---------------------------------------------------------------------
        data = read_tracker(original, table="Tasks")
        assert len(data.rows) == rows
        five = ["Key", "Status", "Due", "Estimate", "Flag"]
        contenders: dict[str, Callable[[], Any]] = {
            "pmo_sync_read_tracker": lambda: read_tracker(original, table="Tasks"),
            "pmo_sync_read_tracker_5_of_20_columns": lambda: read_tracker(
                original, table="Tasks", columns=five
            ),
            "openpyxl_full_load_iterate": lambda: _read_openpyxl_full(original),
            "openpyxl_read_only_iterate": lambda: _read_openpyxl_readonly(original),
            "lxml_streaming_parse_only": lambda: _read_streaming_only(original),
        }
        if _read_calamine(original) is not None:
            contenders["python_calamine_values_only"] = lambda: _read_calamine(original)
        results["read_seconds"] = _medians(contenders, reps)
        t_ours = results["read_seconds"]["pmo_sync_read_tracker"]
        t_full = results["read_seconds"]["openpyxl_full_load_iterate"]
        t_ro = results["read_seconds"]["openpyxl_read_only_iterate"]
        results["read_speedup_vs_openpyxl_full"] = t_full / t_ours
        results["read_speedup_vs_openpyxl_read_only"] = t_ro / t_ours
        # -- write --------------------------------------------------------------------
        cells = _patch_cells(rows, headers)
        results["cells_written"] = len(cells)
        target = work / "target.xlsx"

        def fresh() -> None:
            shutil.copy(original, target)

        def ours() -> None:
            fp = read_tracker(target, table="Tasks", columns=["Key"]).fingerprint
            patch = WorkbookPatch()
            for row, col, _h, value in cells:
                patch.set_address("Tracker", f"{column_letter(col)}{row}", value)
            apply_patch(target, patch, expected=fp, backup_dir=work / "backups", keep_backups=2)

        def openpyxl_save() -> None:
            wb = openpyxl.load_workbook(target)
            ws = wb["Tracker"]
            for row, col, _h, value in cells:
                ws.cell(row=row, column=col, value=value)
            wb.save(target)

        results["write_seconds"] = _medians(
            {
                "pmo_sync_apply_patch_incl_fingerprint_read": ours,
                "openpyxl_load_assign_save": openpyxl_save,
            },
            reps,
            setup=fresh,
        )
        t_w_ours = results["write_seconds"]["pmo_sync_apply_patch_incl_fingerprint_read"]
        t_w_opx = results["write_seconds"]["openpyxl_load_assign_save"]
        results["write_speedup_vs_openpyxl"] = t_w_opx / t_w_ours
        # -- fidelity of our write ------------------------------------------------------
        fresh()
        ours()
        diff = package_diff(original, target)
        with zipfile.ZipFile(original) as za, zipfile.ZipFile(target) as zb:
            changed_cells = set(cell_diff(za.read(SHEET_PART), zb.read(SHEET_PART)))
        expected_cells = {f"{column_letter(c)}{r}" for r, c, _h, _v in cells}
        allowed = {SHEET_PART, "xl/workbook.xml", "xl/styles.xml"}
        results["fidelity"] = {
            "changed_parts": diff.changed,
            "only_expected_parts_changed": set(diff.changed) <= allowed,
            "other_parts_byte_identical": not diff.added
            and not diff.removed
            and len(diff.raw_identical) + len(diff.changed)
            == len(zipfile.ZipFile(original).namelist()),
            "only_written_cells_changed": changed_cells <= expected_cells,
            "cells_changed": len(changed_cells),
        }
        fresh()
        openpyxl_save()
        opx = package_diff(original, target)
        results["openpyxl_fidelity"] = {"changed_parts": opx.changed, "removed_parts": opx.removed}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out_dir = out_dir or RESULTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_file = out_dir / f"excel_bench-{rows}-{stamp}.json"
    out_file.write_text(json.dumps(results, indent=2, default=str))
    results["output_file"] = str(out_file)
    return results


def report(results: dict[str, Any]) -> str:
    r = results["read_seconds"]
    w = results["write_seconds"]
    lines = [
        f"Excel connector benchmark: {results['rows']} rows x {results['columns']} columns, "
        f"median of {results['reps']}, file {results['file_bytes'] / 1e6:.1f} MB",
        "read:",
        *(f"  {k:<45} {v:8.3f} s" for k, v in r.items() if v is not None),
        f"  speed-up vs openpyxl full load:      {results['read_speedup_vs_openpyxl_full']:.1f}x"
        " (target >= 5x)",
        f"  speed-up vs openpyxl read-only:      "
        f"{results['read_speedup_vs_openpyxl_read_only']:.1f}x",
        f"write ({results['cells_written']} cells = 1%):",
        *(f"  {k:<45} {v:8.3f} s" for k, v in w.items()),
        f"  speed-up vs openpyxl load+save:      {results['write_speedup_vs_openpyxl']:.1f}x"
        " (target >= 3x)",
        f"fidelity: {results['fidelity']}",
        f"openpyxl load+save changed parts: {results['openpyxl_fidelity']}",
        f"results written to {results.get('output_file')}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    print(report(run(rows=args.rows, reps=args.reps, out_dir=args.out)))


if __name__ == "__main__":
    main()
