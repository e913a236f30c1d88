"""A table whose range no longer matches its cells is refused, on reads and on writes.

openpyxl's ``delete_rows`` (and ``insert_rows``) moves the cells but leaves every table's
``ref`` where it was, so the first data row ends up where the header should be. Before
this was caught, ``locate_tracker`` took that data row for the header: the row vanished
from every read, and writes went into a table Excel then had to repair.

The workbooks here are damaged on purpose, hence no Open XML validation of them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from connectors.excel import (
    Fingerprint,
    WorkbookPatch,
    apply_patch,
    locate_tracker,
    read_tracker,
)
from connectors.excel import errors as excel_errors
from connectors.excel.record_writes import add_new_rows
from connectors.excel.records import read_records
from connectors.excel.template import write_template
from mappings import Risk, load_mapping

pytestmark = pytest.mark.no_ooxml_check  # damaged workbooks, made so on purpose

RAID = load_mapping("builtin:raid_log")
RISK = RAID.entity("risk")


def _delete_rows(path: Path, sheet: str, row: int) -> None:
    """What a script does to the workbook: openpyxl load, delete_rows, save."""
    book = load_workbook(path)
    book[sheet].delete_rows(row)
    book.save(path)


def _out_of_step() -> type[Exception]:
    """The error class (looked up late, so that against code without it these tests
    fail on what that code does, not on an import)."""

    class NotRaisedByThisCode(Exception):
        pass

    return getattr(excel_errors, "TableOutOfStep", NotRaisedByThisCode)


def test_real_raid_log_with_a_row_deleted_above_the_table_is_refused(real_workbook) -> None:
    path = real_workbook("raid_log.xlsx")
    assert read_tracker(path, table="Risks").location.header_row == 4  # sound as shipped
    _delete_rows(path, "Risk Register", 2)  # the row under the title, above the table
    with pytest.raises(_out_of_step()) as refused:
        read_tracker(path, table="Risks")
    message = str(refused.value)
    assert "table 'Risks' on sheet 'Risk Register'" in message
    assert "range A4:P24 puts its header on row 4" in message
    assert "A4 holds 1 instead of 'ID'; B4 holds nothing instead of 'Author'" in message
    assert "The column names are on row 3" in message
    for remedy in ("repair the table", "restore the workbook from a backup", "Resize Table"):
        assert remedy in message
    assert refused.value.table == "Risks" and refused.value.expected[:2] == ["ID", "Author"]
    # Found by sheet and headers instead of by table name: the same refusal.
    with pytest.raises(_out_of_step()):
        locate_tracker(path, sheet="Risk Register", expected_headers=["ID", "Author", "Status"])


def test_writes_into_a_table_out_of_step_are_refused_and_nothing_is_written(
    real_workbook,
) -> None:
    path = real_workbook("raid_log.xlsx")
    _delete_rows(path, "Risk Register", 2)
    before = path.read_bytes()
    patches = [
        WorkbookPatch().append([{"ID": 21, "Author": "Ann"}], table="Risks"),
        WorkbookPatch().append([{"ID": 21, "Author": "Ann"}], sheet="Risk Register"),
        WorkbookPatch().set("Risk Register", 6, "Author", "Ann"),
    ]
    for patch in patches:
        with pytest.raises(_out_of_step(), match="table 'Risks' on sheet 'Risk Register'"):
            apply_patch(path, patch, expected=Fingerprint.of_file(path), live=False)
    assert path.read_bytes() == before
    # The other tables of the workbook are sound and still written.
    result = apply_patch(
        path,
        WorkbookPatch().append([{"ID": 1, "Title": "CR one"}], table="CRs"),
        expected=Fingerprint.of_file(path),
        live=False,
    )
    assert result.appended_rows == {"CRs": [5]}


def test_generated_template_with_its_title_row_deleted_is_refused(tmp_path: Path) -> None:
    path = write_template(RAID, tmp_path / "raid.xlsx")
    read = read_records(path, RAID, RISK)
    risk = Risk(key="ALPHA-1", summary="Vendor late", probability=4, impact=3)
    patch = add_new_rows(WorkbookPatch(), RAID, RISK, read.location, [risk])
    apply_patch(path, patch, expected=read.fingerprint, live=False)
    assert [r.record.key for r in read_records(path, RAID, RISK).rows] == ["ALPHA-1"]
    kept = tmp_path / "kept.xlsx"
    shutil.copy(path, kept)
    _delete_rows(path, "Risk Register", 1)
    with pytest.raises(_out_of_step(), match=r"A4 holds 'ALPHA-1' instead of 'Jira Key'"):
        read_records(path, RAID, RISK)
    assert [r.record.key for r in read_records(kept, RAID, RISK).rows] == ["ALPHA-1"]


def test_two_rows_deleted_is_refused_when_the_tracker_is_found_by_its_headers(
    real_workbook,
) -> None:
    """With two rows gone the column names sit two rows above the table's range; found
    by sheet and headers, the sheet's header row must not hide the stale table."""
    path = real_workbook("raid_log.xlsx")
    _delete_rows(path, "Risk Register", 1)
    _delete_rows(path, "Risk Register", 1)
    with pytest.raises(_out_of_step(), match=r"A4 holds 2 instead of 'ID'.*names are on row 2"):
        locate_tracker(path, sheet="Risk Register", expected_headers=["ID", "Author", "Status"])
