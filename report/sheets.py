"""The report's detail sheets: Portfolio (every project), Risk Heat Map, Changes, Since.

Portfolio colours its RAG column by conditional formatting, so the colour stays right
when a value is edited; every coloured cell also shows its label.
"""

from __future__ import annotations

from typing import Any

from openpyxl.formatting.rule import CellIsRule, DataBarRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from report import palette
from report.figures import DECISIONS, LEVELS, Figures, ProjectRow
from report.history import Changes
from report.layout import (
    BOLD,
    BOX,
    CENTER,
    SECTION,
    WRAP,
    fit_height,
    header_row,
    put,
    title,
    widths,
)
from report.strings import Strings

FIRST_ROW = 5  # the Portfolio sheet: title, subtitle, blank, header, then the projects
PORTFOLIO_COLUMNS = [
    "col_project",
    "col_name",
    "col_manager",
    "col_rag",
    "col_progress",
    "col_spi",
    "col_cpi",
    *(f"level_{level}" for level in LEVELS),
    "col_open_risks",
    "col_exposure",
    "col_pending_changes",
    "col_pending_cost",
    "col_pending_days",
    "col_overdue",
    "col_last_sync",
]
PORTFOLIO_WIDTHS = [10, 26, 16, 8, 9, 6, 6, 6, 8, 6, 8, 8, 9, 9, 10, 9, 9, 16]
TOP = Alignment(vertical="top")


def portfolio_header(s: Strings) -> list[str]:
    return [s(key) for key in PORTFOLIO_COLUMNS]


