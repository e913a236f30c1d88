"""The Compliance sheet: the PMO policy checked over the synced portfolio, per project.

    rows 1-2    title; the policy, when it was checked, how a score is rated
    row 4..     per project (and the whole portfolio): the score (a percentage, coloured
                Green from 90%, Amber from 70%, Red below, its rating written beside it:
                colour is never the only signal), checks, passed, breaches by severity
    then        the score trend: per project (the first ``CHART_PROJECTS``) a small line
                chart of the last kept audit of each week, on a date axis; a note in its
                place while a project has audits in fewer than two weeks
    then        every breach: project, item, summary, rule, severity, why, whom to tell
                (wrapped; an Excel table, so it filters and sorts)

The scores and breaches are the audit the report computed fresh (``AuditResult``); the
trend is the audits the store kept (``StateStore.audits()``: one is recorded after every
sync and daemon cycle). The weekly points behind the charts sit in columns J-L, outside
the print area.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from openpyxl.chart import LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from compliance.audit import AuditResult, Breach
from report import palette
from report.charts import colour, small_title
from report.layout import (
    BOLD,
    BOX,
    SECTION,
    SUBTITLE,
    WRAP,
    fit_height,
    font,
    header_row,
    put,
    title,
    widths,
)
from report.strings import Strings
from report.trends import period_end
from sync.store_audits import AuditRow

SEVERITIES = ("error", "warning", "info")
GREEN_FROM, AMBER_FROM = 0.9, 0.7
SEVERITY_SWATCH = {
    "error": palette.RAG["Red"],
    "warning": palette.RAG["Amber"],
    "info": palette.NOTE,
}
SCORE_HEADER_ROW = 5  # the per-project table: its header; the projects below it
SCORE_COLUMNS = ["col_project", "col_compliance", "col_rating", "col_checks", "col_passed",
                 "col_errors", "col_warnings", "col_info"]  # fmt: skip
BREACH_COLUMNS = ["col_project", "col_key", "col_summary", "col_rule", "col_severity",
                  "col_why", "col_tell"]  # fmt: skip
#        A   B   C   D   E   F   G   H
WIDTHS = [16, 12, 36, 24, 12, 44, 18, 10]
SUMMARY_WIDTH, WHY_WIDTH = WIDTHS[2], WIDTHS[5]
LAST_COLUMN = "H"
DATA_COLUMN = 10  # J: the weekly points behind the charts (project, week ending, score)
DATA_WIDTHS = [16, 14, 10]
CHART_PROJECTS = 8  # two charts a row, four rows
CHART_ROWS = 14  # a chart's height in rows (15 pt each: about 7.4 cm)
CHART_SPANS = ((1, 5), (6, 8))  # columns A-E and F-H: about half the page width each
GAP = 76200  # EMU: 0.2 cm between two charts side by side


@dataclass
class Compliance:
    """What the Compliance sheet shows: the fresh audit and the kept ones."""

    result: AuditResult
    policy: str  # where the policy came from (a path, or builtin:pmo)
    history: list[AuditRow] = field(default_factory=list)  # oldest first


def rating(score: float | None) -> str | None:
    """Green (90% or more), Amber (70% or more), Red (below); None: nothing checked."""
    if score is None:
        return None
    if score >= GREEN_FROM:
        return "Green"
    return "Amber" if score >= AMBER_FROM else "Red"


def counts(breaches: Iterable[Breach]) -> dict[str, int]:
    found = dict.fromkeys(SEVERITIES, 0)
    for b in breaches:
        found[b.severity] = found.get(b.severity, 0) + 1
    return found


def portfolio_score(result: AuditResult) -> float | None:
    """All projects' passed checks over all their checks (None: nothing checked)."""
    checks = sum(p.checks for p in result.projects.values())
    return None if checks == 0 else sum(p.passed for p in result.projects.values()) / checks


