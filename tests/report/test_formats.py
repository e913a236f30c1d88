"""`--format png`: the report's PDF rendered a PNG per page, in page order, by the real
LibreOffice and poppler; and what the user is told where either is not installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import pytest
from typer.testing import CliRunner

from mappings.model import build_record
from pmo_sync.cli import EXIT_PROBLEMS, EXIT_USAGE, app
from report import generate
from report.pdf import to_png
from sync.store import StateStore

PNG = b"\x89PNG\r\n\x1a\n"
CONFIG = """\
[jira]
url = "https://example.atlassian.net"
email = "pmo@example.com"

[sync]
state_store = "state.db"

[[pair]]
name = "raid"
workbook = "raid.xlsx"
mapping = "builtin:raid_log"
projects = ["ALPHA", "BETA"]
"""


def need_program(name: str) -> str:
    """Skip when a program is absent on a user's computer; fail under CI."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required when CI is set (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return found


def _record(entity: str, key: str, **values) -> dict:
    """The issue ``key`` as a cycle reads it (the same sync id every cycle)."""
    values = {"key": key, "project": key.split("-")[0], "summary": key, **values}
    record = build_record(
        entity, {"sync_id": str(uuid5(NAMESPACE_URL, key)), **values}, source="t"
    ).model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


def make_store(path: Path, projects: int = 2) -> Path:
    """A portfolio synced twice, a week apart, as cycles write it."""
    now = [datetime(2026, 11, 23, 9, tzinfo=UTC)]
    with StateStore(path, clock=lambda: now[0]) as store:
        for week, cycle in enumerate(("c1", "c2")):
            now[0] = datetime(2026, 11, 23 + 7 * week, 9, tzinfo=UTC)
            with store.transaction():
                store.begin_cycle(cycle, "raid")
                risks, changes = [], []
                for n in range(projects):
                    project = "ALPHA" if n == 0 else "BETA" if n == 1 else f"P{n:04d}"
                    risks += [
                        _record("risk", f"{project}-1", probability=4, impact=5),
                        _record("risk", f"{project}-2", probability=2, impact=3),
                    ]
                    changes.append(
                        _record(
                            "change_request",
                            f"{project}-3",
                            status="approved" if cycle == "c2" else "submitted",
                            cost_impact=1200.0,
                        )
                    )
                store.save_items("raid", "risk", risks)
                store.save_items("raid", "change_request", changes)
                store.snapshot(cycle, "raid")
                store.finish_cycle(cycle, "ok", {"counts": {}})
    return path


def _pages_of(pdf: Path) -> int:
    info = subprocess.run(
        [need_program("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def test_a_png_per_page_of_the_pdf_in_page_order(tmp_path):
    need_program("soffice")
    need_program("pdftoppm")
    with StateStore(make_store(tmp_path / "state.db")) as store:
        result = generate(store, tmp_path / "status.xlsx", png=True, remember=False)
    assert result.pdf is not None and result.pdf.exists()
    pages = _pages_of(result.pdf)
    assert pages >= 2  # the Portfolio sheet and the charts, at least
    assert [p.name for p in result.pngs] == [f"status-{n}.png" for n in range(1, pages + 1)]
    for png in result.pngs:
        assert png.parent == tmp_path and png.read_bytes()[:8] == PNG
    assert len(result.figures.projects) == 2 and result.figures.approved_cost == 2400.0
    assert [w.approved_changes for w in result.figures.weekly] == [0, 2]
    # The second image is the second page: rendered alone, it is the same picture.
    (alone,) = to_png(result.pdf, first_page=2, last_page=2)
    assert alone == result.pngs[1] and alone.read_bytes()[:8] == PNG


def test_ten_pages_or_more_keep_their_order(tmp_path):
    """pdftoppm pads the number (status-01.png) when a PDF has ten pages or more: the
    list follows the pages, not the names' alphabetical order."""
    need_program("soffice")
    need_program("pdftoppm")
    with StateStore(make_store(tmp_path / "state.db", projects=400)) as store:
        result = generate(store, tmp_path / "big.xlsx", png=True, remember=False)
    assert result.pdf is not None
    pages = _pages_of(result.pdf)
    assert pages >= 10
    width = len(str(pages))
    assert [p.name for p in result.pngs] == [f"big-{n:0{width}d}.png" for n in range(1, pages + 1)]
    # Nothing else lying next to the PDF is taken for one of its pages.
    (tmp_path / "big-notes.png").write_bytes(b"mine")
    again = to_png(result.pdf, dpi=30)
    assert again == result.pngs and (tmp_path / "big-notes.png").read_bytes() == b"mine"


def _invoke(tmp_path: Path, *args: str):
    config = tmp_path / "pmo-sync.toml"
    config.write_text(CONFIG)
    if not (tmp_path / "state.db").exists():
        make_store(tmp_path / "state.db")
    return CliRunner().invoke(
        app,
        ["report", "--config", str(config), "--out", str(tmp_path / "status.xlsx"), *args],
        env={"COLUMNS": "200"},
    )


def test_report_format_png_from_the_command_line(tmp_path):
    need_program("soffice")
    need_program("pdftoppm")
    result = _invoke(tmp_path, "--format", "png")
    assert result.exit_code == 0, result.output
    pngs = sorted(tmp_path.glob("status-*.png"))
    assert pngs and all(p.read_bytes()[:8] == PNG for p in pngs)
    assert f"wrote {tmp_path / 'status.pdf'}" in result.output
    assert f"wrote {len(pngs)} page image(s): status-1.png, " in result.output
    bad = _invoke(tmp_path, "--format", "gif")
    assert bad.exit_code == EXIT_USAGE and "use xlsx, pdf or png" in bad.output


def _run_with_only(tmp_path: Path, *programs: str) -> subprocess.CompletedProcess[str]:
    """`pmo-sync report --format png` in a process whose PATH holds only ``programs``
    (the real ones, linked): a computer on which the others are not installed. A child
    process, so this one's PATH (which other threads use) is never changed."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in programs:
        (folder / name).symlink_to(need_program(name))
    config = tmp_path / "pmo-sync.toml"
    config.write_text(CONFIG)
    make_store(tmp_path / "state.db")
    out = tmp_path / "status.xlsx"
    command = ["report", "--config", str(config), "--out", str(out), "--format", "png"]
    return subprocess.run(
        [sys.executable, "-m", "pmo_sync", *command],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(folder), "COLUMNS": "200"},
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


def test_without_pdftoppm_the_user_is_told_before_the_pdf_conversion(tmp_path):
    done = _run_with_only(tmp_path, "soffice")
    assert done.returncode == EXIT_PROBLEMS, done.stdout + done.stderr
    message = " ".join((done.stdout + done.stderr).split())  # however the console wraps it
    assert "PNG output needs poppler's pdftoppm" in message
    assert "apt install poppler-utils" in message
    assert "Traceback" not in message
    assert (tmp_path / "status.xlsx").exists()  # the workbook is written
    assert not (tmp_path / "status.pdf").exists()  # no slow conversion to no end


def test_without_libreoffice_the_user_is_told(tmp_path):
    done = _run_with_only(tmp_path, "pdftoppm")
    assert done.returncode == EXIT_PROBLEMS, done.stdout + done.stderr
    message = " ".join((done.stdout + done.stderr).split())
    assert "needs LibreOffice (soffice)" in message and "Traceback" not in message
    assert (tmp_path / "status.xlsx").exists() and not list(tmp_path.glob("status*.png"))