def portfolio_values(project: ProjectRow, s: Strings) -> list[Any]:
    return [
        project.key,
        project.name,
        project.manager,
        s.rag(project.rag),
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


def subtitle(figures: Figures, s: Strings) -> str:
    return s(
        "subtitle",
        generated=s.moment(figures.generated_at),
        synced=s.moment(figures.last_sync),
        as_of=s.date(figures.as_of),
    )


def rag_rules(sheet: Worksheet, cells: str, s: Strings) -> None:
    """RAG by conditional formatting: the colour follows the cell's text, always."""
    for value, swatch in palette.RAG.items():
        rule = CellIsRule(
            operator="equal",
            formula=[f'"{s.rag(value)}"'],
            fill=swatch.pattern(),
            font=swatch.font(bold=True),
        )
        sheet.conditional_formatting.add(cells, rule)


def progress_bars(sheet: Worksheet, cells: str) -> None:
    """Data bars from 0% to 100% behind the progress percentages."""
    rule = DataBarRule(
        start_type="num", start_value=0, end_type="num", end_value=1,
        color=palette.PROGRESS_BAR, showValue=True,
    )  # fmt: skip
    sheet.conditional_formatting.add(cells, rule)


def portfolio(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    title(sheet, s("report_title"), subtitle(figures, s))
    header = portfolio_header(s)
    header_row(sheet, FIRST_ROW - 1, header, numeric=range(4, len(header) - 1))
    sheet.row_dimensions[FIRST_ROW - 1].height = 30
    for offset, level in enumerate(LEVELS, start=8):  # each level's count under its colour
        cell = sheet.cell(FIRST_ROW - 1, offset)
        cell.fill = palette.LEVEL[level].pattern()
        cell.font = palette.LEVEL[level].font(bold=True)
    for r, project in enumerate(figures.projects, start=FIRST_ROW):
        for c, value in enumerate(portfolio_values(project, s), start=1):
            put(sheet, r, c, value).alignment = TOP  # a wrapped name: its row reads level
        sheet.cell(r, 2).alignment = WRAP
        fit_height(sheet, r, project.name, PORTFOLIO_WIDTHS[1])
        sheet.cell(r, 4).alignment = Alignment(horizontal="center", vertical="top")
        sheet.cell(r, 5).number_format = s.percent_format
        sheet.cell(r, 6).number_format = sheet.cell(r, 7).number_format = s.index_format
        sheet.cell(r, 15).number_format = s.integer_format
        sheet.cell(r, 18).number_format = s.datetime_format
    last = FIRST_ROW - 1 + max(1, len(figures.projects))
    if figures.projects:
        ref = f"A{FIRST_ROW - 1}:{get_column_letter(len(header))}{last}"
        table = Table(displayName="Portfolio", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
    rag_rules(sheet, f"D{FIRST_ROW}:D{last}", s)
    progress_bars(sheet, f"E{FIRST_ROW}:E{last}")
    widths(sheet, PORTFOLIO_WIDTHS)
    sheet.freeze_panes = f"B{FIRST_ROW}"


TOP_HEADER_ROW = 12  # the Risk Heat Map sheet: the matrix on rows 3-8, the top ten below
TOP_COLUMNS = ["col_key", "col_project", "col_score", "col_level", "col_owner", "col_status",
               "col_summary"]  # fmt: skip
SUMMARY_COLUMN = 7
SUMMARY_WIDTH = 70


def heat_map(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    """The 5 x 5 matrix, large, each cell in its zone's colour and showing the zone's
    name with the count ("High 3", by number format: the value stays a number); the top
    ten open risks below it, their summaries wrapped."""
    title(sheet, s("heat_title"))
    put(sheet, 3, 1, s("heat_axes")).font = BOLD
    for i in range(5):
        cell = put(sheet, 3, 2 + i, i + 1)
        cell.font, cell.alignment = BOLD, CENTER
    for row in range(5):
        probability = 5 - row
        cell = put(sheet, 4 + row, 1, probability)
        cell.font, cell.alignment = BOLD, CENTER
        sheet.row_dimensions[4 + row].height = 40
        for col in range(5):
            level = palette.level_of(probability * (col + 1))  # the matrix's zones
            swatch = palette.LEVEL[level]
            cell = put(sheet, 4 + row, 2 + col, figures.heat[row][col])
            cell.fill = swatch.pattern()
            cell.font = swatch.font(bold=True, size=12)
            cell.alignment = CENTER
            cell.border = BOX
            cell.number_format = f'"{s.level(level)} "0'
    put(sheet, TOP_HEADER_ROW - 1, 1, s("top_ten")).font = SECTION
    header_row(sheet, TOP_HEADER_ROW, [s(k) for k in TOP_COLUMNS], numeric=[2])
    for r, risk in enumerate(figures.top_risks, start=TOP_HEADER_ROW + 1):
        level = str(risk.get("level") or "")
        values = [
            risk.get("key"),
            risk.get("project"),
            risk.get("score"),
            s.level(level) if level else None,
            risk.get("owner"),
            risk.get("status"),
            risk.get("summary"),
        ]
        for c, value in enumerate(values, start=1):
            put(sheet, r, c, value).alignment = WRAP
        if level in palette.LEVEL:
            cell = sheet.cell(r, 4)
            cell.fill = palette.LEVEL[level].pattern()
            cell.font = palette.LEVEL[level].font(bold=True)
        fit_height(sheet, r, str(risk.get("summary") or ""), SUMMARY_WIDTH)
    widths(sheet, [22, 16, 16, 16, 16, 16, SUMMARY_WIDTH])


def changes_sheet(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    """Two tables on the same columns: numbers right-aligned under right-aligned headers
    of the same width, so every value sits under its header."""
    title(sheet, s("changes_title"))
    names = [s(k) for k in ("col_decision", "col_count", "col_cost", "col_schedule")]
    header_row(sheet, 3, names, numeric=[1, 2, 3])
    sheet.row_dimensions[3].height = 30
    for r, decision in enumerate(DECISIONS, start=4):
        row = figures.changes_by_decision.get(decision, {})
        put(sheet, r, 1, s.decision(decision))
        put(sheet, r, 2, int(row.get("count", 0))).number_format = s.integer_format
        put(sheet, r, 3, row.get("cost", 0.0)).number_format = s.integer_format
        put(sheet, r, 4, row.get("schedule_days", 0.0)).number_format = s.integer_format
    put(sheet, 9, 1, s("total_approved")).font = BOLD
    put(sheet, 9, 3, figures.approved_cost).number_format = s.integer_format
    put(sheet, 9, 4, figures.approved_schedule_days).number_format = s.integer_format
    for c in (3, 4):
        sheet.cell(9, c).font = BOLD
    put(sheet, 11, 1, s("by_month")).font = SECTION
    names = [s("col_month"), *(s.decision(d) for d in DECISIONS), s("col_total")]
    header_row(sheet, 12, names, numeric=range(1, len(names)))
    for r, (month, counts) in enumerate(figures.changes_by_month.items(), start=13):
        put(sheet, r, 1, _month(month, s))
        for c, decision in enumerate(DECISIONS, start=2):
            put(sheet, r, c, counts.get(decision, 0)).number_format = s.integer_format
        total = put(sheet, r, 2 + len(DECISIONS), sum(counts.values()))
        total.number_format, total.font = s.integer_format, BOLD
    widths(sheet, [18, 14, 14, 14, 14, 14])


def _month(month: str, s: Strings) -> str:
    if month == "unknown":
        return s("unknown")
    if s.lang == "zh" and len(month) == 7:
        return f"{month[:4]}年{int(month[5:])}月"
    return month


def since(sheet: Worksheet, changes: Changes, s: Strings) -> None:
    title(sheet, s("since_title"))
    if changes.baseline is None:
        sheet["A2"] = s("since_first")
        return
    sheet["A2"] = s("since_baseline", at=s.moment(changes.baseline))
    sections = [
        (s("since_new"), [[k] for k in changes.new_risks]),
        (s("since_closed"), [[k] for k in changes.closed_risks]),
        (s("since_rag"), [[p, s.rag(was), s.rag(now)] for p, was, now in changes.rag_changes]),
    ]
    row = 4
    for heading, lines in sections:
        put(sheet, row, 1, f"{heading}: {len(lines)}").font = BOLD
        row += 1
        for line in lines:
            for c, value in enumerate(line, start=1):
                put(sheet, row, c, value)
            row += 1
        row += 1
    widths(sheet, [34, 12, 12])
