"""The status report as a workbook leadership would rather look at than read.

Sheets: Portfolio (one row per project, RAG coloured by conditional formatting so it
stays right when a value is edited), Charts (native Excel charts), Risk Heat Map (the
5 x 5 matrix and the top ten risks), Changes (by decision and by month), Since (what
changed since the baseline report) and Trend (the data behind the trend chart).

Text from Jira is written as literal text: anything that looks like a formula gets a
leading apostrophe-style quote prefix, never evaluated (formula injection).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from connectors.excel.newbook import save_new_workbook
from connectors.excel.strings import escape_ooxml
from connectors.excel.values import fit_for_excel, looks_like_formula
from report.figures import DECISIONS, LEVELS, Figures
from report.history import Changes

CHART_PROJECTS = 25  # charts beyond this many bars become unreadable; the table has all
FILLS = {
    "Red": PatternFill("solid", fgColor="F8696B"),
    "Amber": PatternFill("solid", fgColor="FFC000"),
    "Green": PatternFill("solid", fgColor="63BE7B"),
}
LEVEL_FILLS = {
    "low": PatternFill("solid", fgColor="C6EFCE"),
    "medium": PatternFill("solid", fgColor="FFEB9C"),
    "high": PatternFill("solid", fgColor="F4B183"),
    "critical": PatternFill("solid", fgColor="F8696B"),
}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
PORTFOLIO_HEADER = [
    "Project",
    "Name",
    "Manager",
    "RAG",
    "Progress",
    "SPI",
    "CPI",
    "Low",
    "Medium",
    "High",
    "Critical",
    "Open risks",
    "Exposure",
    "Pending changes",
    "Pending cost",
    "Pending days",
    "Overdue",
    "Last sync",
]


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Text is never a formula: a leading '=' (or +, -, @, a leading tab or line break,
    the same test the lossless writer applies) is shown, not evaluated; an empty text is
    an empty cell (openpyxl would write an inline string without text,
    which Excel repairs).

    Text from Jira can hold anything: a control character (openpyxl refuses those), a
    character no workbook can store, text past Excel's cell limit, or text that looks
    like an OOXML escape ("_x0041_", which Excel would show as "A"). openpyxl writes
    text as it is given, so it is given the text already escaped the way the lossless
    writer escapes it (unstorable characters replaced, over-long text cut)."""
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        value, _note = fit_for_excel(value, f"{sheet.title}!{cell.coordinate}")
        value = escape_ooxml(str(value)) if value else None
    cell.value = value
    if isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        cell.quotePrefix = True
    return cell


def _level_of(score: int) -> str:
    if score <= 4:
        return "low"
    if score <= 9:
        return "medium"
    if score <= 15:
        return "high"
    return "critical"


def build(figures: Figures, changes: Changes) -> Workbook:
    book = Workbook()
    portfolio = book.active
    portfolio.title = "Portfolio"
    _portfolio(portfolio, figures)
    _charts(book.create_sheet("Charts"), figures)
    _heat_map(book.create_sheet("Risk Heat Map"), figures)
    _changes(book.create_sheet("Changes"), figures)
    _since(book.create_sheet("Since"), changes)
    for sheet in book.worksheets[1:]:
        _landscape(sheet)
    return book


def write(path: Path, figures: Figures, changes: Changes) -> Path:
    """Write the report atomically (temp file + replace), never half a file."""
    return save_new_workbook(build(figures, changes), path)


