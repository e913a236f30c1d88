"""Rows <-> canonical records through the default mappings (generated and real workbooks)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from connectors.excel import WorkbookPatch, apply_patch, package_diff
from connectors.excel.record_writes import add_new_rows, add_row_changes
from connectors.excel.records import read_records
from connectors.excel.template import write_template
from mappings import ChangeRequest, Risk, load_mapping

RAID = load_mapping("builtin:raid_log")
RISK = RAID.entity("risk")


def comparable(record):
    return record.model_dump(exclude={"updated"})


@pytest.fixture
def blank_raid(tmp_path: Path) -> Path:
    return write_template(RAID, tmp_path / "raid.xlsx")


def test_records_round_trip_through_a_generated_workbook(blank_raid):
    before = read_records(blank_raid, RAID, RISK)
    assert before.rows == [] and before.errors == []
    risks = [
        Risk(
            key="ALPHA-1",
            summary="Vendor late",
            category="Schedule",
            probability=4,
            impact=3,
            status="Mitigating",
            mitigation="Weekly calls",
            due_date=date(2026, 12, 1),
        ),
        Risk(summary='=HYPERLINK("http://evil","click")', probability="VL", impact="VH"),
        Risk(summary="@SUM(A1)", status="closed"),
    ]
    patch = add_new_rows(WorkbookPatch(), RAID, RISK, before.location, risks)
    result = apply_patch(blank_raid, patch, expected=before.fingerprint)
    assert result.rows_appended == 3

    after = read_records(blank_raid, RAID, RISK)
    assert after.errors == []
    assert [comparable(r.record) for r in after.rows] == [comparable(r) for r in risks]
    assert all(r.has_sync_id for r in after.rows)
    sheet = load_workbook(blank_raid)["Risk Register"]
    injected = [c for c in sheet["B"] if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert len(injected) == 2 and all(c.data_type == "s" for c in injected)
    assert sheet.cell(after.rows[0].row_number, 6).value == 4  # numeric 1-5 scale stays numeric


def test_a_bad_row_is_reported_and_the_others_are_read(blank_raid):
    before = read_records(blank_raid, RAID, RISK)
    patch = add_new_rows(
        WorkbookPatch(), RAID, RISK, before.location, [Risk(summary="good"), Risk(summary="bad")]
    )
    apply_patch(blank_raid, patch, expected=before.fingerprint)
    middle = read_records(blank_raid, RAID, RISK)
    bad_row = middle.rows[1].row_number
    patch = WorkbookPatch().set_in(middle.location, bad_row, "Probability", "Hgh")
    patch.set_in(middle.location, bad_row, "Target Date", "soon")
    apply_patch(blank_raid, patch, expected=middle.fingerprint)

    after = read_records(blank_raid, RAID, RISK)
    assert [r.record.summary for r in after.rows] == ["good"]
    (error,) = after.errors
    text = str(error)
    assert f"raid.xlsx, Risk Register row {bad_row}" in text
    assert "column 'Probability'" in text and "'Hgh'" in text and "allowed: 1, 2, 3, 4, 5" in text
    assert "field 'due_date'" in text


def test_row_changes_write_only_the_changed_cells(blank_raid):
    before = read_records(blank_raid, RAID, RISK)
    apply_patch(
        blank_raid,
        add_new_rows(
            WorkbookPatch(),
            RAID,
            RISK,
            before.location,
            [Risk(summary="r", probability=2, impact=2)],
        ),
        expected=before.fingerprint,
    )
    read = read_records(blank_raid, RAID, RISK)
    row = read.rows[0]
    changed = row.record.with_changes(probability=5, status="mitigating")
    patch = add_row_changes(
        WorkbookPatch(),
        RAID,
        RISK,
        read.location,
        row.row_number,
        {"probability": changed.probability, "status": changed.status, "key": "ALPHA-9"},
    )
    result = apply_patch(blank_raid, patch, expected=read.fingerprint)
    assert result.cells_written == 3
    again = read_records(blank_raid, RAID, RISK).rows[0].record
    assert (again.probability, again.score, again.status, again.key) == (
        5,
        10,
        "mitigating",
        "ALPHA-9",
    )
    assert again.sync_id == row.record.sync_id


def test_change_request_decision_is_derived_not_read(tmp_path):
    change_log = load_mapping("builtin:change_log")
    entity = change_log.entity("change_request")
    path = write_template(change_log, tmp_path / "changes.xlsx")
    before = read_records(path, change_log, entity)
    crs = [
        ChangeRequest(
            summary="Add SSO",
            status="approved",
            cost_impact=2500,
            schedule_impact_days=5,
            change_type="cost",
        )
    ]
    apply_patch(
        path,
        add_new_rows(WorkbookPatch(), change_log, entity, before.location, crs),
        expected=before.fingerprint,
    )
    after = read_records(path, change_log, entity)
    record = after.rows[0].record
    assert (record.decision, record.cost_impact, record.change_type) == ("approved", 2500.0, "cost")
    sheet = load_workbook(path)["Change Log"]
    header = [c.value for c in sheet[4]]
    assert sheet.cell(after.rows[0].row_number, header.index("Decision") + 1).value == "Approved"


def test_real_raid_log_rows_become_records_and_only_touched_cells_change(real_workbook):
    path = real_workbook("raid_log.xlsx")
    original = path.with_name("original.xlsx")
    original.write_bytes(path.read_bytes())
    read = read_records(path, RAID, RISK)
    assert read.errors == []
    first = read.location.first_data_row
    patch = WorkbookPatch()
    for header, value in (
        ("Description", "Data centre exit slips"),
        ("Probability", 3),
        ("Impact", 4),
        ("Status", "Open"),
        ("Category", "System"),
    ):
        patch.set_in(read.location, first, header, value)
    apply_patch(path, patch, expected=read.fingerprint)

    after = read_records(path, RAID, RISK)
    (row,) = [r for r in after.rows if r.row_number == first]
    assert (row.record.summary, row.record.score, row.record.level) == (
        "Data centre exit slips",
        12,
        "high",
    )
    assert not row.has_sync_id  # the real log has no Sync ID column
    diff = package_diff(original, path)
    assert set(diff.changed) <= {"xl/worksheets/sheet1.xml", "xl/workbook.xml"}, diff
    assert not diff.added and not diff.removed


def test_template_leaves_a_list_unvalidated_when_a_label_has_a_comma_or_quote(tmp_path):
    """A data-validation list is one quoted string split at commas: a label with a
    quote ended it early (Excel drops such a validation when it repairs the file) and
    one with a comma became two choices. The other lists stay."""
    import importlib.resources

    text = (importlib.resources.files("mappings") / "defaults" / "raid_log.toml").read_text()
    text = text.replace('"3" = ["3", "Medium", "M"]', '"3" = ["Medium, \\"M\\"", "3", "M"]', 1)
    custom = tmp_path / "custom.toml"
    custom.write_text(text)
    mapping = load_mapping(custom)
    path = write_template(mapping, tmp_path / "custom.xlsx")
    sheet = load_workbook(path)["Risk Register"]
    headers = {c.value: c.column_letter for c in sheet[4]}
    lists = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
        for v in sheet.data_validations.dataValidation
    }
    assert headers["Probability"] not in lists  # the list with the odd label
    assert lists[headers["Impact"]] == '"1,2,3,4,5"'  # an ordinary one is kept
