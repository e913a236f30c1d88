"""A [[pair]] that names entities or policy fields its mapping lacks (issue 13, part G).

`entities = ["unicorn"]` used to sync nothing and exit 0, and a policy for
"risk.nosuchfield" was accepted and never applied. `pmo-sync check` and `pmo-sync sync`
now give the same verdict (mappings.pair_checks), and in `sync` only that pair fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.excel.template import write_template
from mappings.config import load_config
from mappings.mapping import load_mapping, parse_mapping
from mappings.pair_checks import pair_problems
from pmo_sync.cli import app, render_config, render_pair
from sync.store import StateStore

RAID_ENTITIES = "risk, raid_issue, change_request"
RAID_POLICY_FIELDS = "summary, category, probability, impact, status, mitigation, due_date"


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda *_: None)


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def write_config(folder: Path, pair_lines: str, *, url: str = "http://127.0.0.1:9", email=None):
    """One RAID-log pair on a fresh workbook, with ``pair_lines`` added to its table."""
    write_template(load_mapping("builtin:raid_log"), folder / "raid.xlsx")
    text = render_config(
        url=url,
        email=email,
        workbook="raid.xlsx",
        mapping="builtin:raid_log",
        projects=["ALPHA"],
        pair="alpha",
    )
    path = folder / "pmo-sync.toml"
    path.write_text(text + pair_lines, "utf-8")
    return path


def test_check_names_the_unknown_entities_and_the_mappings_entities(tmp_path):
    config = write_config(tmp_path, 'entities = ["risk", "unicorn", "dragon"]\n')
    result = invoke("check", "--config", str(config), "--offline")
    assert result.exit_code == 2, result.output
    assert (
        f"alpha: entities: 'unicorn', 'dragon' not in mapping raid_log; its entities: "
        f"{RAID_ENTITIES}" in result.output
    )


@pytest.mark.parametrize(
    ("key", "fragment", "valid"),
    [
        (
            "unicorn",
            "no entity 'unicorn' in mapping raid_log; write 'ENTITY' or 'ENTITY.FIELD'",
            f"with one of its entities: {RAID_ENTITIES}",
        ),
        ("risk.nosuchfield", "risk has no field 'nosuchfield'", RAID_POLICY_FIELDS),
        ("risk.description", "mapping raid_log does not map risk.description", RAID_POLICY_FIELDS),
        (
            "risk.owner",
            "risk.owner is not synced both ways: mapping raid_log gives it no Excel column",
            RAID_POLICY_FIELDS,
        ),
        (
            "risk.created",
            "risk.created has direction = 'jira-to-excel' in mapping raid_log: Jira's value "
            "always wins",
            RAID_POLICY_FIELDS,
        ),
        (
            "change_request.change_type",
            "change_request.change_type is not synced both ways: mapping raid_log gives it no "
            "Excel column",
            "fields a policy can name: summary,",
        ),
    ],
)
def test_check_refuses_a_policy_for_an_unknown_or_one_sided_field(tmp_path, key, fragment, valid):
    config = write_config(tmp_path, f'conflict_policy = {{ "{key}" = "jira-wins" }}\n')
    result = invoke("check", "--config", str(config), "--offline")
    assert result.exit_code == 2, result.output
    line = next(line for line in result.output.splitlines() if f'conflict_policy."{key}"' in line)
    assert fragment in line and valid in line


def test_only_the_policies_that_can_apply_are_refused(tmp_path):
    config = write_config(
        tmp_path,
        'conflict_policy = { "risk.status" = "jira-wins", "raid_issue" = "excel-wins", '
        '"risk.nosuchfield" = "manual" }\n',
    )
    result = invoke("check", "--config", str(config), "--offline")
    assert result.exit_code == 2, result.output
    refused = [line for line in result.output.splitlines() if "FAIL" in line]
    assert len(refused) == 1 and "risk.nosuchfield" in refused[0], result.output


def test_a_policy_for_an_entity_the_pair_does_not_sync_or_that_has_no_jira_side(tmp_path):
    config = load_config(
        write_config(
            tmp_path, 'entities = ["risk"]\nconflict_policy = { "change_request" = "jira-wins" }\n'
        )
    )
    pair = config.pairs[0]
    (problem,) = pair_problems(pair, load_mapping("builtin:raid_log"))
    assert "change_request is not synced by this pair (entities = risk)" in problem.message
    status = pair.model_copy(update={"entities": None, "conflict_policy": {"project": "manual"}})
    (problem,) = pair_problems(status, load_mapping("builtin:status_tracker"))
    assert "project is kept only in the workbook" in problem.message


def test_a_policy_for_a_derived_field_explains_it_is_computed(tmp_path):
    mapping = parse_mapping(
        'name = "scored"\n[[entity]]\ntype = "risk"\nexcel = { table = "Risks" }\n'
        'jira = { issue_type = "Risk" }\nfield = [\n'
        '  { name = "summary", excel = "Title", jira = "summary" },\n'
        '  { name = "score", excel = "Score", jira = "Risk Score", direction = "jira-to-excel" },\n'
        "]\n",
        "scored.toml",
    )
    config = load_config(write_config(tmp_path, 'conflict_policy = { "risk.score" = "manual" }\n'))
    (problem,) = pair_problems(config.pairs[0], mapping)
    assert "risk.score is computed on each side" in problem.message
    assert "fields a policy can name: summary" in problem.message


def _two_pair_config(folder: Path, server, bad_lines: str) -> Path:
    """A valid pair 'good' and a pair 'bad' (with ``bad_lines``) on one sandbox."""
    raid = load_mapping("builtin:raid_log")
    write_template(raid, folder / "good.xlsx")
    write_template(raid, folder / "bad.xlsx")
    text = render_config(
        url=server.url,
        email=server.credentials.email,
        workbook="good.xlsx",
        mapping="builtin:raid_log",
        projects=["ALPHA"],
        pair="good",
    )
    text += render_pair(
        pair="bad", workbook="bad.xlsx", mapping="builtin:raid_log", projects=["BETA"]
    )
    path = folder / "pmo-sync.toml"
    path.write_text(text + bad_lines, "utf-8")
    return path


@pytest.mark.parametrize(
    ("bad_lines", "fragment"),
    [
        (
            'entities = ["unicorn"]\n',
            f"entities: 'unicorn' not in mapping raid_log; its entities: {RAID_ENTITIES}",
        ),
        (
            'conflict_policy = { "risk.nosuchfield" = "jira-wins" }\n',
            f"conflict_policy.\"risk.nosuchfield\": risk has no field 'nosuchfield'; fields a "
            f"policy can name: {RAID_POLICY_FIELDS}",
        ),
    ],
)
def test_sync_fails_only_the_pair_that_does_not_fit_its_mapping(
    tmp_path, sandbox_server, bad_lines, fragment
):
    config = _two_pair_config(tmp_path, sandbox_server, bad_lines)
    token = {"PMO_SYNC_JIRA_TOKEN": sandbox_server.credentials.api_token}
    result = invoke("sync", "--config", str(config), env={**token, "COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    assert "bad: not synced - pair bad (mapping raid_log): pair does not fit its mapping" in (
        result.output
    )
    assert fragment in result.output
    assert "good: " in result.output and "good: not synced" not in result.output
    with StateStore(tmp_path / ".pmo-sync" / "state.db") as store:
        assert store.items(pair="good") and not store.items(pair="bad")


def test_a_pair_made_invalid_keeps_its_portfolio_until_it_is_fixed(tmp_path, sandbox_server):
    """A misspelt entity must not empty the reports: the pair fails, its items stay."""
    config = _two_pair_config(tmp_path, sandbox_server, "")
    token = {"PMO_SYNC_JIRA_TOKEN": sandbox_server.credentials.api_token}
    assert invoke("sync", "--config", str(config), env=token).exit_code == 0
    with StateStore(tmp_path / ".pmo-sync" / "state.db") as store:
        before = len(store.items(pair="good"))
    assert before
    text = config.read_text("utf-8")
    config.write_text(
        text.replace('projects = ["ALPHA"]\n', 'projects = ["ALPHA"]\nentities = ["riks"]\n', 1)
    )
    result = invoke("sync", "--config", str(config), env=token)
    assert result.exit_code == 1 and "good: not synced" in result.output
    assert "'riks' not in mapping raid_log" in result.output
    with StateStore(tmp_path / ".pmo-sync" / "state.db") as store:
        assert len(store.items(pair="good")) == before
