"""The workbook survey: every tracker found without knowing its headers (issue 14).

Generated layouts (connectors/excel/layouts.py) say what is in them; the survey must
report exactly that: boundaries, header texts (merged and two-row headers joined), title,
typed samples, hidden columns, drop-down lists, and why a sheet holds no tracker. The
two shared real workbooks are surveyed too. All of this is new: the code before had no
survey at all.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from connectors.excel import WorkbookUnreadable, sheetscan
from connectors.excel.layouts import LAYOUTS, layout_side_by_side, layout_stacked
from connectors.excel.newbook import save_new_workbook
from connectors.excel.package import NS_MAIN
from connectors.excel.survey import survey_workbook
from mapper.evidence import TrackerEvidence


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_layout_is_surveyed_as_it_was_written(tmp_path: Path, name: str) -> None:
    layout = LAYOUTS[name](tmp_path / f"{name}.xlsx")
    survey = survey_workbook(layout.path)
    got = [
        (t.sheet, t.table, t.header_row, t.header_rows, tuple(t.headers), t.first_data_row,
         t.last_data_row, t.column_range, t.title)
        for t in survey.trackers
    ]  # fmt: skip
    want = [
        (t.sheet, t.table, t.header_row, t.header_rows, t.headers, t.first_data_row,
         t.last_data_row, t.columns, t.title)
        for t in layout.trackers
    ]  # fmt: skip
    assert got == want
    for found, made in zip(survey.trackers, layout.trackers, strict=True):
        for index, column in enumerate(found.columns):
            written = [row[index] for row in made.rows if row[index] not in (None, "")]
            assert list(column.samples) == written, (name, column.header)
            assert column.hidden == (column.header in made.hidden)
            assert column.list_values == made.lists.get(column.header)
    reasons = {s.sheet: s.reason for s in survey.skipped}
    assert set(reasons) == set(layout.no_tracker_sheets)
    for sheet, why in layout.no_tracker_sheets.items():
        assert reasons[sheet].startswith(why), reasons[sheet]


def test_samples_are_typed_and_kinds_counted(tmp_path: Path) -> None:
    layout = LAYOUTS["two_row_header"](tmp_path / "two.xlsx")
    (tracker,) = survey_workbook(layout.path).trackers
    by = {c.header: c for c in tracker.columns}
    assert by["Assessment / Probability"].samples[:3] == (1, 2, 3)
    assert by["Assessment / Probability"].kinds == {"number": 5}
    assert by["Dates / Due"].samples[0] == dt.date(2026, 3, 2)
    assert by["Dates / Due"].kinds == {"date": 5} and by["Dates / Due"].distinct == 5
    assert by["Dates / Raised"].distinct == 1
    assert by["Assessment / Impact"].header_cells == ("C3", "D4")  # group anchor, sub cell
    assert by["ID"].header_cells == ("A3",)  # merged down over both rows
    assert tracker.excel_location() == {
        "sheet": "Risk Log", "header_row": 3, "header_rows": 2, "columns": "A:G"
    }  # fmt: skip


def test_stacked_and_side_by_side_trackers_know_their_neighbours(tmp_path: Path) -> None:
    upper, lower = survey_workbook(layout_stacked(tmp_path / "s.xlsx").path).trackers
    assert upper.next_tracker_row == lower.header_row - 1  # the lower one's title row
    assert lower.next_tracker_row is None and not upper.beside
    left, right = survey_workbook(layout_side_by_side(tmp_path / "b.xlsx").path).trackers
    assert left.beside == ("I:L",) and right.beside == ("A:G",)
    assert right.excel_location()["columns"] == "I:L"
    assert (left.rows, right.rows) == (4, 7)


def test_the_survey_feeds_the_classifier_contract(tmp_path: Path) -> None:
    layout = LAYOUTS["chinese"](tmp_path / "zh.xlsx")
    (tracker,) = survey_workbook(layout.path).trackers
    evidence = tracker.evidence()
    assert isinstance(evidence, TrackerEvidence)
    assert evidence.name == "风险登记册" and evidence.title == "项目风险登记册"
    assert evidence.rows == 6
    column = next(c for c in evidence.columns if c.header == "概率")
    assert column.list_values == ("高", "中", "低") and column.letter == "C"
    assert set(column.samples) == {"高", "中", "低"} and column.kinds == {"text": 6}


def test_a_long_sheet_is_read_by_its_head_and_its_row_skeleton(tmp_path: Path, monkeypatch) -> None:
    """5,000 data rows and a second tracker far below the sample window: both found, the
    first one's last row exact, and only a few hundred rows ever decoded."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Big"
    ws.append(["Big register"])
    ws.append([])
    ws.append(["ID", "Title", "Score", "Due"])
    for i in range(5000):
        ws.append(
            [f"R-{i}", f"risk {i}", i % 5 + 1, dt.date(2026, 1, 1) + dt.timedelta(days=i % 90)]
        )
    ws.append([])
    ws.append([])
    ws.append(["Actions"])
    ws.append(["Action", "Owner", "Done"])
    for i in range(3):
        ws.append([f"act {i}", "Alice", i * 10])
    path = save_new_workbook(wb, tmp_path / "big.xlsx")
    decoded: list[int] = []
    real = sheetscan.fast_rows

    def counting(data, decoder, **kw):
        rows = real(data, decoder, **kw)
        decoded.extend(n for n, _ in rows or [])
        return rows

    monkeypatch.setattr(sheetscan, "fast_rows", counting)
    big, actions = survey_workbook(path).trackers
    assert (big.header_row, big.first_data_row, big.last_data_row) == (3, 4, 5003)
    assert big.next_tracker_row == 5006 and big.last_row_from == "skeleton"
    assert (actions.header_row, actions.last_data_row, actions.title) == (5007, 5010, "Actions")
    assert len(big.columns[0].samples) == 200  # the default sample_rows
    assert len(decoded) < 600, len(decoded)  # of 5,011 rows


