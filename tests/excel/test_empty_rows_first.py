"""Appends fill a tracker's empty rows first, in order, before growing it.

Excel templates ship tables with empty, pre-formatted rows, and people delete the
contents of rows they no longer need. The appender used to fill such a row only when it
was the table's single data row: with three empty template rows the new records went
below them, leaving a gap at the top of the list.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch, read_tracker
from connectors.excel.record_writes import add_new_rows
from connectors.excel.records import read_records
from connectors.excel.template import write_template
from mappings import Risk, load_mapping

RAID = load_mapping("builtin:raid_log")
RISK = RAID.entity("risk")
BAND = PatternFill("solid", fgColor="DDEBF7")


def _table_ref(path: Path, table_part: str) -> str:
    with zipfile.ZipFile(path) as package:
        xml = package.read(table_part).decode()
    found = re.search(r'<table\b[^>]*?\sref="([^"]+)"', xml)
    assert found is not None
    return found.group(1)


def _apply(path: Path, patch: WorkbookPatch):
    return apply_patch(path, patch, expected=Fingerprint.of_file(path), live=False)


def test_real_raid_log_issues_whose_rows_were_cleared_are_refilled_in_order(
    real_workbook,
) -> None:
    """Three issues are entered, then their contents deleted (the Delete key keeps
    the rows and their formatting): the next issues go into those rows."""
    path = real_workbook("raid_log.xlsx")
    first = [{"ID": n, "Description": f"issue {n}"} for n in (1, 2, 3)]
    assert _apply(path, WorkbookPatch().append(first, table="Issues")).appended_rows == {
        "Issues": [5, 6, 7]
    }
    clear = WorkbookPatch()
    for row in (5, 6, 7):
        for column in ("ID", "Description"):
            clear.set("Issue Register", row, column, None)
    _apply(path, clear)
    assert read_tracker(path, table="Issues").rows == []
    assert _table_ref(path, "xl/tables/table2.xml") == "A4:P7"
    again = [{"ID": n, "Description": f"new {n}"} for n in (4, 5)]
    result = _apply(path, WorkbookPatch().append(again, table="Issues"))
    assert result.appended_rows == {"Issues": [5, 6]}
    assert _table_ref(path, "xl/tables/table2.xml") == "A4:P7"  # nothing to grow yet
    more = [{"ID": n, "Description": f"more {n}"} for n in (6, 7)]
    assert _apply(path, WorkbookPatch().append(more, table="Issues")).appended_rows == {
        "Issues": [7, 8]
    }
    assert _table_ref(path, "xl/tables/table2.xml") == "A4:P8"
    rows = read_tracker(path, table="Issues").rows
    assert [(r.row_number, r.value("ID")) for r in rows] == [(5, 4), (6, 5), (7, 6), (8, 7)]


def _template_with_formatted_rows(path: Path, rows: int) -> Path:
    """A generated RAID log whose Risks table, as the PMO's template ships it, has
    `rows` empty banded rows (the table's range drawn over them in Excel)."""
    write_template(RAID, path)
    book = load_workbook(path)
    sheet = book["Risk Register"]
    table = sheet.tables["Risks"]
    first, last = table.ref.split(":")
    letters = re.match(r"[A-Z]+", last).group(0)  # type: ignore[union-attr]
    table.ref = f"{first}:{letters}{4 + rows}"
    table.autoFilter.ref = table.ref
    for row in range(5, 5 + rows):
        for cell in sheet[f"A{row}:{letters}{row}"][0]:
            cell.fill = BAND
    book.save(path)
    return path


def test_template_rows_are_filled_before_the_table_grows(tmp_path: Path) -> None:
    path = _template_with_formatted_rows(tmp_path / "raid.xlsx", rows=3)
    read = read_records(path, RAID, RISK)
    assert read.rows == [] and read.location.last_data_row == 7
    risks = [Risk(key=f"ALPHA-{n}", summary=f"risk {n}", probability=2, impact=3) for n in (1, 2)]
    patch = add_new_rows(WorkbookPatch(), RAID, RISK, read.location, risks)
    result = apply_patch(path, patch, expected=read.fingerprint, live=False)
    assert result.appended_rows == {"Risks": [5, 6]}
    after = read_records(path, RAID, RISK)
    assert [(r.row_number, r.record.key) for r in after.rows] == [(5, "ALPHA-1"), (6, "ALPHA-2")]
    assert after.location.last_data_row == 7  # the third template row is still free
    sheet = load_workbook(path)["Risk Register"]
    assert sheet["B5"].value == "risk 1" and sheet["B5"].fill.fgColor.rgb == "00DDEBF7"
    later = [Risk(key=f"ALPHA-{n}", summary=f"risk {n}", probability=1, impact=1) for n in (3, 4)]
    patch = add_new_rows(WorkbookPatch(), RAID, RISK, after.location, later)
    assert apply_patch(path, patch, expected=after.fingerprint, live=False).appended_rows == {
        "Risks": [7, 8]
    }
    keys = [r.record.key for r in read_records(path, RAID, RISK).rows]
    assert keys == ["ALPHA-1", "ALPHA-2", "ALPHA-3", "ALPHA-4"]


def test_a_hidden_empty_row_is_not_filled(tmp_path: Path) -> None:
    path = _template_with_formatted_rows(tmp_path / "raid.xlsx", rows=2)
    book = load_workbook(path)
    book["Risk Register"].row_dimensions[5].hidden = True
    book.save(path)
    read = read_records(path, RAID, RISK)
    risk = Risk(key="ALPHA-1", summary="seen", probability=2, impact=3)
    patch = add_new_rows(WorkbookPatch(), RAID, RISK, read.location, [risk])
    result = apply_patch(path, patch, expected=read.fingerprint, live=False)
    assert result.appended_rows == {"Risks": [6]}


def test_plain_sheet_rows_keep_the_formatting_they_were_given(tmp_path: Path) -> None:
    """A plain range (no table) with two entries and three rows formatted below: new
    rows go into those rows in order and keep their formatting, instead of copying the
    row above (whose highlight belongs to that entry alone)."""
    from openpyxl import Workbook

    path = tmp_path / "plain.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "Log"
    sheet.append(["Key", "Summary", "Owner"])
    sheet.append(["A-1", "first", "Ann"])
    sheet.append(["A-2", "late one", "Bob"])
    for cell in sheet[3]:
        cell.fill = PatternFill("solid", fgColor="FF0000")  # a person flagged this entry
    for row in (4, 5, 6):
        for col in "ABC":
            sheet[f"{col}{row}"].fill = BAND
    book.save(path)
    rows = [{"Key": "A-3", "Summary": "third"}, {"Key": "A-4", "Summary": "fourth"}]
    result = _apply(path, WorkbookPatch().append(rows, sheet="Log"))
    assert result.appended_rows == {"Log": [4, 5]}
    sheet = load_workbook(path)["Log"]
    assert [sheet[f"A{r}"].value for r in (4, 5)] == ["A-3", "A-4"]
    assert {sheet[f"{c}{r}"].fill.fgColor.rgb for c in "ABC" for r in (4, 5)} == {"00DDEBF7"}
