"""The status report as a workbook leadership would rather look at than read.

Sheets, in order: Executive Summary (one landscape page: KPI tiles, the first projects,
the heat map, top risks and the weekly trends), Portfolio (one row per project), Charts
(native Excel charts), Risk Heat Map (the 5 x 5 matrix and the top ten risks), Changes
(by decision and by month), Compliance (with a policy: the PMO policy's score per
project, its weekly trend and every breach), Resources (with a resource plan in the
store: the utilisation heat map, over-allocated people and their work, planned against
actual per project, unassigned work), Since (what changed since the baseline
report), and the data behind the trend charts (Trend: per sync cycle; Weekly: per week).

Each sheet is laid out in its own module (executive.py; sheets.py; charts.py;
compliance_sheet.py; resources_sheet.py), on the
shared writer and print setup of layout.py, with the colours of palette.py and the
words of strings.py (English or Simplified Chinese).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from connectors.excel.newbook import save_new_workbook
from report import charts, sheets
from report.compliance_sheet import Compliance, compliance_sheet
from report.executive import executive
from report.figures import Figures
from report.history import Changes
from report.layout import print_setup
from report.resources_sheet import Resources, resources_sheet
from report.strings import Strings

CHART_PROJECTS = charts.CHART_PROJECTS
PORTFOLIO_HEADER = sheets.portfolio_header(Strings("en"))  # the PMO Dashboard sheet's too

# Print titles: the header row repeated on every printed page of the long sheets.
TITLE_ROWS = {
    "sheet_portfolio": f"{sheets.FIRST_ROW - 1}:{sheets.FIRST_ROW - 1}",
    "sheet_heat": "4:4",
    "sheet_changes": "12:12",
    "sheet_trend": "1:1",
    "sheet_weekly": "1:1",
    "sheet_resources": "5:5",
}


def build(
    figures: Figures,
    changes: Changes,
    lang: str = "en",
    title: str | None = None,
    compliance: Compliance | None = None,
    resources: Resources | None = None,
) -> Workbook:
    """The report's workbook; with ``compliance`` a Compliance sheet after Changes, with
    ``resources`` a Resources sheet after that."""
    s = Strings(lang, title)
    book = Workbook()
    dashboard = book.active
    dashboard.title = s("sheet_dashboard")
    keys = ["sheet_portfolio", "sheet_charts", "sheet_heat", "sheet_changes", "sheet_since",
            "sheet_trend", "sheet_weekly"]  # fmt: skip
    if compliance is not None:
        keys.insert(keys.index("sheet_changes") + 1, "sheet_compliance")
    if resources is not None:
        keys.insert(keys.index("sheet_since"), "sheet_resources")
    sheet = {key: book.create_sheet(s(key)) for key in keys}
    sheets.portfolio(sheet["sheet_portfolio"], figures, s)
    charts.charts_sheet(
        sheet["sheet_charts"], sheet["sheet_portfolio"], sheet["sheet_trend"], figures, s
    )
    sheets.heat_map(sheet["sheet_heat"], figures, s)
    sheets.changes_sheet(sheet["sheet_changes"], figures, s)
    if compliance is not None:
        compliance_sheet(sheet["sheet_compliance"], compliance, s, figures.as_of)
    if resources is not None:
        resources_sheet(sheet["sheet_resources"], resources, s, figures.as_of)
    sheets.since(sheet["sheet_since"], changes, s)
    charts.weekly_data(sheet["sheet_weekly"], figures, s)
    executive(dashboard, figures, s, sheet["sheet_weekly"])
    as_of = s.date(figures.as_of)
    print_setup(dashboard, s, as_of, one_page=True)
    for key, each in sheet.items():
        print_setup(each, s, as_of, title_rows=TITLE_ROWS.get(key))
    book.active = 0
    return book


def write(
    path: Path,
    figures: Figures,
    changes: Changes,
    lang: str = "en",
    title: str | None = None,
    compliance: Compliance | None = None,
    resources: Resources | None = None,
) -> Path:
    """Write the report atomically (temp file + replace), never half a file."""
    return save_new_workbook(build(figures, changes, lang, title, compliance, resources), path)
