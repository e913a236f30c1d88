"""The executive summary: the report's first sheet, laid out to print on one landscape page.

    rows 1-2    title, when generated, last sync
    rows 4-6    KPI tiles: projects, projects by RAG, open risks by level, exposure,
                pending changes (cost, days), overdue items, SPI and CPI ranges
    rows 8-22   left: the first 12 projects (RAG coloured and labelled, progress bars)
                right: the 5 x 5 heat map (rows 9-19), each cell "count / level"
    rows 21-28  right: the top risks
    rows 30-48  the weekly trends: open risks, exposure, changes approved (date axes);
                a note in their place while there is less than two weeks of history

Every coloured cell carries its label ("Red", "High"): colour is never the only signal.
The tiles' cells are named in ``TILES`` (the tests read them back).
"""

from __future__ import annotations

from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from report import palette
from report.charts import weekly_chart
from report.figures import Figures
from report.layout import BOX, CENTER, SECTION, SUBTITLE, TITLE, font, header_row, put, widths
from report.sheets import progress_bars, subtitle
from report.strings import Strings

TABLE_PROJECTS = 12  # what fits the page beside the heat map; the Portfolio sheet has all
TOP_RISKS = 6
SUMMARY_CHARS = 40  # a top risk's summary, cut to its cells on the page
LABEL_CHARS = 30  # "KEY · project name" in the table's first column
#        A   B  C   D  E  F   G   H   I   J  K   L   M   N   O   P
WIDTHS = [26, 9, 11, 8, 8, 10, 10, 10, 10, 2, 13, 12, 12, 12, 12, 12]
ROW_HEIGHTS = {1: 26, 3: 6, 4: 16, 5: 34, 6: 22, 7: 8, 8: 18, 9: 30, 29: 8, 30: 18}
LAST_COLUMN = "P"
LAST_ROW = 48
TILES = {
    "projects": "A5",
    "rag": {"Red": "C5", "Amber": "D5", "Green": "E5"},
    "risks": {"critical": "F5", "high": "G5", "medium": "H5", "low": "I5"},
    "risks_note": "F6",
    "exposure": "K5",
    "pending": "L5",
    "pending_note": "L6",
    "overdue": "N5",
    "spi": "O5",
    "cpi": "P5",
}
TABLE_HEADER_ROW, HEAT_HEADER_ROW, TOP_HEADER_ROW, TRENDS_ROW = 9, 9, 22, 30
TREND_CHARTS = (  # field, title, anchor column, last column, bars
    ("open_risks", "chart_open_risks", "A", "D", False),
    ("exposure", "chart_exposure", "E", "I", False),
    ("approved_changes", "chart_approved", "K", "P", True),
)
WHITE = Side(style="medium", color="FFFFFF")
GAP = 76200  # EMU: 0.2 cm between two charts side by side
TILE_BORDER = Border(left=WHITE, right=WHITE, top=WHITE, bottom=WHITE)
LABEL = font(size=9, bold=True, color=palette.MUTED)
VALUE = font(size=20, bold=True, color=palette.TEXT)
NOTE = font(size=8, color=palette.MUTED)


def executive(sheet: Worksheet, figures: Figures, s: Strings, weekly: Worksheet) -> None:
    sheet.sheet_view.showGridLines = False
    widths(sheet, WIDTHS)
    for row, height in ROW_HEIGHTS.items():
        sheet.row_dimensions[row].height = height
    heading = s("dashboard_heading", report=s("report_title"), page=s("dashboard_title"))
    put(sheet, 1, 1, heading).font = TITLE
    put(sheet, 2, 1, subtitle(figures, s)).font = SUBTITLE
    _tiles(sheet, figures, s)
    _projects(sheet, figures, s)
    _heat(sheet, figures, s)
    _top_risks(sheet, figures, s)
    _trends(sheet, figures, s, weekly)
    sheet.print_area = f"A1:{LAST_COLUMN}{LAST_ROW}"


def _merge(sheet: Worksheet, cells: str) -> None:
    if ":" in cells and cells.split(":")[0] != cells.split(":")[1]:
        sheet.merge_cells(cells)


def _tile(sheet: Worksheet, first: str, last: str, label: str, value: object,
          note: str = "", number_format: str = "General") -> None:  # fmt: skip
    """Label (row 4), value (row 5), note (row 6), over columns first..last; a tile
    without a value (None) gets one coloured cell per column on row 5 instead."""
    for row in (4, 5, 6):
        for c in range(_col(first), _col(last) + 1):
            cell = sheet.cell(row, c)
            cell.fill, cell.border = palette.TILE.pattern(), TILE_BORDER
        if row != 5 or value is not None:
            _merge(sheet, f"{first}{row}:{last}{row}")
    put(sheet, 4, _col(first), label).font = LABEL
    cell = put(sheet, 5, _col(first), value)
    cell.font, cell.number_format = VALUE, number_format
    cell.alignment = Alignment(horizontal="left", vertical="center", shrink_to_fit=True)
    put(sheet, 6, _col(first), note).font = NOTE
    for row in (4, 6):
        sheet.cell(row, _col(first)).alignment = Alignment(vertical="center", wrap_text=True)


