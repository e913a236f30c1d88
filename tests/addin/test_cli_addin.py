"""`pmo-sync addin` from the command line."""

from __future__ import annotations

import platform

from openpyxl import load_workbook
from typer.testing import CliRunner

from pmo_sync.cli import app


def _config(tmp_path):
    path = tmp_path / "pmo-sync.toml"
    path.write_text(
        '[jira]\nurl = "http://127.0.0.1:9"\n\n[[pair]]\nname = "a"\nworkbook = "a.xlsx"\n'
        'projects = ["ALPHA"]\n'
    )
    return str(path)


def test_addin_workbook_writes_once_and_refuses_to_overwrite(tmp_path):
    config = _config(tmp_path)
    target = tmp_path / "pmo.xlsx"
    first = CliRunner().invoke(app, ["addin", "workbook", str(target), "--config", config])
    assert first.exit_code == 0, first.output
    assert "xlwings.conf" in load_workbook(target).sheetnames
    again = CliRunner().invoke(app, ["addin", "workbook", str(target), "--config", config])
    assert again.exit_code == 2 and "--force" in again.output


def test_addin_install_explains_what_to_do_where_there_is_no_excel(tmp_path):
    if platform.system() in ("Windows", "Darwin"):
        return  # would really install; covered by the unit test with a fake runner
    result = CliRunner().invoke(app, ["addin", "install", "--config", _config(tmp_path)])
    assert result.exit_code == 2 and "Windows or macOS" in result.output
