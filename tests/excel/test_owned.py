"""Sheets pmo-sync owns: created and replaced whole, never a person's sheet."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from connectors.excel import (
    Fingerprint,
    SheetNotOwned,
    WorkbookChanged,
    package_diff,
    read_tracker,
    replace_owned_sheet,
)

HEADER = ["When", "Key", "Field", "Excel value", "Jira value", "Count"]


def _rows(n: int) -> list[list[object]]:
    return [
        [dt.datetime(2026, 1, 1, 9, i), f"PMO-{i}", "Status", '=HYPERLINK("x")', "Done", i]
        for i in range(n)
    ]


def test_create_then_replace_owned_sheet(tracker_xlsx: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.xlsx"
    shutil.copy(tracker_xlsx, before)
    result = replace_owned_sheet(
        tracker_xlsx, "Sync Log", HEADER, _rows(3), fingerprint=Fingerprint.of_file(tracker_xlsx)
    )
    assert result.wrote
    diff = package_diff(before, tracker_xlsx)
    assert diff.added == ["xl/worksheets/sheet3.xml"] and not diff.removed
    assert set(diff.changed) <= {
        "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
        "docProps/app.xml", "xl/styles.xml",
    }  # fmt: skip
    with zipfile.ZipFile(before) as zf:
        assert set(zf.namelist()) - set(diff.changed) <= set(diff.raw_identical)
    wb = openpyxl.load_workbook(tracker_xlsx)
    assert wb.sheetnames == ["Tracker", "Summary", "Sync Log"]
    ws = wb["Sync Log"]
    assert [c.value for c in ws[1]] == HEADER
    assert ws["A2"].value == dt.datetime(2026, 1, 1, 9, 0) and ws["A2"].is_date
    assert ws["D2"].data_type == "s" and ws["D2"].quotePrefix
    assert ws["F4"].value == 2
    with zipfile.ZipFile(tracker_xlsx) as zf:
        app = zf.read("docProps/app.xml")
    assert b"<vt:lpstr>Sync Log</vt:lpstr>" in app and b'size="3"' in app

    # replace: only the sheet part changes
    middle = tmp_path / "middle.xlsx"
    shutil.copy(tracker_xlsx, middle)
    result = replace_owned_sheet(
        tracker_xlsx, "sync log", HEADER, _rows(5), fingerprint=Fingerprint.of_file(tracker_xlsx)
    )
    assert result.wrote
    assert package_diff(middle, tracker_xlsx).changed == ["xl/worksheets/sheet3.xml"]
    assert openpyxl.load_workbook(tracker_xlsx)["Sync Log"].max_row == 6
    # same content again: no write
    again = replace_owned_sheet(
        tracker_xlsx, "Sync Log", HEADER, _rows(5), fingerprint=Fingerprint.of_file(tracker_xlsx)
    )
    assert not again.wrote
    # the tracker itself still reads the same
    assert len(read_tracker(tracker_xlsx, table="Tasks").rows) == 12


def test_refuses_a_persons_sheet(tracker_xlsx: Path) -> None:
    before = tracker_xlsx.read_bytes()
    with pytest.raises(SheetNotOwned, match="Summary"):
        replace_owned_sheet(
            tracker_xlsx, "Summary", HEADER, [], fingerprint=Fingerprint.of_file(tracker_xlsx)
        )
    assert tracker_xlsx.read_bytes() == before


def test_owned_sheet_respects_fingerprint(tracker_xlsx: Path) -> None:
    fp = Fingerprint.of_file(tracker_xlsx)
    tracker_xlsx.write_bytes(tracker_xlsx.read_bytes() + b"\0")
    with pytest.raises(WorkbookChanged):
        replace_owned_sheet(tracker_xlsx, "Conflicts", HEADER, [], fingerprint=fp)


def test_owned_sheet_on_real_workbook(real_workbook, libreoffice) -> None:
    path = real_workbook("resource_and_cost_model.xlsx")
    result = replace_owned_sheet(
        path, "PMO Sync Conflicts", HEADER, _rows(2), fingerprint=Fingerprint.of_file(path)
    )
    assert result.wrote
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == "PMO Sync Conflicts"
    assert "_PMOSYNC_OWNED" in wb["PMO Sync Conflicts"].defined_names
    (out,) = libreoffice([path], "xlsx")
    ws = openpyxl.load_workbook(out, data_only=True)["PMO Sync Conflicts"]
    assert ws["B2"].value == "PMO-0" and ws["D2"].value == '=HYPERLINK("x")'


def test_owned_sheet_in_workbook_without_defined_names(real_workbook) -> None:
    path = real_workbook("raid_log.xlsx")  # has no <definedNames> yet
    replace_owned_sheet(path, "Conflicts", HEADER, _rows(1), fingerprint=Fingerprint.of_file(path))
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml")
    assert wb.index(b"<definedNames>") < wb.index(b"<calcPr")  # schema order kept
    assert b'localSheetId="5" hidden="1">"pmo-sync"' in wb
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "Conflicts" and book["Conflicts"]["B2"].value == "PMO-0"
    with pytest.raises(SheetNotOwned):
        replace_owned_sheet(path, "RAG Chart", HEADER, [], fingerprint=Fingerprint.of_file(path))


@pytest.mark.parametrize("name", ["Sync\x01Log", "Sync\nLog", "Log \ud83d", "Log'", "😀" * 16])
def test_a_sheet_name_workbook_xml_cannot_hold_is_refused(tracker_xlsx: Path, name: str) -> None:
    """A control character in workbook.xml's sheet name made the whole workbook
    unreadable (not well-formed XML); a lone surrogate crashed with a codec error; a
    trailing apostrophe and more than 31 UTF-16 units are refused by Excel."""
    before = tracker_xlsx.read_bytes()
    with pytest.raises(ValueError, match="is not a valid Excel sheet name"):
        replace_owned_sheet(
            tracker_xlsx, name, HEADER, _rows(1), fingerprint=Fingerprint.of_file(tracker_xlsx)
        )
    assert tracker_xlsx.read_bytes() == before
