from datetime import date
from pathlib import Path
from uuid import uuid4

from openpyxl import load_workbook

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.records import add_new_rows, read_records
from connectors.excel.template import write_template
from mappings import Risk, load_mapping
from sync.excel_side import excel_patch, side_records
from sync.merge import MergeRules
from sync.plan import match_records, plan_entity
from sync.store import BaseEntry

RAID = load_mapping("builtin:raid_log")
RISK = RAID.entity("risk")
FIELDS = frozenset(f.name for f in RISK.fields if f.excel) - {"created", "raised_by"}


def test_a_planned_cycle_lands_in_the_workbook_as_one_patch(tmp_path: Path):
    path = write_template(RAID, tmp_path / "raid.xlsx")
    empty = read_records(path, RAID, RISK)
    existing = Risk(key="ALPHA-1", summary="Vendor late", probability=2, impact=3)
    apply_patch(
        path,
        add_new_rows(WorkbookPatch(), RAID, RISK, empty.location, [existing]),
        expected=empty.fingerprint,
    )
    read = read_records(path, RAID, RISK)
    excel_now = side_records(read, FIELDS)
    sync_id = str(existing.sync_id)
    base_values = dict(excel_now[0].values)
    bases = {sync_id: BaseEntry(sync_id, "ALPHA-1", base_values, None)}  # type: ignore[arg-type]
    jira_now = [
        type(excel_now[0])(sync_id, "ALPHA-1", {**base_values, "status": "mitigating"}, "ALPHA-1"),
        type(excel_now[0])(
            str(uuid4()),
            "ALPHA-7",
            {**base_values, "summary": "Supplier strike", "probability": 5},
            "ALPHA-7",
        ),
    ]
    plan = plan_entity(
        "alpha", "risk", match_records(bases, jira_now, excel_now), FIELDS, MergeRules()
    )
    assert sorted(op.kind for op in plan.operations) == ["excel_append", "excel_write"]

    patch = excel_patch(plan.operations, RAID, RISK, read.location, today=date(2026, 11, 28))
    apply_patch(path, patch, expected=read.fingerprint)
    after = read_records(path, RAID, RISK)
    assert after.errors == []
    by_key = {r.record.key: r.record for r in after.rows}
    assert by_key["ALPHA-1"].status == "mitigating" and by_key["ALPHA-1"].score == 6
    assert by_key["ALPHA-7"].summary == "Supplier strike" and by_key["ALPHA-7"].probability == 5
    sheet = load_workbook(path)["Risk Register"]
    assert sheet.max_row == 6  # header row 4; the first record filled the empty row 5
