"""End to end: the sync engine against the sandbox Jira over HTTP and a real workbook."""

from __future__ import annotations

from datetime import date

import pytest

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
    from connectors.excel.record_writes import add_new_rows
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


def test_a_value_jira_rejects_fails_only_that_record_and_is_retried(cloud_world):
    world = cloud_world
    world.cycle()
    bad, good = [r.record for r in world.rows("risk").rows[:2]]
    world.edit_row("risk", bad.key, category="Not An Option")
    world.edit_row("risk", good.key, mitigation="fine")
    result = world.cycle()
    assert result.outcome == "errors"
    (error,) = result.all_errors
    assert error.startswith(f"{bad.key}:") and "Not An Option" in error
    assert world.jira("risk", good.key).mitigation == "fine"
    assert world.store.bases("alpha", "risk")[str(bad.sync_id)].values["category"] == bad.category
    again = world.cycle()  # the failed record keeps its base, so it is tried again
    assert again.outcome == "errors" and again.all_errors == result.all_errors
    world.edit_row("risk", bad.key, category="Cost")
    assert world.cycle().outcome == "ok"
    assert world.jira("risk", bad.key).category == "Cost"


def test_a_row_the_model_rejects_is_reported_and_left_alone(cloud_world):
    world = cloud_world
    world.cycle()
    row = world.rows("risk").rows[0]
    from connectors.excel import WorkbookPatch, apply_patch

    read = world.rows("risk")
    patch = WorkbookPatch().set_in(read.location, row.row_number, "Probability", "Sky high")
    apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)
    world.server.store.human_edit(row.record.key, {"Mitigation": "edited in Jira meanwhile"})
    result = world.cycle()
    assert result.outcome == "errors"
    assert any(f"row {row.row_number}" in e and "Sky high" in e for e in result.all_errors)
    assert result.counts == {}  # not mistaken for a deleted row, nothing flagged or appended
    assert len(world.rows("risk").rows) == 4 and len(world.rows("risk").errors) == 1


def test_one_broken_pair_does_not_stop_the_others(tmp_path, world_factory, cloud_world):
    from sync.runner import PairFailure

    world = cloud_world
    config_path = world.config.base_dir / "pmo-sync.toml"
    text = config_path.read_text()
    text += '\n[[pair]]\nname = "missing"\nworkbook = "nowhere.xlsx"\nprojects = ["BETA"]\n'
    config_path.write_text(text)
    from mappings.config import load_config
    from sync.runner import Runner

    runner = Runner(load_config(config_path), site=world.runner.site)
    results = {r.pair: r for r in runner.run()}
    runner.close()
    assert (
        isinstance(results["missing"], PairFailure) and "nowhere.xlsx" in results["missing"].error
    )
    assert results["alpha"].outcome == "ok" and results["alpha"].counts


def test_changes_written_into_a_workbook_open_in_excel_wait_for_the_save(cloud_world, monkeypatch):
    """Excel took the rows live (the file on disk does not have them yet): the next cycle
    must not read the stale file (it would append again, or take the rows as deleted)."""
    import sync.excel_apply
    from connectors.excel import apply_patch as real_apply
    from connectors.excel.patch import PatchResult
    from sync.runner import PairFailure

    world = cloud_world
    unsaved = []

    def into_excel(path, patch, **kwargs):
        unsaved.append((patch, kwargs["expected"]))
        return PatchResult(path, live=True, cells_written=1)

    monkeypatch.setattr(sync.excel_apply, "apply_patch", into_excel)
    assert world.cycle().outcome == "ok" and unsaved
    (refused,) = world.runner.run()
    assert isinstance(refused, PairFailure) and "save it in Excel" in refused.error
    for patch, expected in unsaved:  # the person saves: Excel writes the file
        real_apply(world.workbook, patch, expected=expected, live=False)
    monkeypatch.undo()
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert len(world.rows("risk").rows) == 5  # appended once, not twice
    assert world.cycle().counts == {}


