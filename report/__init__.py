"""`pmo-sync report`: the portfolio status report, from the synced state store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from report import history
from report.figures import Figures, compute
from report.workbook import write
from sync.store import StateStore


@dataclass
class ReportResult:
    path: Path
    figures: Figures
    changes: history.Changes
    pdf: Path | None = None


def generate(
    store: StateStore,
    out: Path,
    *,
    since: timedelta | None = None,
    as_of: date | None = None,
    pdf: bool = False,
    remember: bool = True,
) -> ReportResult:
    """Compute the figures, compare with the baseline report, write the workbook."""
    figures = compute(store, as_of)
    previous = history.baseline(store, since, datetime.now())
    changes = history.changes_since(figures, previous)
    path = write(out, figures, changes)
    result = ReportResult(path, figures, changes)
    if pdf:
        from report.pdf import to_pdf

        result.pdf = to_pdf(path)
    if remember:
        history.remember(store, figures)
    return result
