"""`pmo-sync report` from the command line, including the PMO Dashboard sheet."""

from __future__ import annotations

import shutil

from openpyxl import load_workbook
from typer.testing import CliRunner

from pmo_sync.cli import app
from report.dashboard import SHEET


def _cells(path, skip):
    book = load_workbook(path)
    return {
        ws.title: {
            c.coordinate: getattr(c.value, "text", c.value)  # array formulas: by their text
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        }
        for ws in book.worksheets
        if ws.title not in skip
    }


def test_report_command_writes_the_report_and_a_dashboard_sheet(synced, real_raid_log, tmp_path):
    target = tmp_path / "pmo-workbook.xlsx"
    shutil.copy2(real_raid_log, target)
    before = _cells(target, set())
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--config",
            str(synced.config),
            "--out",
            str(tmp_path / "status.xlsx"),
            "--into",
            str(target),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "project(s)" in result.output
    assert f"refreshed the '{SHEET}' sheet" in result.output
    dashboard = load_workbook(target)[SHEET]
    keys = [r[0] for r in dashboard.iter_rows(min_row=2, values_only=True)]
    assert keys == ["ALPHA", "BETA"]
    assert _cells(target, {SHEET}) == before  # every other sheet exactly as it was
    bad = CliRunner().invoke(app, ["report", "--config", str(synced.config), "--since", "soon"])
    assert bad.exit_code == 2 and "12h, 7d, 2w" in bad.output
