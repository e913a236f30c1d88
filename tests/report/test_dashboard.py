"""The executive summary (the report's first sheet and first PDF page), its colours, its
print setup and its languages, from real stores: a synced demo portfolio, and stores of
0, 1, 12 and 1,000 projects. Rendered through LibreOffice where it is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart.axis import DateAxis
from typer.testing import CliRunner

from excel_addin.lookups import Portfolio
from mappings.model import build_record
from pmo_sync.cli import app
from report import executive, generate, palette
from report.figures import LEVELS, WeekPoint, compute
from report.history import Changes
from report.pdf import to_pdf
from report.strings import TEXT, Strings, UnknownLanguage
from report.workbook import write
from sync.store import StateStore

AS_OF = date(2026, 11, 28)
CLOSED = {"closed", "done", "implemented", "rejected", "deferred"}
WEEKS = [
    WeekPoint(date(2026, 10, 4) + timedelta(weeks=n), 10 + n, 60 + 5 * n, n % 3) for n in range(8)
]


def need_program(name: str) -> None:
    """Skip when a program is absent on a user's machine; fail under CI."""
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required when CI is set (.ci/run installs it)")
        pytest.skip(f"{name} is not installed: the rendered report cannot be checked")


def make_store(path: Path, projects: int, risks_each: int = 3) -> Path:
    """A state store of ``projects`` projects, each with open risks all over the matrix."""
    with StateStore(path) as store, store.transaction():
        records = []
        for n in range(projects * risks_each):
            project = f"P{n % projects:04d}"
            risk = build_record(
                "risk",
                {
                    "key": f"{project}-{n + 1}",
                    "project": project,
                    "summary": f"risk {n}: a supplier may deliver late and the launch slips",
                    "probability": 1 + n % 5,
                    "impact": 1 + (3 * n) % 5,
                },
                source="test",
            ).model_dump()
            risk["sync_id"] = str(risk["sync_id"])
            records.append(risk)
        store.save_items("p", "risk", records)
    return path


def page_sheets(pdf: Path) -> list[str]:
    """The sheet each PDF page comes from, read from its footer ("<sheet>  Page n of m")."""
    need_program("pdftotext")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    sheets = []
    for page in text.split("\f")[:-1]:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        match = re.fullmatch(r"(.+?)\s{2,}(?:Page \d+ of \d+|第 \d+ 页，共 \d+ 页)", lines[-1])
        assert match, lines[-1]
        sheets.append(match.group(1))
    return sheets


def expected_tiles(store: StateStore) -> dict:
    """The tiles' figures recomputed here, straight from the stored items."""
    levels: Counter[str] = Counter()
    exposure = overdue = pending = 0
    cost = days = 0.0
    projects: set[str] = {str(p["key"]) for p in store.items("project")}
    for entity in ("risk", "change_request", "work_item", "raid_issue", "action"):
        for item in store.items(entity):
            projects.add(item["project"])
            if entity == "risk" and item["status"] != "closed":
                levels[item["level"]] += 1
                exposure += item["score"]
            if entity == "change_request" and item["decision"] == "pending":
                pending += 1
                cost += item.get("cost_impact") or 0
                days += item.get("schedule_impact_days") or 0
            if item.get("due_date") and item["due_date"] < AS_OF and item["status"] not in CLOSED:
                overdue += 1
    return {
        "projects": projects,
        "levels": levels,
        "exposure": exposure,
        "overdue": overdue,
        "pending": pending,
        "cost": cost,
        "days": days,
    }


