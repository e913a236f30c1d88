"""End to end: the sync engine against the sandbox Jira over HTTP and a real workbook."""

from __future__ import annotations

from datetime import date

from sync.resolve import resolve


def test_first_sync_fills_the_workbook_and_a_second_cycle_writes_nothing(world):
    first = world.cycle()
    assert first.outcome == "ok", first.all_errors
    risks = world.rows("risk")
    assert len(risks.rows) == 5 and not risks.errors
    assert all(r.record.key and r.has_sync_id for r in risks.rows)
    before, size = world.requests(), world.workbook.read_bytes()
    second = world.cycle()
    assert second.outcome == "ok" and second.counts == {}
    assert world.workbook.read_bytes() == size
    writes = [r for r in world.server.request_log[before:] if r.method in ("PUT", "DELETE")]
    assert writes == []


def test_edits_on_both_sides_reach_the_other_side(world):
    world.cycle()
    risk = world.rows("risk").rows[0].record
    world.edit_row("risk", risk.key, probability=5, impact=5)
    change = next(
        r.record for r in world.rows("change_request").rows if r.record.status == "under_review"
    )
    world.server.store.human_transition(
        change.key, "Approve", values={"Decision Date": "2026-11-20"}
    )
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert world.jira("risk", risk.key).probability == 5
    assert world.row("change_request", change.key).record.status == "approved"
    assert world.cycle().counts == {}


def test_a_conflicting_edit_is_kept_on_both_sides_until_resolved(world):
    world.cycle()
    risk = world.rows("risk").rows[1].record
    world.edit_row("risk", risk.key, mitigation="Excel plan")
    world.server.store.human_edit(risk.key, {"Mitigation": "Jira plan"})
    result = world.cycle()
    assert result.outcome == "conflicts"
    (conflict,) = world.store.open_conflicts("alpha")
    assert (conflict.field, conflict.jira, conflict.excel) == (
        "mitigation",
        "Jira plan",
        "Excel plan",
    )
    assert world.row("risk", risk.key).record.mitigation == "Excel plan"
    assert world.jira("risk", risk.key).mitigation == "Jira plan"
    resolve(world.store, conflict.id, "excel")
    assert world.cycle().outcome == "ok"
    assert world.jira("risk", risk.key).mitigation == "Excel plan"
    assert world.store.open_conflicts("alpha") == []
    assert world.cycle().counts == {}


def test_new_rows_create_issues_and_new_issues_append_rows(world):
    world.cycle()
    from connectors.excel import WorkbookPatch, apply_patch
    from connectors.excel.records import add_new_rows
    from mappings import Risk

    read = world.rows("risk")
    row = Risk(summary="Data centre move slips", probability=3, impact=4, project="ALPHA")
    patch = add_new_rows(
        WorkbookPatch(), world.mapping, world.mapping.entity("risk"), read.location, [row]
    )
    patch.appends[0].rows[0][world.mapping.entity("risk").excel.sync_id_column] = None
    apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)
    world.server.store.human_create(
        "ALPHA", "Risk", "Key supplier insolvent", {"Probability": "Low"}
    )
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    rows = {r.record.summary: r.record for r in world.rows("risk").rows}
    assert rows["Data centre move slips"].key.startswith("ALPHA-")
    assert world.jira("risk", rows["Data centre move slips"].key).impact == 4
    assert rows["Key supplier insolvent"].key
    assert world.cycle().counts == {}
    assert date.today()  # the cycle uses the real clock; nothing else depends on it


def test_a_conflict_resolved_in_the_sheet_is_applied_by_the_next_cycle(cloud_world):
    from openpyxl import load_workbook

    from connectors.excel import Fingerprint, WorkbookPatch, apply_patch
    from sync.conflict_sheet import RESOLUTION, SHEET

    world = cloud_world
    world.cycle()
    risk = next(r.record for r in world.rows("risk").rows if r.record.status == "open")
    world.edit_row("risk", risk.key, status="closed")
    world.server.store.human_transition(risk.key, "Start Mitigation")
    assert world.cycle().outcome == "conflicts"
    sheet = load_workbook(world.workbook)[SHEET]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Field") + 1).value == "status"
    patch = WorkbookPatch().set(SHEET, 2, RESOLUTION, "jira")
    apply_patch(world.workbook, patch, expected=Fingerprint.of_file(world.workbook), live=False)
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert world.row("risk", risk.key).record.status == "mitigating"
    assert world.store.open_conflicts() == []
    assert load_workbook(world.workbook)[SHEET].max_row == 1  # only the header is left
    assert world.cycle().counts == {}


def test_a_long_cycle_reports_progress(cloud_world):
    seen = []
    cloud_world.runner.progress = lambda step, advance, total: seen.append((step, advance, total))
    cloud_world.cycle()
    read = sum(a for step, a, _ in seen if step == "alpha: reading Jira")
    assert read == sum(
        len(cloud_world.rows(e).rows) for e in ("risk", "raid_issue", "change_request")
    )
    cloud_world.edit_row("risk", cloud_world.rows("risk").rows[0].record.key, impact=2)
    seen.clear()
    cloud_world.cycle()
    assert ("alpha: writing risk to Jira", 1, 1) in seen