def _col(letter: str) -> int:
    return ord(letter) - ord("A") + 1


def _swatch_cell(sheet: Worksheet, coordinate: str, swatch: palette.Swatch, text: str) -> None:
    cell = put(sheet, sheet[coordinate].row, sheet[coordinate].column, text)
    cell.fill, cell.border = swatch.pattern(), TILE_BORDER
    cell.font = swatch.font(bold=True, size=11)
    cell.alignment = CENTER


def _range(values: list[float | None], s: Strings) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return s("no_value")
    return f"{s.number(min(known), 2)}–{s.number(max(known), 2)}"


def _tiles(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    projects = figures.projects
    _tile(sheet, "A", "B", s("tile_projects"), len(projects),
          s("tile_projects_note", synced=s.moment(figures.last_sync)))  # fmt: skip
    _tile(sheet, "C", "E", s("tile_rag"), None)
    for value, coordinate in TILES["rag"].items():
        count = sum(p.rag == value for p in projects)
        _swatch_cell(sheet, coordinate, palette.RAG[value], f"{s.rag(value)}\n{count}")
    total = sum(p.open_risk_total for p in projects)
    _tile(sheet, "F", "I", s("tile_risks"), None, s("tile_risks_note", count=total))
    for level, coordinate in TILES["risks"].items():
        count = sum(p.open_risks[level] for p in projects)
        _swatch_cell(sheet, coordinate, palette.LEVEL[level], f"{s.level(level)}\n{count}")
    _tile(sheet, "K", "K", s("tile_exposure"), sum(p.exposure for p in projects),
          s("tile_exposure_note"), s.integer_format)  # fmt: skip
    cost = sum(p.pending_cost for p in projects)
    days = sum(p.pending_schedule_days for p in projects)
    _tile(sheet, "L", "M", s("tile_pending"), sum(p.pending_changes for p in projects),
          s("tile_pending_note", cost=s.number(cost), days=s.number(days)))  # fmt: skip
    _tile(sheet, "N", "N", s("tile_overdue"), sum(p.overdue for p in projects),
          s("tile_overdue_note", date=s.date(figures.as_of)))  # fmt: skip
    for column, key, values in (
        ("O", "tile_spi", [p.spi for p in projects]),
        ("P", "tile_cpi", [p.cpi for p in projects]),
    ):
        known = sum(v is not None for v in values)
        note = s("tile_range_note", count=known) if known else s("tile_no_budget")
        _tile(sheet, column, column, s(key), _range(values, s), note)
    for coordinate in ("O5", "P5"):
        sheet[coordinate].font = font(size=13, bold=True, color=palette.TEXT)


def _projects(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    put(sheet, 8, 1, s("section_portfolio")).font = SECTION
    names = [s(k) for k in ("col_project", "col_rag", "col_progress", "col_spi", "col_cpi",
                            "col_open_risks", "col_exposure", "col_pending_changes",
                            "col_overdue")]  # fmt: skip
    header_row(sheet, TABLE_HEADER_ROW, names, numeric=range(2, len(names)))
    first = TABLE_HEADER_ROW + 1
    shown = figures.projects[:TABLE_PROJECTS]
    for r, p in enumerate(shown, start=first):
        label = p.key if not p.name or p.name == p.key else f"{p.key} · {p.name}"
        values = [_cut(label, LABEL_CHARS), s.rag(p.rag), p.progress, p.spi, p.cpi,
                  p.open_risk_total, p.exposure, p.pending_changes, p.overdue]  # fmt: skip
        for c, value in enumerate(values, start=1):
            put(sheet, r, c, value).border = BOX
        swatch = palette.RAG.get(p.rag)
        if swatch is not None:
            _swatch_cell(sheet, f"B{r}", swatch, s.rag(p.rag))
            sheet[f"B{r}"].font = swatch.font(bold=True, size=10)
        sheet.cell(r, 3).number_format = s.percent_format
        sheet.cell(r, 4).number_format = sheet.cell(r, 5).number_format = s.index_format
        sheet.cell(r, 7).number_format = s.integer_format
    if shown:
        progress_bars(sheet, f"C{first}:C{first + len(shown) - 1}")
    else:
        put(sheet, first, 1, s("no_projects")).font = SUBTITLE
    more = len(figures.projects) - len(shown)
    if more > 0:
        cell = put(sheet, first + TABLE_PROJECTS, 1,
                   s("more_projects", count=more, sheet=s("sheet_portfolio")))  # fmt: skip
        cell.font = font(italic=True, size=10, color=palette.MUTED)


def _heat(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    """Rows 10-19: each probability two rows tall, so the cells are large squares."""
    put(sheet, 8, 11, s("section_heat")).font = SECTION
    corner = put(sheet, HEAT_HEADER_ROW, 11, s("heat_corner"))
    corner.font, corner.alignment = font(size=8, bold=True, color=palette.MUTED), CENTER
    header_row(sheet, HEAT_HEADER_ROW, [str(i) for i in range(1, 6)], start=12)
    for c in range(12, 17):
        sheet.cell(HEAT_HEADER_ROW, c).alignment = CENTER
    for row in range(5):
        probability, top = 5 - row, HEAT_HEADER_ROW + 1 + 2 * row
        cell = put(sheet, top, 11, probability)
        cell.font = palette.HEADER.font(bold=True)
        cell.fill, cell.alignment = palette.HEADER.pattern(), CENTER
        _merge(sheet, f"K{top}:K{top + 1}")
        for col in range(5):
            level = palette.level_of(probability * (col + 1))
            swatch, letter = palette.LEVEL[level], get_column_letter(12 + col)
            count = figures.heat[row][col]
            cell = put(sheet, top, 12 + col, f"{count}\n{s.level(level)}")
            cell.fill, cell.border, cell.alignment = swatch.pattern(), BOX, CENTER
            cell.font = swatch.font(bold=count > 0, size=12 if count else 9)
            sheet.cell(top + 1, 12 + col).fill = swatch.pattern()
            _merge(sheet, f"{letter}{top}:{letter}{top + 1}")


def _top_risks(sheet: Worksheet, figures: Figures, s: Strings) -> None:
    put(sheet, TOP_HEADER_ROW - 1, 11, s("section_top")).font = SECTION
    names = [s("col_key"), s("col_summary"), "", "", s("col_score"), s("col_level")]
    header_row(sheet, TOP_HEADER_ROW, names, start=11, numeric=[4])
    _merge(sheet, f"L{TOP_HEADER_ROW}:N{TOP_HEADER_ROW}")
    if not figures.top_risks:
        put(sheet, TOP_HEADER_ROW + 1, 11, s("no_risks")).font = SUBTITLE
    for r, risk in enumerate(figures.top_risks[:TOP_RISKS], start=TOP_HEADER_ROW + 1):
        put(sheet, r, 11, risk.get("key"))
        put(sheet, r, 12, _cut(str(risk.get("summary") or ""), SUMMARY_CHARS))
        _merge(sheet, f"L{r}:N{r}")
        put(sheet, r, 15, risk.get("score"))
        level = str(risk.get("level") or "")
        if level in palette.LEVEL:
            _swatch_cell(sheet, f"P{r}", palette.LEVEL[level], s.level(level))
            sheet[f"P{r}"].font = palette.LEVEL[level].font(bold=True, size=10)
        for c in range(11, 17):
            sheet.cell(r, c).border = BOX


def _trends(sheet: Worksheet, figures: Figures, s: Strings, weekly: Worksheet) -> None:
    put(sheet, TRENDS_ROW, 1, s("section_trends")).font = SECTION
    points = len(figures.weekly)
    top, bottom = TRENDS_ROW + 1, LAST_ROW
    for field, key, first, last, bars in TREND_CHARTS:
        if points >= 2:
            values = [getattr(point, field) for point in figures.weekly]
            chart = weekly_chart(weekly, values, field, s(key), bars=bars)
            # Anchored to its cells (not sized in cm): it spans them whatever the font.
            chart.anchor = TwoCellAnchor(
                _from=AnchorMarker(
                    col=_col(first) - 1, colOff=GAP if first != "A" else 0, row=top - 1
                ),
                to=AnchorMarker(col=_col(last), row=bottom),
            )
            sheet.add_chart(chart)
            continue
        note = (figures.trend_note if s.lang == "en" else None) or s("trend_default")
        cell = put(sheet, top, _col(first), f"{s(key)}\n\n{note}")
        cell.font = font(size=10, color=palette.NOTE.text)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in range(top, bottom + 1):
            for c in range(_col(first), _col(last) + 1):
                sheet.cell(r, c).fill = palette.NOTE.pattern()
        sheet.merge_cells(f"{first}{top}:{last}{bottom}")


def _cut(text: str, chars: int) -> str:
    """Text shortened to what its cells show on the page (the other sheets have it all)."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"
