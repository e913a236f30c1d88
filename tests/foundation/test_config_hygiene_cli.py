"""User mistakes get a one-line error and exit code 2, never a traceback; and the one
path rule of the command line (issue 13, parts G and 9).

The traceback cases run the real `pmo-sync` in a subprocess, as a user (or cron) does,
and look at everything it printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pmo_sync.cli import app, render_config
from report.dashboard import SHEET


def pmo_sync(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMO_SYNC_JIRA_TOKEN": "not-used", "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "pmo_sync", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def assert_usage_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    shown = done.stdout + done.stderr
    assert "Traceback" not in shown, shown
    assert done.returncode == 2, shown
    for fragment in fragments:
        assert fragment in shown, shown


def write_config(folder: Path, *, workbook: str = "raid.xlsx", sync_lines: str = "") -> Path:
    text = render_config(
        url="http://127.0.0.1:9",
        email="pm@example.com",
        workbook=workbook,
        mapping="builtin:raid_log",
        projects=["ALPHA"],
        pair="alpha",
    )
    if sync_lines:
        text = text.replace('state_store = ".pmo-sync/state.db"\n', sync_lines)
    path = folder / "pmo-sync.toml"
    path.write_text(text, "utf-8")
    return path


# -- a configuration file saved by Notepad in another encoding -------------------------


@pytest.mark.parametrize(
    ("encoding", "fragment"), [("utf-16", "saved as UTF-16"), ("latin-1", "is not UTF-8")]
)
@pytest.mark.parametrize("command", ["check", "sync", "daemon", "report"])
def test_a_config_not_in_utf8_is_a_message_not_a_traceback(tmp_path, encoding, fragment, command):
    path = write_config(tmp_path)
    path.write_text(path.read_text("utf-8") + "# Équipe projet\n", encoding)
    done = pmo_sync(command, "--config", str(path))
    assert_usage_error(done, fragment, "save it as UTF-8")


# -- a folder where the workbook should be ---------------------------------------------


@pytest.mark.parametrize("command", [["check", "--offline"], ["sync"]])
def test_a_folder_given_as_the_workbook_is_named(tmp_path, command):
    (tmp_path / "raid.xlsx").mkdir()
    done = pmo_sync(*command, "--config", str(write_config(tmp_path)))
    assert_usage_error(done, f"{tmp_path / 'raid.xlsx'} is a folder, not a workbook")


# -- a state store that cannot exist where it is configured ----------------------------

STORE_COMMANDS = [
    ["sync"],
    ["daemon", "--max-cycles", "1"],
    ["report"],
    ["conflicts"],
    ["log"],
    ["status"],
    ["resolve", "1", "--use", "jira"],
]


@pytest.mark.parametrize("command", STORE_COMMANDS, ids=lambda c: c[0])
def test_a_state_store_under_a_file_is_named_by_every_command(tmp_path, command):
    (tmp_path / "blocker").write_text("a file, not a folder")
    config = write_config(tmp_path, sync_lines='state_store = "blocker/state.db"\n')
    done = pmo_sync(*command, "--config", str(config))
    assert_usage_error(done, f"{tmp_path / 'blocker'} is a file, not a folder")


@pytest.mark.parametrize("command", [["sync"], ["report"], ["conflicts"]], ids=lambda c: c[0])
def test_a_state_store_that_is_a_folder_is_named(tmp_path, command):
    (tmp_path / "store").mkdir()
    config = write_config(tmp_path, sync_lines='state_store = "store"\n')
    done = pmo_sync(*command, "--config", str(config))
    assert_usage_error(done, "is a folder; name a file in it instead", "store/state.db")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("command", [["sync"], ["daemon", "--max-cycles", "1"]])
def test_a_state_store_folder_that_cannot_be_created_is_named(tmp_path, command):
    config = write_config(tmp_path, sync_lines='state_store = "/proc/pmo-sync-test/state.db"\n')
    done = pmo_sync(*command, "--config", str(config))
    assert_usage_error(done, "cannot create the folder of the state store /proc/pmo-sync-test")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="needs POSIX permissions that apply (root may write anywhere)",
)
@pytest.mark.parametrize("command", [["sync"], ["report"], ["daemon", "--max-cycles", "1"]])
def test_a_read_only_state_store_folder_is_named(tmp_path, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        config = write_config(tmp_path, sync_lines='state_store = "locked/state.db"\n')
        done = pmo_sync(*command, "--config", str(config))
    finally:
        locked.chmod(0o755)
    assert_usage_error(done, f"its folder {locked} is read-only for this user")


# -- 9. command-line paths are read from the current folder ----------------------------


def test_report_out_and_into_are_read_from_the_current_folder(
    synced, real_raid_log, tmp_path, monkeypatch
):
    here = tmp_path / "elsewhere"
    here.mkdir()
    shutil.copy2(real_raid_log, here / "pmo-workbook.xlsx")
    config_folder = synced.config.parent
    before = set(config_folder.iterdir())
    monkeypatch.chdir(here)
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--config",
            str(synced.config),
            "--out",
            "week.xlsx",
            "--into",
            "pmo-workbook.xlsx",
        ],
        env={"COLUMNS": "300"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (here / "week.xlsx").is_file()
    assert SHEET in load_workbook(here / "pmo-workbook.xlsx").sheetnames
    assert f"refreshed the '{SHEET}' sheet in pmo-workbook.xlsx" in result.output
    new_in_config_folder = {p.name for p in set(config_folder.iterdir()) - before}
    assert not new_in_config_folder & {"week.xlsx", "pmo-workbook.xlsx"}


def test_init_reads_workbook_and_mapping_from_the_current_folder(tmp_path, monkeypatch):
    """The written configuration names the same files from its own folder, so `check`
    finds them from anywhere."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(
        Path(__file__).resolve().parents[2] / "mappings" / "defaults" / "raid_log.toml",
        work / "my_mapping.toml",
    )
    monkeypatch.chdir(work)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "init",
            "--config",
            "conf/pmo-sync.toml",
            "--workbook",
            "raid.xlsx",
            "--mapping",
            "my_mapping.toml",
            "--create-workbook",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (work / "raid.xlsx").is_file() and not (work / "conf" / "raid.xlsx").exists()
    text = (work / "conf" / "pmo-sync.toml").read_text("utf-8")
    assert 'workbook = "../raid.xlsx"' in text and 'mapping = "../my_mapping.toml"' in text
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["check", "--config", "work/conf/pmo-sync.toml", "--offline"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "table Risks on sheet 'Risk Register'" in result.output