def test_every_kpi_tile_matches_the_store(synced, project_budgets, tmp_path):
    with StateStore(synced.store) as store:
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, remember=False)
        want = expected_tiles(store)
    book = load_workbook(result.path)
    sheet = book.worksheets[0]
    assert sheet.title == "Executive Summary" and book.active.title == sheet.title
    tiles = executive.TILES
    assert sheet[tiles["projects"]].value == len(want["projects"]) == 2
    health = {key: Portfolio(synced.store).health(key, AS_OF) for key in want["projects"]}
    for value, cell in tiles["rag"].items():
        count = sum(v == value for v in health.values())
        assert sheet[cell].value == f"{value}\n{count}"
    for level, cell in tiles["risks"].items():
        assert sheet[cell].value == f"{level.capitalize()}\n{want['levels'][level]}"
    assert sheet[tiles["risks_note"]].value == f"{sum(want['levels'].values())} open risk(s)"
    assert sheet[tiles["exposure"]].value == want["exposure"] > 0
    assert sheet[tiles["pending"]].value == want["pending"] > 0
    assert sheet[tiles["pending_note"]].value == (
        f"cost {want['cost']:,.0f} · {want['days']:,.0f} day(s)"
    )
    assert sheet[tiles["overdue"]].value == want["overdue"]
    spi = sorted(b["ev"] / b["pv"] for b in project_budgets.values())
    cpi = sorted(b["ev"] / b["ac"] for b in project_budgets.values())
    assert sheet[tiles["spi"]].value == f"{spi[0]:.2f}–{spi[-1]:.2f}"
    assert sheet[tiles["cpi"]].value == f"{cpi[0]:.2f}–{cpi[-1]:.2f}"
    # The table: every project, its RAG in its colour and with its label.
    rows = {
        sheet.cell(r, 1).value.split(" · ")[0]: r for r in range(10, 22) if sheet.cell(r, 1).value
    }
    assert set(rows) == want["projects"]
    for key, r in rows.items():
        cell = sheet.cell(r, 2)
        assert cell.value == health[key]
        assert cell.fill.fgColor.rgb[-6:] == palette.RAG[health[key]].fill
        assert cell.font.color.rgb[-6:] == palette.RAG[health[key]].text
    # The heat map: the figures' counts, each cell in its zone's colour, labelled.
    figures = result.figures
    for row in range(5):
        for col in range(5):
            cell = sheet.cell(10 + 2 * row, 12 + col)
            level = palette.level_of((5 - row) * (col + 1))
            assert cell.value == f"{figures.heat[row][col]}\n{level.capitalize()}"
            assert cell.fill.fgColor.rgb[-6:] == palette.LEVEL[level].fill
    assert sum(map(sum, figures.heat)) == sum(want["levels"].values())
    # Less than two weeks of history: a note where the trend charts would be.
    assert len(figures.weekly) < 2 and sheet._charts == []
    note = figures.trend_note or TEXT["trend_default"][0]
    assert note in sheet["A31"].value and "Open risks per week" in sheet["A31"].value


def test_the_palette_is_conventional_and_readable():
    assert set(palette.RAG) == {"Red", "Amber", "Green"} and set(palette.LEVEL) == set(LEVELS)
    for swatch in [*palette.RAG.values(), *palette.LEVEL.values(), palette.HEADER]:
        assert palette.contrast(swatch.text, swatch.fill) >= 4.5, swatch
    assert palette.contrast(palette.MUTED, "FFFFFF") >= 4.5

    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))

    red, amber, green = (rgb(palette.RAG[c].fill) for c in ("Red", "Amber", "Green"))
    assert red[0] > 2 * red[1] and green[1] > 2 * green[0] and amber[0] > amber[1] > amber[2]
    assert rgb(palette.LEVEL["critical"].fill) == red


def test_colours_of_rag_cells_heat_map_and_chart_series_are_the_palettes(tmp_path):
    with StateStore(make_store(tmp_path / "state.db", 12)) as store:
        figures = compute(store, AS_OF)
    figures.weekly = list(WEEKS)
    book = load_workbook(write(tmp_path / "report.xlsx", figures, Changes(None)))
    # Portfolio: RAG by conditional formats in the palette's colours, progress as bars.
    portfolio = book["Portfolio"]
    rules = {
        r.formula[0].strip('"'): r.dxf
        for cf in portfolio.conditional_formatting
        for r in cf.rules
        if r.type == "cellIs"
    }
    for name, swatch in palette.RAG.items():
        assert rules[name].fill.bgColor.rgb[-6:] == rules[name].fill.fgColor.rgb[-6:]
        assert rules[name].fill.fgColor.rgb[-6:] == swatch.fill
        assert rules[name].font.color.rgb[-6:] == swatch.text
    for offset, level in enumerate(LEVELS, start=8):  # the level columns' headers
        assert portfolio.cell(4, offset).fill.fgColor.rgb[-6:] == palette.LEVEL[level].fill
    # Risk Heat Map: numbers (shown with their level's name) on their zone's colour.
    heat = book["Risk Heat Map"]
    for row in range(5):
        for col in range(5):
            cell = heat.cell(4 + row, 2 + col)
            level = palette.level_of((5 - row) * (col + 1))
            assert cell.value == figures.heat[row][col]
            assert cell.number_format == f'"{level.capitalize()} "0'
            assert cell.fill.fgColor.rgb[-6:] == palette.LEVEL[level].fill
    # Charts: every series coloured explicitly (never the theme's purple and green).
    levels_chart = book["Charts"]._charts[1]
    colours = [s.graphicalProperties.solidFill.srgbClr for s in levels_chart.series]
    assert colours == [palette.LEVEL[level].fill for level in LEVELS]
    dashboard = book.worksheets[0]
    assert len(dashboard._charts) == 3
    columns = {"open_risks": "B", "exposure": "C", "approved_changes": "D"}  # of Weekly
    for chart, (field, column) in zip(dashboard._charts, columns.items(), strict=True):
        assert isinstance(chart.x_axis, DateAxis)
        assert chart.x_axis.number_format.formatCode == "yyyy-mm-dd"
        (series,) = chart.series
        assert series.graphicalProperties.solidFill.srgbClr == palette.SERIES[field]
        assert series.val.numRef.f == f"'Weekly'!${column}$2:${column}${1 + len(WEEKS)}"
        assert series.cat.numRef.f == f"'Weekly'!$A$2:$A${1 + len(WEEKS)}"
    weekly = book["Weekly"]
    points = list(weekly.iter_rows(min_row=2, values_only=True))
    assert [(p[0].date(), p[1], p[2], p[3]) for p in points] == [
        (w.period_end, w.open_risks, w.exposure, w.approved_changes) for w in WEEKS
    ]


