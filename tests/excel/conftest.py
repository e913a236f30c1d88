"""Fixtures for the Excel connector tests.

Real workbooks live outside the repo in ../shared/fixtures/workbooks (relative to the
repo root). When they (or LibreOffice) are missing, tests skip with the reason, except
under CI (env var CI set), where a missing prerequisite is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.excel.synthetic import build_tracker_workbook

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_WORKBOOKS = REPO_ROOT.parent / "shared" / "fixtures" / "workbooks"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


@pytest.fixture
def tracker_xlsx(tmp_path: Path) -> Path:
    """A generated tracker: table `Tasks` on sheet `Tracker`, validation, conditional
    formats (incl. x14), calculated formula column with cached values, dates, percents."""
    return build_tracker_workbook(tmp_path / "tracker.xlsx", rows=12)


@pytest.fixture
def real_workbook(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a shared real workbook into tmp_path (tests never write the shared copy)."""

    def get(name: str) -> Path:
        src = SHARED_WORKBOOKS / name
        if not src.exists():
            _missing(f"shared fixture workbook {src} is not available")
        dst = tmp_path / name
        shutil.copy2(src, dst)
        return dst

    return get


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice binary."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        _missing(
            "LibreOffice (soffice) is not installed; install it with apt-get install -y "
            "--no-install-recommends libreoffice-calc-nogui"
        )
    return str(exe)


_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="session")
def libreoffice(soffice: str, tmp_path_factory: pytest.TempPathFactory):
    """convert(files, fmt) -> output paths, via a private profile that forces LibreOffice
    to recalculate every formula on load. Fails if an output file is missing, because
    soffice exits 0 even when it cannot load a file."""
    import subprocess

    profile = tmp_path_factory.mktemp("lo-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU)

    def convert(files: list[Path], fmt: str = "xlsx") -> list[Path]:
        out = tmp_path_factory.mktemp("lo-out")
        proc = subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
             "--convert-to", fmt, "--outdir", str(out), *map(str, files)],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        results = [out / (f.stem + "." + fmt.split(":")[0]) for f in files]
        missing = [r for r in results if not r.exists()]
        assert not missing, f"LibreOffice did not convert {missing}: {proc.stdout}{proc.stderr}"
        return results

    return convert