def test_an_issue_deleted_in_jira_flags_its_row_and_never_deletes_it(world):
    from openpyxl import load_workbook

    world.cycle()
    gone = world.rows("risk").rows[0]
    store = world.server.store
    store.delete(store.get(gone.record.key))
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert result.counts == {"excel_flag": 1}
    read = world.rows("risk")
    assert len(read.rows) == 5  # the row is still there, with everything in it
    sheet = load_workbook(world.workbook)[read.location.sheet]
    flag = read.location.column_for("Sync Status")
    assert sheet[f"{flag}{gone.row_number}"].value.startswith("Not in Jira scope since ")
    assert world.cycle().counts == {}  # flagged once, not every cycle


def _deleted_in_jira_edited_in_excel(world):
    world.cycle()
    row = world.rows("risk").rows[0]
    store = world.server.store
    store.delete(store.get(row.record.key))
    world.edit_row("risk", row.record.key, mitigation="Excel kept working on it")
    result = world.cycle()
    assert result.outcome == "conflicts", result.all_errors
    (conflict,) = world.store.open_conflicts("alpha")
    assert conflict.field == "(record)" and conflict.jira is None
    # Shown as what happened on each side, not as three dictionaries.
    from openpyxl import load_workbook

    sheet = load_workbook(world.workbook)["Sync Conflicts"]
    shown = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert shown["Jira value"] == "issue deleted or out of scope"
    assert shown["Excel value"] == "edited: mitigation = 'Excel kept working on it'"
    assert shown["Value at last sync"] == f"record {row.record.summary!r}"
    return row, conflict


def test_keeping_an_edited_row_whose_issue_was_deleted_creates_it_again(world):
    row, conflict = _deleted_in_jira_edited_in_excel(world)
    said = resolve(world.store, conflict.id, "excel")
    assert "created again" in said
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert result.counts == {"jira_create": 1}
    kept = world.rows("risk").rows[0]
    assert kept.row_number == row.row_number and kept.record.sync_id == row.record.sync_id
    assert kept.record.key and kept.record.key != row.record.key
    recreated = world.jira("risk", kept.record.key)
    assert recreated.mitigation == "Excel kept working on it"
    assert recreated.summary == row.record.summary
    assert world.store.open_conflicts("alpha") == []
    assert world.cycle().counts == {}


def test_accepting_that_an_edited_rows_issue_was_deleted_flags_the_row(world):
    row, conflict = _deleted_in_jira_edited_in_excel(world)
    resolve(world.store, conflict.id, "jira")
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert result.counts == {"excel_flag": 1}
    kept = world.row("risk", row.record.key)
    assert kept.record.mitigation == "Excel kept working on it"  # nothing in the row is lost
    assert world.cycle().counts == {}


def test_new_status_tracker_rows_become_issues_of_the_type_their_row_names(tmp_path, world_factory):
    from connectors.excel import WorkbookPatch, apply_patch
    from connectors.excel.record_writes import add_new_rows
    from mappings.model import WorkItem
    from sandbox import running_sandbox

    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, "builtin:status_tracker", entities=["work_item"])
        try:
            assert world.cycle().outcome == "ok"
            read = world.rows("work_item")
            new = [
                WorkItem(summary="Write the runbook", item_type="story", project="ALPHA"),
                WorkItem(
                    summary="Book the cutover window",
                    item_type="task",
                    status="in_progress",
                    project="ALPHA",
                ),
            ]
            entity = world.mapping.entity("work_item")
            patch = add_new_rows(WorkbookPatch(), world.mapping, entity, read.location, new)
            for values in patch.appends[0].rows:
                values[entity.excel.sync_id_column] = None
            apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)
            result = world.cycle()
            assert result.outcome == "ok", result.all_errors
            rows = {r.record.summary: r.record for r in world.rows("work_item").rows}
            store = server.store
            types = {
                summary: store.catalog.issue_types[
                    store.get(rows[summary].key).fields["issuetype"]
                ].name
                for summary in ("Write the runbook", "Book the cutover window")
            }
            assert types == {"Write the runbook": "Story", "Book the cutover window": "Task"}
            assert world.jira("work_item", rows["Book the cutover window"].key).status == (
                "in_progress"
            )
            assert world.cycle().counts == {}
        finally:
            world.runner.close()