def test_sample_rows_caps_the_samples(tmp_path: Path) -> None:
    layout = LAYOUTS["title_block_2"](tmp_path / "t.xlsx")
    (tracker,) = survey_workbook(layout.path, sample_rows=3).trackers
    assert all(len(c.samples) == 3 for c in tracker.columns)
    assert tracker.rows == 6  # the extent is still the whole tracker


def test_chart_sheets_and_charts_are_not_trackers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Month", "Risks open"])
    for month, count in (("Jan", 4), ("Feb", 6), ("Mar", 3)):
        ws.append([month, count])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    ws.add_chart(chart, "E2")
    sheet = wb.create_chartsheet("Trend")
    other = BarChart()
    other.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    sheet.add_chart(other)
    survey = survey_workbook(save_new_workbook(wb, tmp_path / "charts.xlsx"))
    assert [(t.sheet, t.headers, t.rows) for t in survey.trackers] == [
        ("Data", ["Month", "Risks open"], 3)
    ]
    assert [(s.sheet, s.reason) for s in survey.skipped] == [("Trend", "a chart sheet")]


def test_raid_log_every_table_with_its_exact_header_row(real_workbook) -> None:
    survey = survey_workbook(real_workbook("raid_log.xlsx"))
    tables = {t.table: t for t in survey.trackers}
    assert set(tables) == {
        "Risks", "Issues", "CRs", "Table2", "Table3", "IssueStatus", "IssueCategory",
        "IssuePriority", "IssueType", "Probability", "Impact", "RAGStatus",
    }  # fmt: skip
    assert all(t.table for t in survey.trackers)  # the risk matrix is not a tracker
    risks = tables["Risks"]
    assert (risks.sheet, risks.header_row, risks.first_data_row, risks.last_data_row) == (
        "Risk Register",
        4,
        5,
        24,
    )
    assert risks.title == "Risk Register" and risks.column_range == "A:P"
    assert risks.headers[:4] == ["ID", "Author", "Date Identified", "Description"]
    by = {c.header: c for c in risks.columns}
    assert by["Probability"].list_values == ("1", "2", "3", "4", "5")
    assert by["Category"].list_values == ("Information", "Process", "System", "Other", "Resource")
    assert by["ID"].samples[:3] == (1, 2, 3) and by["RAG Status"].kinds == {"formula": 20}
    assert (tables["Issues"].header_row, tables["CRs"].header_row) == (4, 4)
    assert tables["CRs"].headers == ["ID", "Title", "Date", "Raised by", "Status"]
    assert tables["Issues"].title == "Issues" and tables["CRs"].title == "Change Requests"
    assert tables["IssueStatus"].beside  # lookup tables side by side on Definition
    assert [s.sheet for s in survey.skipped] == ["RAG Chart"]


