"""`pmo-sync report`: the portfolio status report, from the synced state store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from report import history
from report.figures import Figures, compute
from report.strings import Strings
from report.workbook import write
from sync.store import StateStore


@dataclass
class ReportResult:
    path: Path
    figures: Figures
    changes: history.Changes
    pdf: Path | None = None
    pngs: list[Path] = field(default_factory=list)  # the PDF's pages, in order


def generate(
    store: StateStore,
    out: Path,
    *,
    since: timedelta | None = None,
    as_of: date | None = None,
    pdf: bool = False,
    png: bool = False,
    remember: bool = True,
    lang: str = "en",
    title: str | None = None,
) -> ReportResult:
    """Compute the figures, compare with the baseline report, write the workbook (and
    with ``pdf`` its PDF; with ``png`` the PDF and a PNG per page of it).

    ``lang`` is the language of the report's headings and labels: "en" or "zh"
    (Simplified Chinese); any other raises report.strings.UnknownLanguage first.
    ``title`` is the portfolio's name, for the report's title and page headers.
    """
    Strings(lang)  # an unknown language fails here, before anything is read or written
    figures = compute(store, as_of)
    previous = history.baseline(store, since, figures.generated_at)
    changes = history.changes_since(figures, previous)
    path = write(out, figures, changes, lang, title)
    result = ReportResult(path, figures, changes)
    if pdf or png:
        from report.pdf import pdftoppm, to_pdf, to_png

        if png:
            pdftoppm()  # missing: say so before the slow PDF conversion
        result.pdf = to_pdf(path)
        if png:
            result.pngs = to_png(result.pdf)
    if remember:
        history.remember(store, figures)
    return result