def test_an_issue_edited_in_jira_during_the_cycle_is_not_overwritten(cloud_world, monkeypatch):
    """A PM saves an issue between the cycle's read and its write: the workbook's change
    waits, and the next cycle sees both edits (a conflict, as both touched one field)."""
    from sync.cycle import PairSync

    world = cloud_world
    world.cycle()
    risk = world.rows("risk").rows[0].record
    world.edit_row("risk", risk.key, mitigation="Workbook plan", probability=2)
    write_workbook = PairSync._write_workbook

    def pm_saves_meanwhile(self, *args, **kwargs):
        world.server.store.human_edit(risk.key, {"Mitigation": "PM's plan, saved mid-cycle"})
        monkeypatch.setattr(PairSync, "_write_workbook", write_workbook)
        return write_workbook(self, *args, **kwargs)

    monkeypatch.setattr(PairSync, "_write_workbook", pm_saves_meanwhile)
    result = world.cycle()
    assert result.outcome == "errors"
    assert any(risk.key in e and "changed in Jira" in e for e in result.all_errors)
    in_jira = world.jira("risk", risk.key)
    assert in_jira.mitigation == "PM's plan, saved mid-cycle"  # not overwritten
    assert in_jira.probability == risk.probability  # nothing of the row was written yet
    result = world.cycle()
    assert result.outcome == "conflicts", result.all_errors
    (conflict,) = world.store.open_conflicts("alpha")
    assert (conflict.field, conflict.jira, conflict.excel) == (
        "mitigation",
        "PM's plan, saved mid-cycle",
        "Workbook plan",
    )
    assert world.jira("risk", risk.key).probability == 2  # the other edit went through


def test_keeping_a_row_whose_issue_only_left_the_scope_never_duplicates_it(tmp_path, world_factory):
    from sandbox import running_sandbox

    with running_sandbox(mode="datacenter", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server)
        world.cycle()
        row = world.rows("risk").rows[0]
        world.runner.close()
        # The admin narrows the pair's JQL: the issue still exists, outside the scope.
        world = world_factory(
            tmp_path, server, keep_workbook=True, pair_settings=f'jql = "key != {row.record.key}"\n'
        )
        try:
            world.edit_row("risk", row.record.key, mitigation="Still ours")
            assert world.cycle().outcome == "conflicts"
            (conflict,) = world.store.open_conflicts("alpha")
            resolve(world.store, conflict.id, "excel")
            issues = len(server.store.issues)
            result = world.cycle()
            assert len(server.store.issues) == issues  # no duplicate of the living issue
            (error,) = result.all_errors
            assert f"{row.record.key} still exists in Jira, outside this pair's scope" in error
            # Clearing the key is the person's explicit "make a new issue of this row".
            from connectors.excel import WorkbookPatch, apply_patch
            from connectors.excel.record_writes import add_row_changes

            read = world.rows("risk")
            patch = add_row_changes(
                WorkbookPatch(),
                world.mapping,
                world.mapping.entity("risk"),
                read.location,
                row.row_number,
                {"key": None},
            )
            apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)
            result = world.cycle()
            assert result.outcome == "ok", result.all_errors
            assert result.counts == {"jira_create": 1}
            kept = next(r for r in world.rows("risk").rows if r.row_number == row.row_number)
            assert kept.record.key not in (None, row.record.key)
            assert world.jira("risk", kept.record.key).mitigation == "Still ours"
            assert world.cycle().counts == {}
        finally:
            world.runner.close()