def weekly_scores(
    history: Iterable[AuditRow], tz: tzinfo | None = None
) -> dict[str, list[tuple[date, float]]]:
    """Per project, the score of its last kept audit of each week (the week's Sunday in
    local time, as the dashboard's trends), oldest first; an audit with nothing to
    check gives no point."""
    last: dict[str, dict[date, AuditRow]] = {}
    for row in sorted(history, key=lambda r: _aware(r.at)):
        last.setdefault(row.project, {})[period_end(_aware(row.at), "week", tz)] = row
    return {
        project: [(end, row.score) for end, row in sorted(weeks.items()) if row.score is not None]
        for project, weeks in last.items()
    }


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def compliance_sheet(sheet: Worksheet, data: Compliance, s: Strings, as_of: date) -> None:
    result = data.result
    checked = _aware(result.at).astimezone().replace(tzinfo=None, microsecond=0)
    title(sheet, s("compliance_title"))
    note = put(sheet, 2, 1, s("compliance_subtitle", policy=data.policy, at=s.moment(checked),
                              as_of=s.date(as_of)))  # fmt: skip
    note.font, note.alignment = SUBTITLE, Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(f"A2:{LAST_COLUMN}2")
    sheet.row_dimensions[2].height = 30
    widths(sheet, WIDTHS)
    row = _scores(sheet, result, s)
    row = _trend(sheet, data, s, row + 2)
    last = _breaches(sheet, result, s, row + 1)
    sheet.print_area = f"A1:{LAST_COLUMN}{last}"


def _swatch(cell_: object, swatch: palette.Swatch) -> None:
    cell_.fill = swatch.pattern()  # type: ignore[attr-defined]
    cell_.font = swatch.font(bold=True)  # type: ignore[attr-defined]


def _score_row(sheet: Worksheet, r: int, label: str, score: float | None, checks: int,
               passed: int, severities: dict[str, int], s: Strings) -> None:  # fmt: skip
    rated = rating(score)
    values = [label, score, s.rag(rated) if rated else s("nothing_checked"), checks, passed,
              *(severities[k] for k in SEVERITIES)]  # fmt: skip
    for c, value in enumerate(values, start=1):
        put(sheet, r, c, value).border = BOX
    sheet.cell(r, 2).number_format = s.percent_format
    for c in range(4, 9):
        sheet.cell(r, c).number_format = s.integer_format
    if rated is None:
        sheet.cell(r, 3).font = font(italic=True, color=palette.MUTED)
        return
    for c in (2, 3):
        _swatch(sheet.cell(r, c), palette.RAG[rated])
    sheet.cell(r, 3).alignment = Alignment(horizontal="center")


def _scores(sheet: Worksheet, result: AuditResult, s: Strings) -> int:
    """The per-project table and its total; returns its last row."""
    put(sheet, SCORE_HEADER_ROW - 1, 1, s("section_scores")).font = SECTION
    header_row(sheet, SCORE_HEADER_ROW, [s(k) for k in SCORE_COLUMNS], numeric=[1, 3, 4, 5, 6, 7])
    sheet.cell(SCORE_HEADER_ROW, 3).alignment = Alignment(horizontal="center", vertical="bottom")
    r = SCORE_HEADER_ROW
    for r, key in enumerate(sorted(result.projects), start=SCORE_HEADER_ROW + 1):
        p = result.projects[key]
        _score_row(sheet, r, key, p.score, p.checks, p.passed, counts(result.breaches_of(key)), s)
    if not result.projects:
        put(sheet, SCORE_HEADER_ROW + 1, 1, s("no_checked_projects")).font = SUBTITLE
        return SCORE_HEADER_ROW + 1
    r += 1
    total = result.projects.values()
    _score_row(sheet, r, s("compliance_total"), portfolio_score(result),
               sum(p.checks for p in total), sum(p.passed for p in total),
               counts(result.breaches), s)  # fmt: skip
    for c in (1, 4, 5, 6, 7, 8):
        sheet.cell(r, c).font = BOLD
    return r


