"""Errors are never hidden: a dry run prints what the real cycle would report, and a create
Jira refused is reported on every cycle until fixed (not "no changes" while it settles)."""

from __future__ import annotations

from typer.testing import CliRunner

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.record_writes import add_new_rows
from mappings import Risk
from pmo_sync.cli import app


def invoke(world, *args: str):
    env = {"PMO_SYNC_JIRA_TOKEN": world.server.credentials.api_token or "", "COLUMNS": "250"}
    config = str(world.config.base_dir / "pmo-sync.toml")
    return CliRunner().invoke(app, [*args, "--config", config], env=env)


def _new_risk(world, **values) -> None:
    """A person adding a row (no key, no sync id yet)."""
    read = world.rows("risk")
    entity = world.mapping.entity("risk")
    patch = add_new_rows(WorkbookPatch(), world.mapping, entity, read.location, [Risk(**values)])
    patch.appends[0].rows[0][entity.excel.sync_id_column] = None
    apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)


def test_a_dry_run_prints_the_errors_and_warnings_the_cycle_would(cloud_world):
    world = cloud_world
    assert invoke(world, "sync").exit_code == 0
    risk = world.rows("risk").rows[0]
    patch = WorkbookPatch().set_in(
        world.rows("risk").location, risk.row_number, "Probability", "Hgh"
    )
    apply_patch(world.workbook, patch, expected=world.rows("risk").fingerprint, live=False)
    real_errors = world.cycle(dry_run=True).all_errors
    assert real_errors and any("Hgh" in e for e in real_errors)
    planned = invoke(world, "sync", "--dry-run")
    assert planned.exit_code == 1
    assert "Hgh" in planned.output and "error" in planned.output, planned.output


def test_a_create_jira_refuses_is_reported_on_every_cycle(cloud_world):
    world = cloud_world
    world.cycle()
    _new_risk(world, summary="Unicorn shortage", category="Unicorns", project="ALPHA")
    first = world.cycle()
    assert first.outcome == "errors" and any("Unicorns" in e for e in first.all_errors)
    second = world.cycle()  # at once: within Cloud's search settle window
    assert second.outcome == "errors", (second.counts, second.all_warnings)
    assert any("Unicorns" in e and "row" in e for e in second.all_errors)
    assert not world.store.intents("alpha", "risk")  # a refused create leaves no intent
    sandbox = world.server.store
    assert not [i for i in sandbox.issues.values() if i.fields.get("summary") == "Unicorn shortage"]
