"""The "PMO Dashboard" sheet: the portfolio table refreshed inside a PMO's own workbook.

Written through the lossless writer's owned-sheet replacement, so every other sheet,
chart and format of that workbook stays byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

from connectors.excel import Fingerprint, replace_owned_sheet
from report.figures import Figures
from report.sheets import portfolio_values
from report.strings import Strings
from report.workbook import PORTFOLIO_HEADER

SHEET = "PMO Dashboard"


def refresh_dashboard(path: Path, figures: Figures, keep_backups: int = 10) -> int:
    """Replace the dashboard sheet; bytes written (0 when nothing changed)."""
    english = Strings("en")
    rows = [portfolio_values(p, english) for p in figures.projects]
    result = replace_owned_sheet(
        path,
        SHEET,
        PORTFOLIO_HEADER,
        rows,
        fingerprint=Fingerprint.of_file(path),
        keep_backups=keep_backups,
    )
    return result.bytes_written
