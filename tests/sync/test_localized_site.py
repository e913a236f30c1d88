"""A Jira site that names its issue types and fields in the PMO's language.

A Chinese PMO's site calls the risk issue type 风险 and its custom fields 概率, 影响 and
应对措施; `pmo-sync init --from-workbook` must find them from the synonyms files (the site
has no "Risk" or "Probability" to match by English name), and the mapping it writes must
sync: issues are created as 风险 and a probability edited in Excel reaches 概率.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.layouts import LAYOUTS
from connectors.excel.record_writes import add_row_changes
from connectors.excel.records import read_records
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from mappings.config import load_config
from mappings.mapping import load_mapping
from pmo_sync.cli import app
from sandbox import running_sandbox
from sandbox.testing import make_jira
from sync.runner import Runner

RENAMED_FIELDS = {"Probability": "概率", "Impact": "影响", "Mitigation": "应对措施"}
PEOPLE = """
[people]
"Alice Martin" = "alice@example.com"
"Bob Chen" = "bob@example.com"
"Carla Diaz" = "carol@example.com"
"Dev Patel" = "dave@example.com"
"""


def _localize(server) -> None:
    catalog = server.store.catalog
    risk = next(t for t in catalog.issue_types.values() if t.name == "Risk")
    catalog.issue_types[risk.id] = replace(risk, name="风险")
    for english, chinese in RENAMED_FIELDS.items():
        catalog.custom_field(english).name = chinese


def test_a_site_in_chinese_is_matched_by_its_own_names_and_syncs(tmp_path: Path):
    workbook = tmp_path / "风险登记册.xlsx"
    LAYOUTS["chinese"](workbook)
    config_path = tmp_path / "pmo-sync.toml"
    with running_sandbox(mode="cloud", seed="none", timezone="UTC") as server:
        _localize(server)
        result = CliRunner().invoke(
            app,
            [
                "init", "--from-workbook", str(workbook), "--config", str(config_path),
                "--jira-url", server.url, "--email", server.credentials.email or "",
                "--project", "ALPHA", "--yes",
            ],
            env={"PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or "", "COLUMNS": "200"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        config_path.write_text(config_path.read_text("utf-8") + PEOPLE, "utf-8")
        config = load_config(config_path)
        spec = load_mapping(config.pairs[0].mapping, config.base_dir)
        (entity,) = spec.entities
        assert entity.jira.issue_type == "风险"
        jira_of = {f.name: f.jira for f in entity.fields}
        assert jira_of["probability"] == "概率"
        assert jira_of["impact"] == "影响"
        assert jira_of["mitigation"] == "应对措施"
        text = (config.base_dir / config.pairs[0].mapping).read_text("utf-8")
        assert "概率" in text and "Chinese" in text  # the reason names the language

        site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=lambda s: None))
        runner = Runner(config, site=site)
        try:
            (first,) = runner.run()
            assert first.outcome == "ok", first.all_errors
            read = read_records(workbook, spec, entity)
            row = read.rows[0]
            issue = server.store.get(row.record.key)
            risk_type = server.store.catalog.issue_type(issue.fields["issuetype"])
            assert risk_type is not None and risk_type.name == "风险"
            patch = add_row_changes(
                WorkbookPatch(), spec, entity, read.location, row.row_number,
                {"probability": 4}, read.styles,
            )  # fmt: skip
            apply_patch(workbook, patch, expected=read.fingerprint, live=False)
            (second,) = runner.run()
            assert second.outcome == "ok", second.all_errors
            field = server.store.catalog.custom_field("概率")
            issue = server.store.get(row.record.key)
            assert field.option_by(option_id=issue.fields[field.id]).value == "High"
            (third,) = runner.run()
            assert third.counts == {}, third.counts
        finally:
            runner.close()
