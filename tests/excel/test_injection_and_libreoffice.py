"""Formula-injection safety (CWE-1236) and LibreOffice as an independent oracle:
written workbooks open, recalculate, and show literal text literally."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from connectors.excel import WorkbookPatch, apply_patch, read_tracker
from connectors.excel.synthetic import build_tracker_workbook
from connectors.excel.values import looks_like_formula

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=2+2",
    "=cmd|' /C calc'!A0",
    " =3+3",
    "\uff1d4+4",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_payloads_are_detected(text: str) -> None:
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["plain", "a=b", "1+1", "", "e-mail", "x@y"])
def test_harmless_text_is_not_flagged(text: str) -> None:
    assert not looks_like_formula(text)


def _inject(path: Path) -> dict[str, str]:
    data = read_tracker(path, table="Tasks")
    patch = WorkbookPatch()
    cells = {}
    for i, text in enumerate(PAYLOADS):
        patch.set("Tracker", 4 + i, "Summary", text)
        cells[f"B{4 + i}"] = text
    patch.append([{"Key": "=1+1", "Summary": "-2-2"}], table="Tasks")
    cells["A16"], cells["B16"] = "=1+1", "-2-2"
    apply_patch(path, patch, expected=data.fingerprint)
    return cells


def test_injection_lands_as_quote_prefixed_text(tracker_xlsx: Path) -> None:
    cells = _inject(tracker_xlsx)
    with zipfile.ZipFile(tracker_xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>=" not in sheet and b"<f>+" not in sheet and b"<f>@" not in sheet
    ws = openpyxl.load_workbook(tracker_xlsx)["Tracker"]
    for address, text in cells.items():
        cell = ws[address]
        assert cell.data_type == "s", address
        assert cell.value == text, address
        assert cell.quotePrefix, f"{address} has no quotePrefix style"
    back = {r.row_number: r.cells for r in read_tracker(tracker_xlsx, table="Tasks").rows}
    assert back[8]["Summary"].value == "\t=1+1" and back[9]["Summary"].value == "\r=2+2"
    assert not back[4]["Summary"].is_formula


def test_libreoffice_shows_literal_text(tracker_xlsx: Path, libreoffice) -> None:
    cells = _inject(tracker_xlsx)
    (out,) = libreoffice([tracker_xlsx], "xlsx")
    ws = openpyxl.load_workbook(out, data_only=True)["Tracker"]
    for address, text in cells.items():
        assert ws[address].value == text.replace("\r", "\n") or ws[address].value == text, address
    (csv_out,) = libreoffice([tracker_xlsx], "csv")
    rows = list(csv.reader(csv_out.open(encoding="utf-8", newline="")))
    shown = [row[1] for row in rows if len(row) > 1]
    assert '=HYPERLINK("http://x","click")' in shown and "=cmd|' /C calc'!A0" in shown
    assert "click" not in shown


def test_libreoffice_recalculates_written_workbooks(
    tracker_xlsx: Path, real_workbook, libreoffice
) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    patch = WorkbookPatch().set("Tracker", 4, "Estimate", 10).set("Tracker", 4, "Status", "Done")
    patch.append([{"Key": "N1", "Estimate": 7, "Status": "Open"}], table="Tasks")
    apply_patch(tracker_xlsx, patch, expected=data.fingerprint)

    raid = real_workbook("raid_log.xlsx")
    rd = read_tracker(raid, table="Risks")
    rp = (
        WorkbookPatch()
        .set("Risk Register", 5, "Probability", 4)
        .set("Risk Register", 5, "Impact", 5)
    )
    rp.append([{"ID": 21, "Probability": 2, "Impact": 5, "Date Identified": dt.date(2026, 1, 9)}],
              table="Risks")  # fmt: skip
    apply_patch(raid, rp, expected=rd.fingerprint)

    model = real_workbook("resource_and_cost_model.xlsx")
    md = read_tracker(model, table="Resources")
    mp = WorkbookPatch().set("Resource", 5, "Rate", 425)
    mp.append([{"Actuals to Date": "Week 1", "Sep-18": 10}], table="Actuals")
    apply_patch(model, mp, expected=md.fingerprint)

    out_tracker, out_raid, out_model = libreoffice([tracker_xlsx, raid, model], "xlsx")

    wb = openpyxl.load_workbook(out_tracker, data_only=True)
    ws = wb["Tracker"]
    assert ws["J4"].value == 20  # Total = Estimate*2 recalculated
    assert ws["A16"].value == "N1" and ws["J16"].value == 14  # calculated column filled
    expected_sum = sum((i % 13) + 1 for i in range(12)) - 1 + 10 + 7
    assert wb["Summary"]["B1"].value == expected_sum  # SUM(Tasks[Estimate]) sees new row

    ws = openpyxl.load_workbook(out_raid, data_only=True)["Risk Register"]
    assert ws["I25"].value == 10  # Exposure = Probability*Impact on the appended row
    assert ws["C25"].value == dt.datetime(2026, 1, 9)

    book = openpyxl.load_workbook(out_model, data_only=True)
    assert book["Resource"]["J5"].value == 425 * 85  # Total Cost recalculated from the Rate
    actuals = book["Actuals"]
    assert actuals["A5"].value == "Week 1"
    assert actuals["B6"].value == 1000 + 10  # moved totals row sums the appended row


def test_libreoffice_computes_formulas_filled_into_plain_sheet_rows(tmp_path: Path, libreoffice):
    path = build_tracker_workbook(tmp_path / "plain.xlsx", rows=3, with_table=False)
    data = read_tracker(path, sheet="Tracker", expected_headers=["Key"])
    patch = WorkbookPatch().append([{"Key": "X-1", "Estimate": 21}], sheet="Tracker")
    apply_patch(path, patch, expected=data.fingerprint)
    (out,) = libreoffice([path], "xlsx")
    sheet = openpyxl.load_workbook(out, data_only=True)["Tracker"]
    assert sheet["A7"].value == "X-1" and sheet["J7"].value == 42  # Total = Estimate*2