def _trend(sheet: Worksheet, data: Compliance, s: Strings, top: int) -> int:
    """The weekly score charts (or notes); returns the last row they take."""
    put(sheet, top, 1, s("section_compliance_trend")).font = SECTION
    projects = sorted(data.result.projects)
    points = weekly_scores(data.history)
    spans = _trend_data(sheet, projects, points, s)
    shown = projects[:CHART_PROJECTS]
    row = top + 1
    if len(projects) > len(shown):
        columns = f"{get_column_letter(DATA_COLUMN)}–{get_column_letter(DATA_COLUMN + 2)}"
        more = s("compliance_charts_first", shown=len(shown), total=len(projects),
                 columns=columns)  # fmt: skip
        put(sheet, row, 1, more).font = font(italic=True, size=10, color=palette.MUTED)
        row += 1
    if not any(len(points.get(p, [])) >= 2 for p in shown):
        _note(sheet, row, row + 3, 1, 8, s("compliance_trend_none"))
        return row + 3
    for n, project in enumerate(shown):
        first = row + (n // 2) * (CHART_ROWS + 1)
        start, end = CHART_SPANS[n % 2]
        span = spans.get(project)
        if span is None or span[1] - span[0] < 1:
            _note(sheet, first, first + CHART_ROWS - 1, start, end,
                  s("compliance_trend_project", project=project))  # fmt: skip
            continue
        chart = _chart(sheet, span, s("chart_compliance", project=project), s)
        chart.anchor = TwoCellAnchor(
            _from=AnchorMarker(col=start - 1, colOff=GAP if start > 1 else 0, row=first - 1),
            to=AnchorMarker(col=end, row=first - 1 + CHART_ROWS),
        )
        sheet.add_chart(chart)
    return row + ((len(shown) + 1) // 2) * (CHART_ROWS + 1) - 1


def _trend_data(sheet: Worksheet, projects: Sequence[str],
                points: dict[str, list[tuple[date, float]]],
                s: Strings) -> dict[str, tuple[int, int]]:  # fmt: skip
    """Columns J-L from row 5: one row per project and week; returns each project's
    first and last row."""
    header_row(sheet, SCORE_HEADER_ROW, [s("col_project"), s("col_week_end"),
               s("col_compliance")], start=DATA_COLUMN, numeric=[2])  # fmt: skip
    widths(sheet, DATA_WIDTHS, start=DATA_COLUMN)
    row, spans = SCORE_HEADER_ROW + 1, {}
    for project in projects:
        weeks = points.get(project, [])
        if not weeks:
            continue
        spans[project] = (row, row + len(weeks) - 1)
        for end, score in weeks:
            put(sheet, row, DATA_COLUMN, project)
            put(sheet, row, DATA_COLUMN + 1, end).number_format = s.date_format
            put(sheet, row, DATA_COLUMN + 2, score).number_format = s.percent_format
            row += 1
    return spans


def _chart(sheet: Worksheet, span: tuple[int, int], chart_title: str, s: Strings) -> LineChart:
    """One project's weekly scores on a date axis, 0-100%."""
    first, last = span
    chart = LineChart()
    chart.title = small_title(chart_title, 10)
    chart.add_data(Reference(sheet, min_col=DATA_COLUMN + 2, min_row=first, max_row=last))
    chart.set_categories(Reference(sheet, min_col=DATA_COLUMN + 1, min_row=first, max_row=last))
    chart.x_axis = DateAxis(crossAx=100)
    chart.x_axis.number_format = "yyyy-mm-dd" if s.lang == "en" else s.date_format
    chart.x_axis.majorTimeUnit = "days"
    chart.x_axis.baseTimeUnit = "days"
    chart.x_axis.majorUnit = 7 * max(1, -(-(last - first + 1) // 6))
    chart.y_axis.crossAx = 500
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.majorUnit = 0.25
    chart.y_axis.number_format = "0%"
    colour(chart.series[0], palette.HEADER.fill, line=True)
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def _note(sheet: Worksheet, top: int, bottom: int, first: int, last: int, text: str) -> None:
    """A grey box in place of a chart, as the dashboard's trend notes."""
    cell = put(sheet, top, first, text)
    cell.font = font(size=10, color=palette.NOTE.text)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in range(top, bottom + 1):
        for c in range(first, last + 1):
            sheet.cell(r, c).fill = palette.NOTE.pattern()
    sheet.merge_cells(f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}")


def _breaches(sheet: Worksheet, result: AuditResult, s: Strings, top: int) -> int:
    """Every breach, wrapped; returns the last row."""
    put(sheet, top, 1, s("section_breaches", count=len(result.breaches))).font = SECTION
    if not result.breaches:
        put(sheet, top + 1, 1, s("no_breaches")).font = SUBTITLE
        return top + 1
    header = top + 1
    header_row(sheet, header, [s(k) for k in BREACH_COLUMNS])
    for r, b in enumerate(result.breaches, start=header + 1):
        values = [b.project, b.key, b.summary, b.rule, s.severity(b.severity), b.why, b.who]
        for c, value in enumerate(values, start=1):
            put(sheet, r, c, value).alignment = WRAP
        swatch = SEVERITY_SWATCH.get(b.severity)
        if swatch is not None:
            _swatch(sheet.cell(r, 5), swatch)
        fit_height(sheet, r, b.summary, SUMMARY_WIDTH)
        fit_height(sheet, r, b.why, WHY_WIDTH)
        fit_height(sheet, r, b.rule, WIDTHS[3])
    last = header + len(result.breaches)
    table = Table(displayName="Breaches", ref=f"A{header}:G{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    sheet.print_title_rows = f"{header}:{header}"
    return last