def test_every_sheet_prints_landscape_one_page_wide_with_header_and_footer(tmp_path):
    with StateStore(make_store(tmp_path / "state.db", 40)) as store:
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF)
    book = load_workbook(result.path)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and setup.fitToWidth == 1, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # Only the dashboard (laid out for one page) is fitted to one page tall.
        assert setup.fitToHeight == (1 if sheet is book.worksheets[0] else 0), sheet.title
        assert sheet.oddHeader.left.text == "PMO portfolio status"
        assert sheet.oddHeader.right.text == "As of 2026-11-28"
        assert sheet.oddFooter.left.text == "&A" and sheet.oddFooter.right.text == "Page &P of &N"
    assert book["Portfolio"].print_title_rows == "$4:$4"
    assert book["Portfolio"].column_dimensions["B"].width >= 20  # names
    assert book["Risk Heat Map"]["G13"].alignment.wrap_text  # summaries wrap
    dashboard = book.worksheets[0]
    assert dashboard.print_area == f"'Executive Summary'!$A$1:$P${executive.LAST_ROW}"
    assert dashboard["A22"].value == "and 28 more: see Portfolio"
    assert [dashboard.cell(r, 1).value for r in range(10, 22)] == [f"P{n:04d}" for n in range(12)]


def test_by_month_raised_sits_under_its_headers(synced, tmp_path):
    with StateStore(synced.store) as store:
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, remember=False)
        raised = Counter(
            (c["created"].strftime("%Y-%m"), c["decision"]) for c in store.items("change_request")
        )
    sheet = load_workbook(result.path)["Changes"]
    header = [c.value for c in sheet[12] if c.value]
    assert header == ["Month", "Pending", "Approved", "Rejected", "Deferred", "Total"]
    months = [r for r in sheet.iter_rows(min_row=13) if r[0].value]
    assert months
    for row in months:
        filled = [c.column for c in row if c.value is not None]
        assert filled == list(range(1, len(header) + 1))  # one value under each header
        for cell in row[1 : len(header)]:
            assert isinstance(cell.value, int)
            # Right-aligned numbers under right-aligned headers, in columns that fit them.
            title = sheet.cell(12, cell.column)
            assert title.alignment.horizontal == "right"
            assert sheet.column_dimensions[cell.column_letter].width >= len(title.value)
        month = row[0].value
        counts = [raised[(month, d)] for d in ("pending", "approved", "rejected", "deferred")]
        assert [c.value for c in row[1:5]] == counts and row[5].value == sum(counts)


def test_an_empty_portfolio_one_project_and_a_thousand_read_well(tmp_path):
    with StateStore(tmp_path / "empty.db") as store:
        nothing = generate(store, tmp_path / "empty.xlsx")
    empty = load_workbook(nothing.path).worksheets[0]
    assert empty["A5"].value == 0 and empty["A10"].value == "No projects synced yet."
    assert empty["K23"].value == "No open risks." and empty._charts == []
    assert (nothing.figures.trend_note or TEXT["trend_default"][0]) in empty["A31"].value
    with StateStore(make_store(tmp_path / "one.db", 1)) as store:
        one = load_workbook(generate(store, tmp_path / "one.xlsx").path).worksheets[0]
    assert one["A5"].value == 1 and one["A10"].value == "P0000" and one["A11"].value is None
    assert one["A22"].value is None  # no "and K more"
    with StateStore(make_store(tmp_path / "big.db", 1000)) as store:
        big = generate(store, tmp_path / "big.xlsx")
    book = load_workbook(big.path)
    assert book.worksheets[0]["A5"].value == 1000
    assert book.worksheets[0]["A22"].value == "and 988 more: see Portfolio"
    assert book["Portfolio"].max_row == 4 + 1000
    assert book["Portfolio"].page_setup.fitToHeight == 0  # pages down, font not shrunk


