from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from connectors.excel import Fingerprint, SheetNotOwned, WorkbookPatch, apply_patch, locate_tracker
from connectors.excel.template import write_template
from mappings import load_mapping
from sync.conflict_sheet import HEADER, SHEET, read_resolutions, write_conflicts_sheet
from sync.store_records import Conflict

T = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def conflict(number: int, jira: object, excel: object) -> Conflict:
    return Conflict(
        number, "alpha", "risk", "abc", f"ALPHA-{number}", "summary", "old", jira, excel, T, T, T
    )


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_template(load_mapping("builtin:raid_log"), tmp_path / "raid.xlsx")


def test_conflicts_sheet_is_written_literal_and_resolutions_read_back(workbook):
    conflicts = [
        conflict(1, "=cmd|' /C calc'!A0", "safe"),
        conflict(2, "a", "b"),
        conflict(3, 1, 2),
    ]
    write_conflicts_sheet(workbook, conflicts, fingerprint=Fingerprint.of_file(workbook))
    sheet = load_workbook(workbook)[SHEET]
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert sheet["G2"].value == "=cmd|' /C calc'!A0" and sheet["G2"].data_type == "s"
    assert read_resolutions(workbook) == []

    location = locate_tracker(workbook, sheet=SHEET)
    patch = WorkbookPatch()
    patch.set_in(location, 2, HEADER[-1], "Excel")
    patch.set_in(location, 3, HEADER[-1], "jira")
    patch.set_in(location, 4, HEADER[-1], 7)
    apply_patch(workbook, patch, expected=Fingerprint.of_file(workbook))
    resolved = {(r.conflict_id, r.choice, r.value) for r in read_resolutions(workbook)}
    assert resolved == {(1, "excel", None), (2, "jira", None), (3, "value", 7)}


def test_rewriting_replaces_the_sheet_and_other_sheets_are_untouched(workbook):
    write_conflicts_sheet(
        workbook, [conflict(1, "a", "b")], fingerprint=Fingerprint.of_file(workbook)
    )
    write_conflicts_sheet(workbook, [], fingerprint=Fingerprint.of_file(workbook))
    book = load_workbook(workbook)
    assert book[SHEET].max_row == 1
    assert book.sheetnames[:3] == ["Risk Register", "Issue Register", "Change Requests"]


def test_a_user_sheet_with_the_same_name_is_never_replaced(workbook):
    book = load_workbook(workbook)
    book.create_sheet(SHEET)["A1"] = "my notes"
    book.save(workbook)
    with pytest.raises(SheetNotOwned):
        write_conflicts_sheet(
            workbook, [conflict(1, "a", "b")], fingerprint=Fingerprint.of_file(workbook)
        )
    assert load_workbook(workbook)[SHEET]["A1"].value == "my notes"
    assert read_resolutions(workbook) == []
