"""Native Excel charts of the report, every series coloured from the palette.

The Charts sheet (progress and open risks by level per project, open risks per sync
cycle), the Trend and Weekly data sheets behind them, and the weekly trend charts the
executive summary shows (on a real date axis).
"""

from __future__ import annotations

import math

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.series import Series
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.worksheet.worksheet import Worksheet

from report import palette
from report.figures import LEVELS, Figures
from report.layout import header_row, put, title, widths
from report.strings import Strings

CHART_PROJECTS = 25  # charts beyond this many bars become unreadable; the table has all
FIRST_ROW = 5  # the Portfolio sheet's first project row
WEEKLY_COLUMNS = {"open_risks": 2, "exposure": 3, "approved_changes": 4}


def colour(series: Series, rgb: str, *, line: bool = False) -> None:
    """Give a series its palette colour explicitly (never the theme's defaults)."""
    series.graphicalProperties.solidFill = rgb
    series.graphicalProperties.line.solidFill = rgb
    if line:
        series.graphicalProperties.line.width = 28575  # 2.25 pt, in EMU
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.marker.graphicalProperties.solidFill = rgb
        series.marker.graphicalProperties.line.solidFill = rgb
        series.smooth = False


def _step(top: float) -> int:
    """A round gridline step (1, 2, 5, 10, 20, 50...) giving about five gridlines."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if top / step <= 6:
                return step
        scale *= 10


def small_title(text: str, size: int = 11) -> Title:
    """A chart title of ``size`` points (the default is 18: too big on a dashboard)."""
    props = CharacterProperties(sz=size * 100, b=True, solidFill=palette.TEXT)
    run = RegularTextRun(rPr=props, t=text)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[run])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _visible_axes(chart: BarChart | LineChart) -> None:
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def charts_sheet(sheet: Worksheet, portfolio: Worksheet, trend: Worksheet, figures: Figures,
                 s: Strings) -> None:  # fmt: skip
    title(sheet, s("sheet_charts"))
    shown = min(len(figures.projects), CHART_PROJECTS)
    if len(figures.projects) > shown:
        sheet["A2"] = s("charts_first", shown=shown, total=len(figures.projects))
    if shown:
        last = FIRST_ROW - 1 + shown
        cats = Reference(portfolio, min_col=1, min_row=FIRST_ROW, max_row=last)
        progress = BarChart()
        progress.type = "bar"
        progress.title = small_title(s("chart_progress"), 13)
        progress.y_axis.title = s("axis_done")
        progress.y_axis.number_format = "0%"
        progress.y_axis.scaling.min, progress.y_axis.scaling.max = 0, 1
        progress.add_data(
            Reference(portfolio, min_col=5, min_row=FIRST_ROW - 1, max_row=last),
            titles_from_data=True,
        )
        progress.set_categories(cats)
        colour(progress.series[0], palette.SERIES["progress"])
        progress.legend = None
        progress.height, progress.width = 9, 16
        _visible_axes(progress)
        sheet.add_chart(progress, "A4")
        levels = BarChart()
        levels.type = "col"
        levels.grouping = "stacked"
        levels.overlap = 100
        levels.title = small_title(s("chart_levels"), 13)
        levels.add_data(
            Reference(portfolio, min_col=8, max_col=11, min_row=FIRST_ROW - 1, max_row=last),
            titles_from_data=True,
        )
        levels.set_categories(cats)
        for series, level in zip(levels.series, LEVELS, strict=True):
            colour(series, palette.LEVEL[level].fill)
        levels.height, levels.width = 9, 16
        _visible_axes(levels)
        sheet.add_chart(levels, "K4")
    _trend_data(trend, figures, s)
    if figures.trend:
        n = len(figures.trend)
        line = LineChart()
        line.title = small_title(s("chart_trend"), 13)
        line.add_data(Reference(trend, min_col=2, min_row=1, max_row=1 + n), titles_from_data=True)
        line.set_categories(Reference(trend, min_col=1, min_row=2, max_row=1 + n))
        colour(line.series[0], palette.SERIES["open_risks"], line=True)
        line.legend = None
        line.height, line.width = 9, 16
        _visible_axes(line)
        sheet.add_chart(line, "A24")


def _trend_data(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    header_row(sheet, 1, [s("col_cycle"), s("col_open_risks")], numeric=[1])
    for r, (moment, count) in enumerate(figures.trend, start=2):
        put(sheet, r, 1, moment).number_format = s.datetime_format
        put(sheet, r, 2, count)
    widths(sheet, [22, 14])


def weekly_data(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    """The points of the weekly trend charts (``figures.weekly``), one row a period."""
    names = [s("col_week_end"), s("col_open_risks"), s("col_exposure"), s("col_approved")]
    header_row(sheet, 1, names, numeric=[1, 2, 3])
    for r, point in enumerate(figures.weekly, start=2):
        put(sheet, r, 1, point.period_end).number_format = s.date_format
        put(sheet, r, 2, point.open_risks)
        put(sheet, r, 3, point.exposure)
        put(sheet, r, 4, point.approved_changes)
    widths(sheet, [18, 14, 14, 16])


def weekly_chart(data: Worksheet, values: list[int], field: str, chart_title: str,
                 *, bars: bool = False) -> BarChart | LineChart:  # fmt: skip
    """One weekly series (``values``, rows 2.. of ``data``) on a date axis (yyyy-mm-dd,
    a label a week or every few weeks), coloured from the palette."""
    chart: BarChart | LineChart = BarChart() if bars else LineChart()
    if isinstance(chart, BarChart):
        chart.type = "col"
        chart.gapWidth = 20
    points = len(values)
    chart.title = small_title(chart_title)
    column = WEEKLY_COLUMNS[field]
    chart.add_data(
        Reference(data, min_col=column, min_row=1, max_row=1 + points), titles_from_data=True
    )
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=1 + points))
    chart.x_axis = DateAxis(crossAx=100)
    chart.x_axis.number_format = "yyyy-mm-dd"
    chart.x_axis.majorTimeUnit = "days"
    chart.x_axis.baseTimeUnit = "days"
    chart.x_axis.majorUnit = 7 * max(1, math.ceil(points / 10))
    chart.y_axis.crossAx = 500
    chart.y_axis.scaling.min = 0
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.majorUnit = _step(max(values, default=0))
    colour(chart.series[0], palette.SERIES[field], line=not bars)
    chart.legend = None
    _visible_axes(chart)
    return chart
