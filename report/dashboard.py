"""The "PMO Dashboard" sheet: the portfolio table refreshed inside a PMO's own workbook.

Written through the lossless writer's owned-sheet replacement, so every other sheet,
chart and format of that workbook stays byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

from connectors.excel import Fingerprint, replace_owned_sheet
from report.figures import LEVELS, Figures
from report.workbook import PORTFOLIO_HEADER

SHEET = "PMO Dashboard"


def refresh_dashboard(path: Path, figures: Figures, keep_backups: int = 10) -> int:
    """Replace the dashboard sheet; bytes written (0 when nothing changed)."""
    rows = [
        [
            p.key,
            p.name,
            p.manager,
            p.rag,
            p.progress,
            p.spi,
            p.cpi,
            *(p.open_risks[level] for level in LEVELS),
            p.open_risk_total,
            p.exposure,
            p.pending_changes,
            p.pending_cost,
            p.pending_schedule_days,
            p.overdue,
            p.last_sync,
        ]
        for p in figures.projects
    ]
    result = replace_owned_sheet(
        path,
        SHEET,
        PORTFOLIO_HEADER,
        rows,
        fingerprint=Fingerprint.of_file(path),
        keep_backups=keep_backups,
    )
    return result.bytes_written