def test_resource_model_tables_forms_and_pivots(real_workbook) -> None:
    survey = survey_workbook(real_workbook("resource_and_cost_model.xlsx"))
    assert {t.table: (t.sheet, t.header_row) for t in survey.trackers} == {
        "Resources": ("Resource", 3), "Materials": ("Materials", 3), "Actuals": ("Actuals", 3),
        "CostType": ("Lookup", 1), "MaterialCategory": ("Lookup", 1),
        "ResourceCosts": ("Resource Costs", 3), "Table8": ("Forecast", 3),
        "Table9": ("Sheet1", 5), "Table7": ("Sheet1", 14),
    }  # fmt: skip
    titles = {t.table: t.title for t in survey.trackers}
    assert titles["Table9"] == "Purchase Orders and Invoices — Purchase Orders"
    assert titles["Table7"] == "Invoices" and titles["Resources"] == "Resource"
    reasons = {s.sheet: s.reason for s in survey.skipped}
    assert set(reasons) == {"Summary", "Cost Type", "Opex", "Capex"}
    assert reasons["Summary"].startswith("a form")
    assert reasons["Cost Type"].startswith("only pivot tables (A5:O9, A13:O16, A20:F38)")
    hidden = {t.table: t.sheet_hidden for t in survey.trackers}
    assert not any(hidden.values())


@pytest.mark.no_ooxml_check("not-a-workbook.xlsx")
def test_a_file_that_is_no_workbook_is_refused_with_why(tmp_path: Path) -> None:
    path = tmp_path / "not-a-workbook.xlsx"
    path.write_text("Name,Status\nA,Open\n")
    with pytest.raises(WorkbookUnreadable, match="not a zip package"):
        survey_workbook(path)


def test_sheets_written_with_a_namespace_prefix_survey_the_same(tmp_path: Path) -> None:
    """Some producers write <x:row>, <x:c>: the fast reader declines those and the
    streaming one decodes the same windows to the same survey."""
    layout = layout_stacked(tmp_path / "plain.xlsx")
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(layout.path) as src, zipfile.ZipFile(prefixed, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode().replace(f'xmlns="{NS_MAIN}"', f'xmlns:x="{NS_MAIN}"')
                text = re.sub(r"<(/?)(?![?x])([A-Za-z]+)", r"<\1x:\2", text)
                data = text.encode()
            out.writestr(info, data, zipfile.ZIP_DEFLATED)

    def shape(path: Path) -> list[tuple]:
        return [
            (t.header_row, t.headers, t.last_data_row, t.next_tracker_row, t.title,
             [c.samples for c in t.columns])
            for t in survey_workbook(path).trackers
        ]  # fmt: skip

    assert b"<x:row" in zipfile.ZipFile(prefixed).read("xl/worksheets/sheet1.xml")
    assert shape(prefixed) == shape(layout.path) and len(shape(prefixed)) == 2