def _portfolio(sheet: Worksheet, figures: Figures) -> None:
    sheet["A1"] = "PMO portfolio status"
    sheet["A1"].font = TITLE
    synced = figures.last_sync.strftime("%Y-%m-%d %H:%M") if figures.last_sync else "never"
    sheet["A2"] = (
        f"Generated {figures.generated_at:%Y-%m-%d %H:%M} from the synced portfolio "
        f"(last sync {synced}); overdue as of {figures.as_of.isoformat()}"
    )
    for column, name in enumerate(PORTFOLIO_HEADER, start=1):
        sheet.cell(4, column, name).font = BOLD
    for r, project in enumerate(figures.projects, start=5):
        values = [
            project.key,
            project.name,
            project.manager,
            project.rag,
            project.progress,
            project.spi,
            project.cpi,
            *(project.open_risks[level] for level in LEVELS),
            project.open_risk_total,
            project.exposure,
            project.pending_changes,
            project.pending_cost,
            project.pending_schedule_days,
            project.overdue,
            project.last_sync,
        ]
        for c, value in enumerate(values, start=1):
            _put(sheet, r, c, value)
        sheet.cell(r, 5).number_format = "0%"
        sheet.cell(r, 6).number_format = sheet.cell(r, 7).number_format = "0.00"  # SPI, CPI
        sheet.cell(r, 15).number_format = "#,##0"
        sheet.cell(r, 18).number_format = "yyyy-mm-dd hh:mm"
    last = 4 + max(1, len(figures.projects))
    if figures.projects:
        table = Table(
            displayName="Portfolio", ref=f"A4:{get_column_letter(len(PORTFOLIO_HEADER))}{last}"
        )
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
    # RAG by conditional formatting: the colour follows the cell's text, always.
    for name, fill in FILLS.items():
        sheet.conditional_formatting.add(
            f"D5:D{max(last, 5)}", CellIsRule(operator="equal", formula=[f'"{name}"'], fill=fill)
        )
    widths = [10, 28, 20, 8, 9, 6, 6, 6, 8, 6, 8, 10, 9, 15, 12, 12, 8, 16]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "B5"
    _landscape(sheet)


