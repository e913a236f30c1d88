"""The two real workbooks in ../shared, made in Excel by someone else, mapped by
`pmo-sync init --from-workbook --yes` alone (no hand-written TOML, no column added by
hand) into a mapping that syncs with the sandbox. The Open XML check of the test session
validates the workbooks pmo-sync wrote against their Excel-made originals."""

from __future__ import annotations

from typer.testing import CliRunner

from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from mappings.config import load_config
from mappings.mapping import load_mapping
from pmo_sync.cli import app
from sandbox import running_sandbox
from sandbox.testing import make_jira
from sync.runner import Runner


def _mapped(tmp_path, server, workbook):
    config = tmp_path / "pmo-sync.toml"
    env = {"PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or "", "COLUMNS": "200"}
    result = CliRunner().invoke(
        app,
        [
            "init", "--from-workbook", str(workbook), "--config", str(config),
            "--jira-url", server.url, "--email", server.credentials.email or "",
            "--project", "ALPHA", "--yes",
        ],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    loaded = load_config(config)
    return loaded, load_mapping(loaded.pairs[0].mapping, loaded.base_dir), result.output


def _cycles(server, config):
    site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=lambda s: None))
    runner = Runner(config, site=site)
    try:
        (first,) = runner.run()
        (second,) = runner.run()
        return first, second
    finally:
        runner.close()


def test_the_real_raid_log_is_mapped_alone_and_syncs(tmp_path, shared_workbook):
    workbook = shared_workbook("raid_log.xlsx")
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        config, spec, output = _mapped(tmp_path, server, workbook)
        assert {e.type: e.excel.table for e in spec.entities} == {
            "risk": "Risks",
            "raid_issue": "Issues",
            "change_request": "CRs",
        }
        risk = spec.entity("risk")
        assert {f.excel: f.name for f in risk.fields}.items() >= {
            "Description": "summary",
            "Probability": "probability",
            "Impact": "impact",
            "Status": "status",
            "Target Date": "due_date",
        }.items()
        assert "lookup list" in output  # the Definition sheet's tables are left out
        first, second = _cycles(server, config)
        assert first.outcome == "ok", first.all_errors
        assert first.counts.get("excel_append", 0) >= 10  # the demo's ALPHA issues arrived
        assert second.outcome == "ok" and second.counts == {}


def test_the_real_resource_model_is_mapped_without_guessing_and_syncs(tmp_path, shared_workbook):
    workbook = shared_workbook("resource_and_cost_model.xlsx")
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        config, spec, output = _mapped(tmp_path, server, workbook)
        # A resource and cost model: its resource plan is not guessed to be change
        # requests (below the confidence --yes accepts); its cost sheets fit no tracker.
        assert "Resources" not in {e.excel.table for e in spec.entities}
        assert "below 0.6" in output and "nothing fits" in output
        first, second = _cycles(server, config)
        assert first.outcome in ("ok",), first.all_errors
        assert second.counts == {}