def test_the_dashboard_is_one_pdf_page_and_the_portfolio_paginates(tmp_path):
    need_program("soffice")
    with StateStore(make_store(tmp_path / "state.db", 12)) as store:
        figures = compute(store, AS_OF)
    figures.weekly = list(WEEKS)
    pdf = to_pdf(write(tmp_path / "twelve.xlsx", figures, Changes(None)))
    sheets = page_sheets(pdf)
    assert sheets[0] == "Executive Summary" and sheets.count("Executive Summary") == 1
    with StateStore(make_store(tmp_path / "big.db", 1000, risks_each=1)) as store:
        big = generate(store, tmp_path / "big.xlsx", as_of=AS_OF, pdf=True)
    assert big.pdf is not None
    pages = Counter(page_sheets(big.pdf))
    assert page_sheets(big.pdf)[0] == "Executive Summary" and pages["Executive Summary"] == 1
    # 1,000 rows at a readable size: many pages (one page tall would be ~1,000 rows a
    # page), every one of them with the header row repeated.
    assert 12 <= pages["Portfolio"] <= 60, pages


def test_lang_zh_writes_chinese_headings(tmp_path):
    with StateStore(make_store(tmp_path / "state.db", 3)) as store:
        result = generate(store, tmp_path / "zh.xlsx", as_of=AS_OF, lang="zh")
        with pytest.raises(UnknownLanguage, match="en, zh"):
            generate(store, tmp_path / "fr.xlsx", lang="fr")
    assert not (tmp_path / "fr.xlsx").exists()
    book = load_workbook(result.path)
    assert book.sheetnames[:5] == ["执行摘要", "项目组合", "图表", "风险热力图", "变更请求"]
    dashboard = book.worksheets[0]
    assert dashboard["A1"].value == "PMO 项目组合状态：执行摘要"
    assert dashboard["A8"].value == "项目组合" and dashboard["K8"].value == "风险热力图"
    assert dashboard["F6"].value == "共 9 项未关闭风险"
    assert "2026年11月28日" in dashboard["A2"].value
    rag = {r.rag for r in result.figures.projects}
    shown = {dashboard.cell(r, 2).value for r in range(10, 13)}
    assert shown == {Strings("zh").rag(v) for v in rag} and shown <= {"红", "黄", "绿"}
    portfolio = book["项目组合"]
    assert [c.value for c in portfolio[4]][:4] == ["项目", "名称", "经理", "状态"]
    assert portfolio.oddFooter.right.text == "第 &P 页，共 &N 页"
    assert book["变更请求"]["A11"].value == "按提出月份"
    if shutil.which("soffice") and shutil.which("pdftotext"):
        assert page_sheets(to_pdf(result.path))[0] == "执行摘要"


def test_report_command_lang_option(synced, tmp_path):
    out = tmp_path / "zh.xlsx"
    result = CliRunner().invoke(
        app,
        ["report", "--config", str(synced.config), "--out", str(out), "--lang", "zh"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[0] == "执行摘要"
    bad = CliRunner().invoke(
        app, ["report", "--config", str(synced.config), "--lang", "fr"], env={"COLUMNS": "200"}
    )
    assert bad.exit_code == 2 and "en, zh" in bad.output


def test_every_string_has_both_languages():
    assert all(len(pair) == 2 and all(pair) for pair in TEXT.values())
    for key in (k for k in TEXT if k.startswith("sheet_")):
        for text in TEXT[key]:
            assert len(text) <= 31 and not set(text) & set("[]:*?/\\"), text


def test_the_portfolios_own_title_heads_the_report_and_every_page(tmp_path):
    title = "=Group IT & Ops portfolio"  # a formula-looking name and a header code (&)
    with StateStore(make_store(tmp_path / "state.db", 2)) as store:
        result = generate(store, tmp_path / "titled.xlsx", as_of=AS_OF, title=title)
    book = load_workbook(result.path)
    heading = book.worksheets[0]["A1"]
    assert heading.data_type == "s" and title in heading.value  # text, never a formula
    portfolio = book.worksheets[1]
    assert portfolio["A1"].value == title
    for sheet in book.worksheets:
        assert sheet.oddHeader.left.text == "=Group IT && Ops portfolio", sheet.title
