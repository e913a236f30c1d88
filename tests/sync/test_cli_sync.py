"""`pmo-sync sync` and `pmo-sync resolve` as a user runs them, against the sandbox."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pmo_sync.cli import app


def invoke(world, *args: str):
    env = {"PMO_SYNC_JIRA_TOKEN": world.server.credentials.api_token or "", "COLUMNS": "250"}
    config = str(world.config.base_dir / "pmo-sync.toml")
    return CliRunner().invoke(app, [*args, "--config", config], env=env)


def test_dry_run_shows_the_plan_and_changes_nothing(cloud_world):
    before = cloud_world.workbook.read_bytes()
    result = invoke(cloud_world, "sync", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "add row" in result.output and "ALPHA-" in result.output
    assert cloud_world.workbook.read_bytes() == before
    as_json = invoke(cloud_world, "sync", "--dry-run", "--json")
    (pair,) = json.loads(as_json.output)
    kinds = {op["kind"] for plan in pair["plans"] for op in plan["operations"]}
    assert kinds == {"excel_append"} and pair["dry_run"] is True


def test_sync_then_conflict_then_resolve_from_the_command_line(cloud_world):
    world = cloud_world
    assert invoke(world, "sync").exit_code == 0
    risk = world.rows("risk").rows[0].record
    world.edit_row("risk", risk.key, mitigation="from Excel")
    world.server.store.human_edit(risk.key, {"Mitigation": "from Jira"})
    result = invoke(world, "sync")
    assert result.exit_code == 1 and "1 open conflict" in result.output
    listed = invoke(world, "conflicts")
    assert "mitigation" in listed.output and listed.exit_code == 1
    (conflict,) = world.store.open_conflicts()
    bad = invoke(world, "resolve", str(conflict.id), "--use", "both")
    assert bad.exit_code == 2 and "exactly one of" in bad.output
    done = invoke(world, "resolve", str(conflict.id), "--value", "Merged plan")
    assert done.exit_code == 0 and "Merged plan" in done.output
    assert invoke(world, "sync").exit_code == 0
    assert world.row("risk", risk.key).record.mitigation == "Merged plan"
    assert world.jira("risk", risk.key).mitigation == "Merged plan"
    log = invoke(world, "log")
    assert "Merged plan" in log.output and "excel->jira" in log.output


def test_unknown_pair_is_a_usage_error(cloud_world):
    result = invoke(cloud_world, "sync", "--pair", "nope")
    assert result.exit_code == 2 and "no pair named nope" in result.output


def test_a_whole_record_conflict_is_listed_and_resolved_from_the_command_line(cloud_world):
    world = cloud_world
    assert invoke(world, "sync").exit_code == 0
    risk = world.rows("risk").rows[0].record
    world.server.store.delete(world.server.store.get(risk.key))
    world.edit_row("risk", risk.key, mitigation="Second supplier")
    assert invoke(world, "sync").exit_code == 1
    listed = invoke(world, "conflicts")
    assert listed.exit_code == 1
    assert "issue deleted or out of scope" in listed.output
    assert "edited: mitigation = 'Second supplier'" in listed.output
    (conflict,) = world.store.open_conflicts()
    done = invoke(world, "resolve", str(conflict.id), "--use", "excel")
    assert done.exit_code == 0 and "created again" in done.output
    assert invoke(world, "sync").exit_code == 0
    kept = next(r for r in world.rows("risk").rows if r.record.sync_id == risk.sync_id)
    assert kept.record.key != risk.key and kept.record.mitigation == "Second supplier"
