from pathlib import Path

from openpyxl import load_workbook

from connectors.excel import apply_patch
from connectors.excel.template import write_template
from mappings import Risk, load_mapping
from sync.excel_side import ExcelChanges, read_entity, side_records

RAID = load_mapping("builtin:raid_log")
RISK = RAID.entity("risk")
FIELDS = frozenset({"summary", "probability", "impact", "status"})


def test_changes_of_a_cycle_land_in_the_workbook_as_one_patch(tmp_path: Path):
    path = write_template(RAID, tmp_path / "raid.xlsx")
    empty = read_entity(path, RAID, RISK, {})
    changes = ExcelChanges(RAID)
    changes.append(RISK, empty.location, [Risk(key="ALPHA-1", summary="Vendor late", impact=3)])
    apply_patch(path, changes.patch, expected=empty.fingerprint, live=False)
    read = read_entity(path, RAID, RISK, {})
    (row,) = read.rows
    changes = ExcelChanges(RAID)
    changes.write(RISK, read.location, row.row_number, {"status": "mitigating", "probability": 2})
    apply_patch(path, changes.patch, expected=read.fingerprint, live=False)
    (after,) = side_records(read_entity(path, RAID, RISK, {}), FIELDS)
    assert after.values == {
        "summary": "Vendor late",
        "probability": 2,
        "impact": 3,
        "status": "mitigating",
    }
    assert after.key == "ALPHA-1" and after.sync_id
    assert load_workbook(path)["Risk Register"].max_row == 5


def test_an_unchanged_workbook_is_not_parsed_again(tmp_path: Path):
    path = write_template(RAID, tmp_path / "raid.xlsx")
    first = read_entity(path, RAID, RISK, {})
    assert read_entity(path, RAID, RISK, {}) is first
    changes = ExcelChanges(RAID)
    changes.append(RISK, first.location, [Risk(summary="Vendor late")])
    apply_patch(path, changes.patch, expected=first.fingerprint, live=False)
    again = read_entity(path, RAID, RISK, {})
    assert again is not first and len(again.rows) == 1
