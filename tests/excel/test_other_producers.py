"""Workbooks written by other producers (openpyxl, LibreOffice) read and patch too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch, read_tracker
from connectors.excel.fastsheet import fast_rows
from connectors.excel.sheetcells import iter_sheet_rows
from connectors.excel.workbook import WorkbookView


def _paths_agree(path: Path) -> None:
    view = WorkbookView(path)
    for sheet in view.package.sheets:
        data = view.sheet_bytes(sheet)
        slow = [(r, {c.col: view.decoder.decode(c) for c in cells})
                for r, cells in iter_sheet_rows(data)]  # fmt: skip
        fast = fast_rows(data, view.decoder)
        if fast is not None:
            assert fast == slow, sheet.name


def _openpyxl_tracker(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Issues"
    ws.append(["Issue tracker"])
    ws.append([])
    ws.append(["Key", "Title", "Due", "Progress", "Points", "Double"])
    for i in range(5):
        ws.append([f"K-{i}", f"title {i}", dt.date(2026, 4, 1 + i), i / 4, i, f"=E{4 + i}*2"])
        ws.cell(row=4 + i, column=3).number_format = "dd/mm/yyyy"
        ws.cell(row=4 + i, column=4).number_format = "0%"
    ws.add_table(Table(displayName="IssueTable", ref="A3:F8"))
    dv = DataValidation(type="list", formula1='"a,b"', allow_blank=True)
    dv.add("B4:B8")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add(
        "E4:E8", CellIsRule(operator="greaterThan", formula=["2"], fill=PatternFill("solid"))
    )
    wb.save(path)
    return path


def test_openpyxl_written_workbook(tmp_path: Path) -> None:
    path = _openpyxl_tracker(tmp_path / "made_by_openpyxl.xlsx")
    _paths_agree(path)
    data = read_tracker(path, sheet="Issues", expected_headers=["Key", "Due"])
    assert data.location.table == "IssueTable" and data.location.header_row == 3
    first = data.rows[0].cells
    assert first["Due"].value == dt.date(2026, 4, 1) and first["Progress"].kind == "percent"
    assert first["Double"].is_formula and first["Double"].value is None  # no cached value
    patch = (
        WorkbookPatch()
        .set("Issues", 5, "Title", "@risky")
        .append([{"Key": "K-9", "Due": dt.date(2026, 5, 1)}], table="IssueTable")
    )
    result = apply_patch(path, patch, expected=data.fingerprint)
    assert result.appended_rows == {"IssueTable": [9]}
    ws = openpyxl.load_workbook(path)["Issues"]
    assert ws["B5"].value == "@risky" and ws["B5"].quotePrefix
    assert ws["C9"].value == dt.datetime(2026, 5, 1) and ws["C9"].number_format == "dd/mm/yyyy"
    assert ws.tables["IssueTable"].ref == "A3:F9"
    assert str(ws.data_validations.dataValidation[0].sqref) == "B4:B9"


def test_libreoffice_written_workbook(tracker_xlsx: Path, libreoffice) -> None:
    (out,) = libreoffice([tracker_xlsx], "xlsx")
    _paths_agree(out)
    data = read_tracker(out, sheet="Tracker", expected_headers=["Key", "Status"])
    assert data.rows[0].cells["Key"].value == "PMO-1"
    assert data.rows[0].cells["Start"].value == dt.date(2026, 1, 5)
    fp = Fingerprint.of_file(out)
    result = apply_patch(out, WorkbookPatch().set("Tracker", 4, "Status", "Done"), expected=fp)
    assert result.wrote
    assert (
        read_tracker(out, sheet="Tracker", expected_headers=["Key"]).rows[0].cells["Status"].value
        == "Done"
    )
