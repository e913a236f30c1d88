"""CLI behaviour and exit codes (0 ok, 1 conflicts/errors, 2 usage or config)."""

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pmo_sync import __version__
from pmo_sync.cli import app, render_config
from report import palette
from sandbox import running_sandbox

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda *_: None)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_unknown_command_is_a_usage_error():
    assert invoke("frobnicate").exit_code == 2


def test_init_writes_config_and_workbook_then_check_passes_offline(tmp_path):
    config = tmp_path / "pmo-sync.toml"
    result = invoke("init", "--config", str(config), "--create-workbook", "--project", "BETA")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "raid_log.xlsx").exists()
    assert 'projects = ["BETA"]' in config.read_text()
    result = invoke("check", "--config", str(config), "--offline")
    assert result.exit_code == 0, result.output
    assert "table Risks on sheet 'Risk Register'" in result.output
    assert "0 failed" in result.output


def test_a_status_trackers_projects_sheet_is_optional_and_needs_no_sync_id(tmp_path):
    from openpyxl import load_workbook

    config = tmp_path / "pmo-sync.toml"
    args = ("--mapping", "builtin:status_tracker", "--workbook", str(tmp_path / "status.xlsx"))
    assert invoke("init", "--config", str(config), "--create-workbook", *args).exit_code == 0
    result = invoke("check", "--config", str(config), "--offline")
    assert "sheet Projects on sheet 'Projects'" in result.output
    assert "0 failed, 0 warnings" in result.output  # no Sync ID wanted on Projects
    book = load_workbook(tmp_path / "status.xlsx")
    del book["Projects"]
    book.save(tmp_path / "status.xlsx")
    result = invoke("check", "--config", str(config), "--offline")
    assert result.exit_code == 0, result.output
    assert "no sheet Projects (optional" in result.output


def test_init_refuses_to_overwrite(tmp_path):
    config = tmp_path / "pmo-sync.toml"
    config.write_text("keep me")
    result = invoke("init", "--config", str(config))
    assert result.exit_code == 2 and "already exists" in result.output
    assert config.read_text() == "keep me"


def test_check_example_config_prints_readable_report():
    result = invoke("check", "--config", str(REPO / "config.example.toml"), "--offline")
    assert "alpha-raid: mapping: raid_log (3 entities)" in result.output
    assert "pmo-sync template" in result.output  # the example's workbook is not shipped
    assert result.exit_code == 2


def test_the_missing_workbook_hint_works_when_pasted(tmp_path, monkeypatch):
    import re
    import shlex

    from mappings.mapping import load_mapping

    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "mine.toml").write_text(
        (REPO / "mappings" / "defaults" / "change_log.toml").read_text("utf-8"), "utf-8"
    )
    config = tmp_path / "conf" / "pmo-sync.toml"
    config.parent.mkdir()
    config.write_text(
        render_config(
            url="http://127.0.0.1:1",
            email="a@b.c",
            workbook="my trackers/changes.xlsx",
            mapping="../maps/mine.toml",
            projects=["ALPHA"],
            pair="p",
        ),
        "utf-8",
    )
    (tmp_path / "conf" / "my trackers").mkdir()
    first = invoke("check", "--config", str(config), "--offline")
    hint = re.search(r"`(pmo-sync template [^`]+)`", first.output.replace("\n", ""))
    assert hint, first.output
    monkeypatch.chdir(tmp_path)  # pasted from another folder
    pasted = invoke(*shlex.split(hint.group(1))[1:])
    assert pasted.exit_code == 0, pasted.output
    load_mapping(tmp_path / "maps" / "mine.toml")
    again = invoke("check", "--config", str(config), "--offline")
    assert again.exit_code == 0, again.output


def test_check_refuses_embedded_token(tmp_path):
    config = tmp_path / "c.toml"
    text = render_config(
        url="http://127.0.0.1:1",
        email="a@b.c",
        workbook="w.xlsx",
        mapping="builtin:raid_log",
        projects=["ALPHA"],
        pair="p",
    )
    config.write_text(text.replace('token_env = "PMO_SYNC_JIRA_TOKEN"', 'api_token = "ATATT-123"'))
    result = invoke("check", "--config", str(config))
    assert result.exit_code == 2
    assert "embeds a secret" in result.output and "ATATT-123" not in result.output