def _landscape(sheet: Worksheet) -> None:
    """Printed (and PDF) pages: landscape, every column on one page width."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _chart_rows(figures: Figures) -> int:
    return min(len(figures.projects), CHART_PROJECTS)


def _charts(sheet: Worksheet, figures: Figures) -> None:
    sheet["A1"] = "Charts"
    sheet["A1"].font = TITLE
    shown = _chart_rows(figures)
    if len(figures.projects) > shown:
        sheet["A2"] = (
            f"The bar charts show the first {shown} of {len(figures.projects)} projects; "
            "the Portfolio sheet lists them all."
        )
    if shown:
        data = sheet.parent["Portfolio"]
        cats = Reference(data, min_col=1, min_row=5, max_row=4 + shown)
        progress = BarChart()
        progress.type = "bar"
        progress.title = "Progress per project"
        progress.y_axis.title = "done"
        progress.y_axis.number_format = "0%"
        progress.add_data(
            Reference(data, min_col=5, min_row=4, max_row=4 + shown), titles_from_data=True
        )
        progress.set_categories(cats)
        progress.height, progress.width = 9, 16
        sheet.add_chart(progress, "A4")
        levels = BarChart()
        levels.type = "col"
        levels.grouping = "stacked"
        levels.overlap = 100
        levels.title = "Open risks by level per project"
        levels.add_data(
            Reference(data, min_col=8, max_col=11, min_row=4, max_row=4 + shown),
            titles_from_data=True,
        )
        levels.set_categories(cats)
        levels.height, levels.width = 9, 16
        sheet.add_chart(levels, "K4")
    trend = sheet.parent.create_sheet("Trend")
    trend.append(["Cycle finished", "Open risks"])
    for moment, count in figures.trend:
        trend.append([moment, count])
        trend.cell(trend.max_row, 1).number_format = "yyyy-mm-dd hh:mm"
    trend.column_dimensions["A"].width = 18
    if figures.trend:
        line = LineChart()
        line.title = "Open risks over time (one point per sync cycle)"
        line.add_data(
            Reference(trend, min_col=2, min_row=1, max_row=1 + len(figures.trend)),
            titles_from_data=True,
        )
        line.set_categories(Reference(trend, min_col=1, min_row=2, max_row=1 + len(figures.trend)))
        line.height, line.width = 9, 16
        sheet.add_chart(line, "A24")


def _heat_map(sheet: Worksheet, figures: Figures) -> None:
    sheet["A1"] = "Risk heat map: open risks by probability and impact"
    sheet["A1"].font = TITLE
    sheet["A3"] = "Probability \\ Impact"
    sheet["A3"].font = BOLD
    for i in range(5):
        sheet.cell(3, 2 + i, i + 1).font = BOLD
    for row in range(5):
        probability = 5 - row
        sheet.cell(4 + row, 1, probability).font = BOLD
        for col in range(5):
            cell = sheet.cell(4 + row, 2 + col, figures.heat[row][col])
            cell.fill = LEVEL_FILLS[_level_of(probability * (col + 1))]  # the matrix's zones
            cell.alignment = Alignment(horizontal="center")
    sheet["H3"] = "Top 10 open risks by score"
    sheet["H3"].font = BOLD
    header = ["Key", "Project", "Summary", "Score", "Level", "Owner", "Status"]
    for c, name in enumerate(header, start=8):
        sheet.cell(4, c, name).font = BOLD
    for r, risk in enumerate(figures.top_risks, start=5):
        values = [
            risk.get("key"),
            risk.get("project"),
            risk.get("summary"),
            risk.get("score"),
            (risk.get("level") or "").capitalize(),
            risk.get("owner"),
            risk.get("status"),
        ]
        for c, value in enumerate(values, start=8):
            _put(sheet, r, c, value)
    for letter, width in (("A", 20), ("H", 11), ("I", 9), ("J", 48), ("M", 20)):
        sheet.column_dimensions[letter].width = width


def _changes(sheet: Worksheet, figures: Figures) -> None:
    sheet["A1"] = "Change requests"
    sheet["A1"].font = TITLE
    for c, name in enumerate(["Decision", "Count", "Cost impact", "Schedule impact (days)"], 1):
        sheet.cell(3, c, name).font = BOLD
    for r, decision in enumerate(DECISIONS, start=4):
        row = figures.changes_by_decision.get(decision, {})
        sheet.cell(r, 1, decision.capitalize())
        sheet.cell(r, 2, int(row.get("count", 0)))
        sheet.cell(r, 3, row.get("cost", 0.0)).number_format = "#,##0"
        sheet.cell(r, 4, row.get("schedule_days", 0.0))
    sheet["A9"] = "Total approved"
    sheet["A9"].font = BOLD
    sheet["C9"] = figures.approved_cost
    sheet["C9"].number_format = "#,##0"
    sheet["D9"] = figures.approved_schedule_days
    sheet["A11"] = "By month raised"
    sheet["A11"].font = BOLD
    for c, name in enumerate(["Month", *(d.capitalize() for d in DECISIONS)], start=1):
        sheet.cell(12, c, name).font = BOLD
    for r, (month, counts) in enumerate(figures.changes_by_month.items(), start=13):
        sheet.cell(r, 1, month)
        for c, decision in enumerate(DECISIONS, start=2):
            sheet.cell(r, c, counts.get(decision, 0))
    for letter, width in (("A", 16), ("B", 10), ("C", 14), ("D", 22)):
        sheet.column_dimensions[letter].width = width


def _since(sheet: Worksheet, changes: Changes) -> None:
    sheet["A1"] = "What changed since the baseline report"
    sheet["A1"].font = TITLE
    if changes.baseline is None:
        sheet["A2"] = "This is the first report: the next one will compare with it."
        return
    sheet["A2"] = f"Baseline: the report of {changes.baseline:%Y-%m-%d %H:%M}"
    sections = [
        ("New open risks", [[k] for k in changes.new_risks]),
        ("Risks closed (or out of scope)", [[k] for k in changes.closed_risks]),
        ("RAG changes (project, was, now)", [list(c) for c in changes.rag_changes]),
    ]
    row = 4
    for title, lines in sections:
        sheet.cell(row, 1, f"{title}: {len(lines)}").font = BOLD
        row += 1
        for line in lines:
            for c, value in enumerate(line, start=1):
                _put(sheet, row, c, value)
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 34
