"""`pmo-sync add-id-columns`: the identity columns for the trackers of a configured pair,
as the sync's own message suggests."""

from __future__ import annotations

from typer.testing import CliRunner

from connectors.excel.layouts import LAYOUTS
from connectors.excel.records import tracker_id_columns
from mappings.mapping import load_mapping
from pmo_sync.cli import app


def test_add_id_columns_adds_them_to_a_configured_pair_once(tmp_path):
    workbook = tmp_path / "risks.xlsx"
    LAYOUTS["title_block_3"](workbook)
    mapped = CliRunner().invoke(app, ["map", str(workbook), "--yes", "--no-add-id-columns"])
    assert mapped.exit_code == 1, mapped.output  # mapped, but it cannot sync yet
    assert "add-id-columns" in mapped.output or "--add-id-columns" in mapped.output
    config = tmp_path / "pmo-sync.toml"
    config.write_text(
        '[jira]\nurl = "http://127.0.0.1:1"\n\n[[pair]]\nname = "p"\n'
        'workbook = "risks.xlsx"\nmapping = "risks.mapping.toml"\nprojects = ["ALPHA"]\n',
        "utf-8",
    )
    entity = load_mapping(tmp_path / "risks.mapping.toml").entity("risk")
    assert tracker_id_columns(workbook, entity) == {}
    added = CliRunner().invoke(app, ["add-id-columns", "--config", str(config), "--yes"])
    assert added.exit_code == 0, added.output
    assert set(tracker_id_columns(workbook, entity)) == {"key", "sync_id"}
    before = workbook.read_bytes()
    again = CliRunner().invoke(app, ["add-id-columns", "--config", str(config), "--yes"])
    assert again.exit_code == 0 and workbook.read_bytes() == before  # nothing twice


def test_checks_hint_for_missing_id_columns_works_when_pasted(tmp_path, monkeypatch):
    import re
    import shlex

    workbook = tmp_path / "my risks.xlsx"
    LAYOUTS["title_block_1"](workbook)
    CliRunner().invoke(app, ["map", str(workbook), "--yes", "--no-add-id-columns"])
    config = tmp_path / "pmo-sync.toml"
    config.write_text(
        '[jira]\nurl = "http://127.0.0.1:1"\n\n[[pair]]\nname = "p"\n'
        'workbook = "my risks.xlsx"\nmapping = "my risks.mapping.toml"\nprojects = ["ALPHA"]\n',
        "utf-8",
    )
    checked = CliRunner().invoke(app, ["check", "--config", str(config), "--offline"])
    hint = re.search(r"`(pmo-sync add-id-columns [^`]+)`", checked.output)
    assert hint, checked.output
    monkeypatch.chdir(tmp_path.parent)
    pasted = CliRunner().invoke(app, [*shlex.split(hint.group(1))[1:], "--yes"])
    assert pasted.exit_code == 0, pasted.output
    again = CliRunner().invoke(app, ["check", "--config", str(config), "--offline"])
    assert "add-id-columns" not in again.output and again.exit_code == 0, again.output