def test_check_malformed_config_is_exit_2(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[jira\nurl=")
    result = invoke("check", "--config", str(config))
    assert result.exit_code == 2 and "(syntax)" in result.output


def test_report_without_a_synced_store_says_to_sync_first(tmp_path):
    config = tmp_path / "pmo-sync.toml"
    invoke("init", "--config", str(config))
    result = invoke("report", "--config", str(config))
    assert result.exit_code == 2 and "run `pmo-sync sync` first" in result.output


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_check_against_the_sandbox(tmp_path, mode):
    with running_sandbox(mode=mode, seed="demo") as server:
        creds = server.credentials
        config = tmp_path / "pmo-sync.toml"
        assert (
            invoke(
                "init",
                "--config",
                str(config),
                "--create-workbook",
                "--jira-url",
                server.url,
                *(["--email", creds.email] if mode == "cloud" else []),
            ).exit_code
            == 0
        )
        token = creds.api_token if mode == "cloud" else creds.token
        result = invoke("check", "--config", str(config), env={"PMO_SYNC_JIRA_TOKEN": token})
        assert result.exit_code == 0, result.output
        assert f"reachable ({mode})" in result.output

        result = invoke("check", "--config", str(config), env={"PMO_SYNC_JIRA_TOKEN": "wrong"})
        assert result.exit_code == 2 and "refused the credentials (401)" in result.output
        assert "wrong" not in result.output.replace("wrong)", "")

        result = invoke("check", "--config", str(config), env={"PMO_SYNC_JIRA_TOKEN": ""})
        assert result.exit_code == 0 and "Jira checks skipped" in result.output


def test_check_reports_unknown_jira_field_with_similar_names(tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'name = "m"\n[[entity]]\ntype = "risk"\nexcel = { table = "Risks" }\n'
        'jira = { issue_type = "Risk" }\nfield = [\n'
        '  { name = "summary", excel = "Description", jira = "summary" },\n'
        '  { name = "probability", excel = "Probability", jira = "Probabilty" },\n]\n'
    )
    with running_sandbox(mode="cloud", seed="demo") as server:
        config = tmp_path / "pmo-sync.toml"
        invoke(
            "init",
            "--config",
            str(config),
            "--create-workbook",
            "--jira-url",
            server.url,
            "--email",
            server.credentials.email,
            "--mapping",
            str(mapping),
        )
        result = invoke(
            "check",
            "--config",
            str(config),
            env={"PMO_SYNC_JIRA_TOKEN": server.credentials.api_token},
        )
    assert result.exit_code == 2
    assert "Jira has no field named 'Probabilty'; similar fields: Probability" in result.output


def test_check_unreachable_jira(tmp_path):
    config = tmp_path / "pmo-sync.toml"
    invoke("init", "--config", str(config), "--create-workbook", "--jira-url", "http://127.0.0.1:9")
    result = invoke("check", "--config", str(config), env={"PMO_SYNC_JIRA_TOKEN": "x"})
    assert result.exit_code == 2 and "cannot reach http://127.0.0.1:9" in result.output


def test_demo_runs_end_to_end(tmp_path):
    result = invoke("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    raid_path = tmp_path / "demo" / "portfolio_raid_log.xlsx"
    workbook = load_workbook(raid_path)
    assert {"Risks", "Issues", "CRs"} <= {
        name for sheet in workbook.worksheets for name in sheet.tables
    }
    # Twelve replayed weeks, one cycle each, then today's cycle with edits on both sides.
    weeks = [line for line in result.output.splitlines() if "week of" in line]
    assert len(weeks) == 12 and "first sync" in weeks[0], result.output
    assert "1 open conflict(s)" in result.output
    from connectors.excel.records import read_records
    from mappings import load_mapping

    raid = load_mapping("builtin:raid_log")
    changes = read_records(raid_path, raid, raid.entity("change_request"))
    assert {"approved", "rejected", "deferred", "submitted"} <= {
        r.record.status for r in changes.rows
    }
    assert workbook["Sync Conflicts"].max_row == 2
    # And the status report of the synced portfolio, opened again here.
    report = load_workbook(tmp_path / "demo" / "pmo-status-report.xlsx")
    sheet = report["Portfolio"]
    header_row = next(
        r for r in range(1, 10) if [c.value for c in sheet[r]][:2] == ["Project", "Name"]
    )
    header = [c.value for c in sheet[header_row]]
    rows = [
        dict(zip(header, r, strict=False))
        for r in sheet.iter_rows(min_row=header_row + 1, values_only=True)
        if r[0]
    ]
    assert len(rows) == 7
    assert {r["RAG"] for r in rows} == {"Red", "Amber", "Green"}
    alpha = next(r for r in rows if r["Project"] == "ALPHA")
    assert alpha["Manager"] == "Priya Shah" and alpha["SPI"] == pytest.approx(0.9)
    # The history is the engine's own: one snapshot per cycle, spread over the weeks.
    from sync.store import StateStore

    with StateStore(tmp_path / "demo" / ".pmo-sync" / "state.db", read_only=True) as store:
        moments = sorted({t.at for t in store.snapshot_totals()})
    assert (moments[-1] - moments[0]).days >= 7 * 11
    # The PMO's policy audit finds what the troubled projects were made to lack, and
    # nothing in the well-run ones.
    assert "9. Policy audit" in result.output
    assert "Compliance" in report.sheetnames
    audited = invoke("audit", "--json", "--config", str(tmp_path / "demo" / "pmo-sync.toml"))
    assert audited.exit_code == 1, audited.output  # breaches of severity error exist
    found = json.loads(audited.output)
    scores = {p["project"]: p["score"] for p in found["projects"]}
    assert all(scores[k] == 1.0 for k in ("BETA", "GAMMA", "EPSILON")), scores
    unplanned = {b["project"] for b in found["breaches"] if b["rule"] == "risk-high-mitigated"}
    assert unplanned and unplanned <= {"ALPHA", "DELTA", "ETA", "ZETA"}
    # The resource plan against the team's estimates: one person over-allocated, shown
    # red on the report's Resources sheet with the two tasks driving it.
    over = [line for line in result.output.splitlines() if "booked" in line]
    assert len(over) == 1 and "carol@example.com booked 150%" in over[0], result.output
    resources = report["Resources"]
    carol = next(r for r in range(6, 12) if resources.cell(r, 1).value == "carol@example.com")
    next_week = resources.cell(carol, 6)  # E is this week, F the next
    assert next_week.value == pytest.approx(1.5)
    assert next_week.fill.fgColor.rgb.endswith(palette.RAG["Red"].fill)


def test_sandbox_command_serves_jira_shaped_json_and_stops_cleanly(tmp_path):
    import signal
    import subprocess
    import sys

    import requests

    data = tmp_path / "jira.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pmo_sync",
            "sandbox",
            "--seed",
            "demo",
            "--port",
            "0",
            "--data",
            str(data),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[0].split("listening on ")[1].strip()
        assert lines[1].strip() == "email: pmo-bot@example.com"
        assert lines[2].strip().startswith("api token: ")
        token = lines[2].split(":", 1)[1].strip()
        answer = requests.get(
            f"{url}/rest/api/2/myself", auth=("pmo-bot@example.com", token), timeout=5
        )
        assert answer.status_code == 200 and answer.json()["emailAddress"] == "pmo-bot@example.com"
        assert requests.get(f"{url}/rest/api/2/myself", timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert data.exists()  # state persisted on exit


def test_conflicts_and_log_read_the_state_store(tmp_path, monkeypatch):
    from pmo_sync import cli
    from sync.store import StateStore
    from sync.store_records import AuditEntry

    monkeypatch.setattr(cli.console, "width", 200)

    config = tmp_path / "pmo-sync.toml"
    invoke("init", "--config", str(config))
    result = invoke("conflicts", "--config", str(config))
    assert result.exit_code == 0 and "nothing has been synced" in result.output

    with StateStore(tmp_path / ".pmo-sync" / "state.db") as store:
        store.record_conflict(
            "alpha-raid-log",
            "risk",
            "abc",
            "ALPHA-1",
            "status",
            base="open",
            jira="closed",
            excel="mitigating",
        )
        store.append_audit(
            [
                AuditEntry(
                    "cycle-1", "alpha-raid-log", "risk", "abc", "ALPHA-1", "impact", 2, 4, "to_jira"
                )
            ]
        )
    result = invoke("conflicts", "--config", str(config))
    assert result.exit_code == 1
    assert (
        "ALPHA-1" in result.output
        and "'closed'" in result.output
        and "'mitigating'" in result.output
    )
    result = invoke("log", "--config", str(config))
    assert result.exit_code == 0 and "impact" in result.output and "to_jira" in result.output


def test_template_writes_a_fresh_tracker_and_never_overwrites(tmp_path):
    from typer.testing import CliRunner

    target = tmp_path / "changes.xlsx"
    first = CliRunner().invoke(app, ["template", str(target), "--mapping", "builtin:change_log"])
    assert first.exit_code == 0 and target.exists(), first.output
    before = target.read_bytes()
    again = CliRunner().invoke(app, ["template", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    assert target.read_bytes() == before