@pytest.mark.parametrize("entities", [None, ["risk"]], ids=["shared-search", "one-entity"])
def test_an_edit_that_search_shows_late_is_still_read(tmp_path, world_factory, entities):
    """Cloud's search is eventually consistent: an edit may be indexed after a later edit
    of another issue moved the cursor past it. It must still reach the workbook."""
    from datetime import UTC, datetime, timedelta

    from sandbox import running_sandbox
    from sync.jira_side import CURSOR

    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, entities=entities)
        try:
            world.cycle()
            risk = world.rows("risk").rows[0].record
            server.store.human_edit(risk.key, {"Mitigation": "Indexed late"})
            ahead = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
            with world.store.transaction():
                for entity in entities or ("risk", "raid_issue", "change_request"):
                    world.store.set_cursor("alpha", entity, CURSOR, ahead)
            result = world.cycle()
            assert result.outcome == "ok", result.all_errors
            assert world.row("risk", risk.key).record.mitigation == "Indexed late"
            assert world.cycle().counts == {}
        finally:
            world.runner.close()


def _paste_copy(world, row, **changes):
    """What a person does with copy and paste: a new row carrying the hidden ids too."""
    from connectors.excel import WorkbookPatch, apply_patch
    from connectors.excel.record_writes import add_new_rows

    entity = world.mapping.entity("risk")
    read = world.rows("risk")
    patch = add_new_rows(WorkbookPatch(), world.mapping, entity, read.location, [row.record])
    values = patch.appends[0].rows[0]
    for header, value in changes.items():
        values[header] = value
    apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)


def test_a_pasted_copy_without_its_key_becomes_a_new_issue(cloud_world):
    world = cloud_world
    world.cycle()
    original = world.rows("risk").rows[0]
    _paste_copy(world, original, **{"Jira Key": None, "Description": "Copied risk"})
    issues = len(world.server.store.issues)
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert result.counts.get("jira_create") == 1 and len(world.server.store.issues) == issues + 1
    rows = world.rows("risk").rows
    copy = next(r for r in rows if r.record.summary == "Copied risk")
    assert copy.record.key not in (None, original.record.key)
    assert copy.record.sync_id != original.record.sync_id  # the copy has its own identity
    assert world.row("risk", original.record.key).record == original.record
    assert world.cycle().counts == {}


def test_a_pasted_copy_with_its_key_is_reported_and_nothing_is_written(cloud_world):
    world = cloud_world
    world.cycle()
    original = world.rows("risk").rows[0]
    _paste_copy(world, original)
    before = world.requests()
    result = world.cycle()
    (error,) = result.all_errors
    assert f"{original.record.key} is on rows {original.row_number}, " in error
    writes = [r for r in world.server.request_log[before:] if r.method in ("PUT", "DELETE")]
    assert writes == [] and not world.store.open_conflicts("alpha")


def test_a_renamed_pair_does_not_leave_its_old_portfolio_behind(cloud_world):
    """Reports and formulas read the store's items: a pair renamed in the configuration
    must not be counted twice, nor its old name forever."""
    from mappings.config import load_config
    from sync.runner import Runner

    world = cloud_world
    world.cycle()
    risks = len(world.store.items("risk"))
    assert risks and world.store.items("risk", "alpha")
    path = world.config.base_dir / "pmo-sync.toml"
    path.write_text(path.read_text().replace('name = "alpha"', 'name = "alpha-renamed"'))
    runner = Runner(load_config(path), site=world.runner.site, store=world.store)
    (result,) = runner.run()
    assert result.outcome == "ok", result.all_errors
    assert result.counts == {}  # the rows are recognised by key: nothing is written
    assert world.store.items("risk", "alpha") == []
    assert len(world.store.items("risk")) == risks  # counted once, under the new name


def test_an_entity_taken_out_of_a_pair_leaves_the_portfolio(tmp_path, world_factory):
    from sandbox import running_sandbox

    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server)
        world.cycle()
        assert world.store.items("change_request", "alpha")
        world.runner.close()
        world = world_factory(tmp_path, server, keep_workbook=True, entities=["risk"])
        try:
            assert world.cycle().outcome == "ok"
            assert world.store.items("change_request", "alpha") == []
            assert world.store.items("risk", "alpha")  # the entity still synced stays
        finally:
            world.runner.close()
