"""The Open XML check every test's workbooks go through (tests/ooxml_check.py), tested
by running small pytest sessions that use it, as the suite does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
CONFTEST = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("pmo_sync_ooxml_check", {str(TESTS / "ooxml_check.py")!r})
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)

def pytest_configure(config):
    config.addinivalue_line("markers", module.MARKER_LINE)
    config.pluginmanager.register(module.OoxmlCheck(config), "pmo-ooxml-check")
"""
INNER = f"""
import shutil
import pytest
from openpyxl import Workbook
from connectors.excel import Fingerprint, WorkbookPatch, apply_patch
from connectors.excel.template import write_template
from mappings import load_mapping

FIXTURES = {str(TESTS.parents[1] / "shared" / "fixtures" / "workbooks")!r}

def broken(path):
    book = Workbook()
    book.active["A1"] = ""  # openpyxl: an inline string cell without <is>
    book.active["B1"] = path.name  # distinct files (identical ones are checked once)
    book.save(path)

def test_good(tmp_path):
    write_template(load_mapping("builtin:raid_log"), tmp_path / "raid.xlsx")

def test_bad(tmp_path):
    broken(tmp_path / "bad.xlsx")

@pytest.mark.no_ooxml_check
def test_opted_out(tmp_path):
    broken(tmp_path / "bad.xlsx")

@pytest.mark.no_ooxml_check("bad*.xlsx")
def test_only_some_opted_out(tmp_path):
    broken(tmp_path / "bad_on_purpose.xlsx")
    broken(tmp_path / "worse.xlsx")

def test_fixture_copies(tmp_path):
    raid = tmp_path / "raid_log.xlsx"
    shutil.copy(FIXTURES + "/raid_log.xlsx", raid)
    raid.chmod(0o644)
    patch = WorkbookPatch().set("Risk Register", 5, "Author", "Ann")
    apply_patch(raid, patch, expected=Fingerprint.of_file(raid), live=False)
    shutil.copy(FIXTURES + "/resource_and_cost_model.xlsx", tmp_path / "untouched.xlsx")
"""


def _checker():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ooxml_check_under_test", TESTS / "ooxml_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _session(tmp_path: Path, name: str, **env: str) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (folder / "test_inner.py").write_text(textwrap.dedent(INNER))
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "PMO_OOXML_WORKERS")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "--basetemp", str(folder / "tmp"), str(folder)],
        cwd=folder, env=environment, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.no_ooxml_check  # the inner sessions leave broken workbooks on purpose
@pytest.mark.parametrize("workers", ["2", pytest.param("0", marks=pytest.mark.slow)])
def test_a_broken_workbook_fails_the_test_that_wrote_it(tmp_path: Path, workers: str) -> None:
    reason = _checker().missing_reason(_checker().validator_path())
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required when CI is set)")
        pytest.skip(reason)
    run = _session(tmp_path, "inner", PMO_OOXML_WORKERS=workers)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    errors = sorted(line for line in out.splitlines() if line.startswith("ERROR "))
    assert [e.split(" ")[1] for e in errors] == [
        "test_inner.py::test_bad",
        "test_inner.py::test_only_some_opted_out",
    ], out
    assert "bad.xlsx: /xl/worksheets/sheet1.xml | c[@r=A1] | inlineStr cell without <is>" in out
    assert "worse.xlsx: /xl/worksheets/sheet1.xml" in out and "bad_on_purpose.xlsx:" not in out
    assert "raid_log.xlsx:" not in out  # patched by us, compared with the fixture: clean
    assert "4 workbook(s)" in out  # raid.xlsx, bad.xlsx, worse.xlsx, raid_log.xlsx


@pytest.mark.no_ooxml_check  # the inner sessions leave broken workbooks on purpose
def test_without_the_validator_it_warns_locally_and_fails_under_ci(tmp_path: Path) -> None:
    absent = str(tmp_path / "no-such-validate")
    local = _session(tmp_path, "local", PMO_OOXML_VALIDATE=absent)
    assert local.returncode == 0, local.stdout
    assert local.stdout.count("workbooks written by the tests are not validated") == 1
    assert "workbook(s) NOT validated" in local.stdout
    ci = _session(tmp_path, "ci", PMO_OOXML_VALIDATE=absent, CI="true")
    assert ci.returncode == 1, ci.stdout
    assert "required when CI is set" in ci.stdout
    assert "ERROR test_inner.py::test_opted_out" not in ci.stdout  # opted out: no workbook
