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


def test_the_reference_sheet_has_no_text_cell_without_text(tmp_path):
    """PMO_LAST_SYNC takes no arguments: its Arguments cell was an inline string with no
    <is> child, which Excel repairs ("We found a problem with some content")."""
    import re
    import zipfile

    from excel_addin.install import write_addin_workbook

    path = write_addin_workbook(tmp_path / "pmo.xlsx", tmp_path / "state.db")
    with zipfile.ZipFile(path) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(package.read(n).decode() for n in sheets)
    cells = re.findall(r"<c\b[^>]*\bt=\"inlineStr\"[^>]*?(?:/>|>.*?</c>)", xml)
    assert cells and all("<is>" in c for c in cells), [c for c in cells if "<is>" not in c]
    rows = load_workbook(path)["Reference"].iter_rows(min_row=2, values_only=True)
    assert {name: args for name, _, args in rows}["PMO_LAST_SYNC"] == "(none)"
