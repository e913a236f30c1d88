"""The "PMO Compliance" sheet inside a pair's own workbook: written through the owned
sheet writer into a real template (with a person's own sheet, formats and chart added),
every other part of the package byte for byte as it was, rewritten only when the audit
changed, Jira's text literal, a workbook open in Excel left alone; and end to end, the
sheet after one `pmo-sync sync` with ``[sync] compliance_sheet = true``."""

from __future__ import annotations

import logging
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from typer.testing import CliRunner

from compliance.audit import AuditResult, Breach, ProjectScore
from compliance.workbook_sheet import (
    BREACH_HEADER,
    HEADER,
    MAX_BREACHES,
    NO_BREACHES,
    SHEET,
    compliance_rows,
    write_compliance_sheet,
)
from connectors.excel import WorkbookLocked, package_diff
from connectors.excel.package import Package
from connectors.excel.template import write_template
from mappings.config import load_config
from mappings.mapping import load_mapping
from mappings.model import build_record
from pmo_sync.cli import app, render_config, render_pair
from pmo_sync.cli_audit import record_audit
from sync.store import StateStore

AT = datetime(2026, 10, 22, 9, tzinfo=UTC)
# Parts a new sheet has to change; replacing it changes only its own part (and styles.xml
# the first time a quote-prefix style is needed).
PACKAGE_PARTS = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
    "xl/styles.xml",
}


def breach(project: str, key: str, summary: str, rule: str, severity: str, **kw: Any) -> Breach:
    return Breach(
        project,
        kw.get("entity", "risk"),
        key,
        summary,
        rule,
        kw.get("title", rule.replace("-", " ")),
        severity,
        kw.get("why", f"{rule} is not met"),
        kw.get("who", "Ana Lima"),
    )


def make_audit(*, alpha_passed: int = 7, extra: list[Breach] | None = None) -> AuditResult:
    """ALPHA: 10 checks, 3 breaches (one with a formula-looking summary, one with an
    at-sign one, one nobody to tell); BETA: all 4 checks pass; GAMMA (another pair's
    project) with a breach the sheet must not show; DELTA (in the pair) has no item."""
    result = AuditResult(AT, AT.date())
    result.projects = {
        "ALPHA": ProjectScore("ALPHA", 10, alpha_passed),
        "BETA": ProjectScore("BETA", 4, 4),
        "GAMMA": ProjectScore("GAMMA", 2, 1),
    }
    result.breaches = [
        breach("ALPHA", "ALPHA-1", "=1+1", "risk-high-mitigated", "error"),
        breach("ALPHA", "ALPHA-7", "@SUM(A1)", "risk-owner", "warning", who=None),
        breach("ALPHA", "ALPHA-9", "Vendor may slip", "risk-review-current", "info"),
        *(extra or []),
        breach("GAMMA", "GAMMA-2", "elsewhere", "risk-owner", "warning"),
    ]
    return result


PROJECTS = ["ALPHA", "BETA", "DELTA"]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """A raid_log template a PMO has made its own: a Budget sheet with a formula, fills,
    fonts, widths and a chart, and a note beside the risk register."""
    path = tmp_path / "raid.xlsx"
    write_template(load_mapping("builtin:raid_log"), path)
    book = load_workbook(path)
    budget = book.create_sheet("Budget")
    budget.append(["Quarter", "Plan", "Actual"])
    for n, (plan, actual) in enumerate([(100, 90), (120, 130), (90, 95)], start=1):
        budget.append([f"Q{n}", plan, actual])
    budget["D1"] = "Variance"
    budget["D2"] = "=C2-B2"
    budget["A1"].font = Font(bold=True, color="FFFFFF")
    budget["A1"].fill = PatternFill("solid", fgColor="1F4E78")
    budget.column_dimensions["A"].width = 18
    chart = BarChart()
    chart.add_data(
        Reference(budget, min_col=2, max_col=3, min_row=1, max_row=4), titles_from_data=True
    )
    chart.set_categories(Reference(budget, min_col=1, min_row=2, max_row=4))
    budget.add_chart(chart, "F2")
    book["Risk Register"]["Z1"] = "Reviewed by the board on Mondays"
    book.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in load_workbook(path)[SHEET].iter_rows(values_only=True)]


def breach_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows under the breach table's own header row."""
    return rows[rows.index(BREACH_HEADER) + 1 :]


def test_the_sheet_is_added_and_nothing_else_of_the_workbook_changes(workbook, tmp_path):
    before = tmp_path / "before" / workbook.name
    before.parent.mkdir()
    shutil.copy2(workbook, before)
    written = write_compliance_sheet(workbook, PROJECTS, make_audit(), keep_backups=3)
    assert written == workbook.stat().st_size > 0
    diff = package_diff(before, workbook)
    assert len(diff.added) == 1 and diff.added[0].startswith("xl/worksheets/")
    assert not diff.removed and set(diff.changed) <= PACKAGE_PARTS
    old, new = members(before), members(workbook)
    for name, data in old.items():  # every sheet, table, chart, drawing and the theme
        if name not in PACKAGE_PARTS:
            assert new[name] == data, name
            assert name in diff.raw_identical, name  # not even recompressed
    book = load_workbook(workbook)
    assert book.sheetnames == [*load_workbook(before).sheetnames, SHEET]
    assert book["Budget"]["D2"].value == "=C2-B2" and len(book["Budget"]._charts) == 1
    assert book["Budget"]["A1"].fill.fgColor.rgb[-6:] == "1F4E78"
    assert book["Risk Register"]["Z1"].value == "Reviewed by the board on Mondays"
    assert "_PMOSYNC_OWNED" in book[SHEET].defined_names

    rows = sheet_rows(workbook)
    assert rows[0] == HEADER
    assert rows[1:4] == [
        ("ALPHA", 70, 10, 7, 1, 1, 1),
        ("BETA", 100, 4, 4, 0, 0, 0),
        ("DELTA", "-", 0, 0, 0, 0, 0),  # in the pair, nothing synced yet
    ]
    assert rows[4] == (None,) * len(HEADER)
    assert rows[5] == BREACH_HEADER
    assert rows[6:] == [
        ("ALPHA", "ALPHA-1", "=1+1", "risk-high-mitigated", "error",
         "risk-high-mitigated is not met", "Ana Lima"),
        ("ALPHA", "ALPHA-7", "@SUM(A1)", "risk-owner", "warning", "risk-owner is not met", None),
        ("ALPHA", "ALPHA-9", "Vendor may slip", "risk-review-current", "info",
         "risk-review-current is not met", "Ana Lima"),
    ]  # fmt: skip
    assert not any("GAMMA" in str(r) for r in rows)  # another pair's project


def test_the_same_audit_writes_nothing_and_a_changed_one_only_the_sheet(workbook, tmp_path):
    assert write_compliance_sheet(workbook, PROJECTS, make_audit(), keep_backups=3) > 0
    stamp = workbook.read_bytes(), workbook.stat().st_mtime_ns
    again = make_audit()  # a later audit, same findings
    again.at = datetime(2026, 10, 22, 10, tzinfo=UTC)
    again.today = date(2026, 10, 23)
    assert write_compliance_sheet(workbook, PROJECTS, again, keep_backups=3) == 0
    assert (workbook.read_bytes(), workbook.stat().st_mtime_ns) == stamp

    middle = tmp_path / "middle" / workbook.name
    middle.parent.mkdir()
    shutil.copy2(workbook, middle)
    fixed = make_audit(alpha_passed=9)  # two of ALPHA's breaches resolved, a new one
    fixed.breaches = [b for b in fixed.breaches if b.key not in ("ALPHA-1", "ALPHA-7")] + [
        breach("BETA", "BETA-3", "Supplier lost", "risk-owner", "error")
    ]
    fixed.projects["BETA"].passed = 3
    assert write_compliance_sheet(workbook, PROJECTS, fixed, keep_backups=3) > 0
    diff = package_diff(middle, workbook)
    (part,) = diff.changed
    assert part.startswith("xl/worksheets/") and not diff.added and not diff.removed
    rows = sheet_rows(workbook)
    assert rows[1:4] == [
        ("ALPHA", 90, 10, 9, 0, 0, 1),
        ("BETA", 75, 4, 3, 1, 0, 0),
        ("DELTA", "-", 0, 0, 0, 0, 0),
    ]
    assert [r[1] for r in rows[6:]] == ["ALPHA-9", "BETA-3"]
    # Everything resolved: the table says so (and the sheet stays, owned).
    clean = AuditResult(AT, AT.date(), {"ALPHA": ProjectScore("ALPHA", 10, 10)})
    assert write_compliance_sheet(workbook, PROJECTS, clean, keep_backups=3) > 0
    rows = sheet_rows(workbook)
    assert rows[1] == ("ALPHA", 100, 10, 10, 0, 0, 0) and rows[6][0] == NO_BREACHES
    assert load_workbook(workbook).sheetnames.count(SHEET) == 1


def test_text_from_jira_stays_text(workbook, tmp_path):
    write_compliance_sheet(workbook, PROJECTS, make_audit(), keep_backups=3)
    sheet = load_workbook(workbook)[SHEET]
    for ref, text in (("C7", "=1+1"), ("C8", "@SUM(A1)")):
        cell = sheet[ref]
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, ref
    package = Package(workbook, workbook.read_bytes())
    info = package.sheet(SHEET)
    assert info is not None and b"<f>" not in package.read(info.part)  # no formula at all
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: its reading of the cells is not checked")
    out = tmp_path / "lo"
    subprocess.run(
        [soffice, "--headless", "--norestore",
         f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), str(workbook)],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip
    calculated = load_workbook(out / workbook.name, data_only=True)[SHEET]
    assert calculated["C7"].value == "=1+1" and calculated["C8"].value == "@SUM(A1)"


def test_a_workbook_open_in_excel_is_never_written(workbook):
    write_compliance_sheet(workbook, PROJECTS, make_audit(), keep_backups=3)
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_bytes(b"\0" * 162)  # Excel's owner file while a person has it open
    before = workbook.read_bytes()
    # Nothing to change: no write and no complaint.
    assert write_compliance_sheet(workbook, PROJECTS, make_audit(), keep_backups=3) == 0
    # A change waits until the workbook is closed.
    with pytest.raises(WorkbookLocked, match="open in a spreadsheet application"):
        write_compliance_sheet(workbook, PROJECTS, make_audit(alpha_passed=8), keep_backups=3)
    assert workbook.read_bytes() == before
    lock.unlink()
    assert write_compliance_sheet(workbook, PROJECTS, make_audit(alpha_passed=8), 3) > 0
    assert sheet_rows(workbook)[1][:4] == ("ALPHA", 80, 10, 8)


def test_a_persons_sheet_of_that_name_is_left_alone(workbook):
    book = load_workbook(workbook)
    book.create_sheet(SHEET)["A1"] = "my own notes"
    book.save(workbook)
    before = workbook.read_bytes()
    with pytest.raises(Exception, match="not created by pmo-sync"):
        write_compliance_sheet(workbook, PROJECTS, make_audit(), keep_backups=3)
    assert workbook.read_bytes() == before


def _risk(key: str, owner: str | None) -> dict[str, Any]:
    record = build_record(
        "risk",
        {"key": key, "project": key.split("-")[0], "summary": f"=risk {key}", "owner": owner,
         "probability": 1, "impact": 2},
        source="test",
    ).model_dump()  # fmt: skip
    record["sync_id"] = str(record["sync_id"])
    return record


def test_record_audit_writes_every_pair_and_one_bad_workbook_fails_none(tmp_path, caplog):
    """Three pairs: ALPHA's workbook is open in Excel, BETA's is fine, GAMMA's is missing.
    The audit is kept, BETA gets its sheet, the two others are warnings."""
    books = {}
    for name in ("alpha", "beta"):
        books[name] = tmp_path / f"{name}.xlsx"
        write_template(load_mapping("builtin:raid_log"), books[name])
    write_compliance_sheet(books["alpha"], ["ALPHA"], make_audit(), 3)  # an earlier audit
    books["alpha"].with_name("~$alpha.xlsx").write_bytes(b"\0")
    alpha_before = books["alpha"].read_bytes()
    text = render_config(
        url="http://127.0.0.1:9", email=None, workbook="alpha.xlsx",
        mapping="builtin:raid_log", projects=["ALPHA"], pair="alpha",
    )  # fmt: skip
    text = text.replace('policy = "builtin:pmo"', 'policy = "builtin:pmo"\ncompliance_sheet = true')
    for pair, project in (("beta", "BETA"), ("gamma", "GAMMA")):
        text += render_pair(
            pair=pair, workbook=f"{pair}.xlsx", mapping="builtin:raid_log", projects=[project]
        )
    (tmp_path / "pmo-sync.toml").write_text(text, "utf-8")
    loaded = load_config(tmp_path / "pmo-sync.toml")
    assert loaded.sync.compliance_sheet
    with StateStore(tmp_path / "state.db") as store:
        with store.transaction():
            store.save_items(
                "p", "risk", [_risk("ALPHA-1", None), _risk("BETA-1", None), _risk("BETA-2", "Bo")]
            )
        with caplog.at_level(logging.WARNING, logger="pmo_sync.audit"):
            result = record_audit(loaded, store)
        assert result is not None and len(store.audits("BETA")) == 1
    assert books["alpha"].read_bytes() == alpha_before
    warned = "\n".join(r.getMessage() for r in caplog.records)
    assert f"alpha: the {SHEET} sheet was not written" in warned and "open in a" in warned
    assert f"gamma: the {SHEET} sheet was not written" in warned
    rows = sheet_rows(books["beta"])
    assert rows[1][0] == "BETA" and rows[1][4:] == tuple(
        sum(b.severity == s for b in result.breaches_of("BETA"))
        for s in ("error", "warning", "info")
    )
    shown = breach_rows(rows)
    assert {r[1] for r in shown} == {b.key for b in result.breaches_of("BETA")} >= {"BETA-1"}
    assert all(r[0] == "BETA" for r in shown)
    assert next(r[2] for r in shown if r[1] == "BETA-1") == "=risk BETA-1"


def _invoke(world: Any, *args: str) -> Any:
    c = world.server.credentials
    token = (c.api_token if world.server.mode == "cloud" else c.token) or ""
    config = str(world.config.base_dir / "pmo-sync.toml")
    return CliRunner().invoke(
        app, [*args, "--config", config], env={"PMO_SYNC_JIRA_TOKEN": token, "COLUMNS": "250"}
    )


def test_one_sync_shows_the_sheet_and_a_quiet_one_leaves_the_workbook(world_factory, tmp_path):
    from sandbox import running_sandbox

    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, sync_settings="compliance_sheet = true\n")
        try:
            assert world.config.sync.compliance_sheet
            synced = _invoke(world, "sync")
            assert synced.exit_code == 0, synced.output
            with StateStore(world.store.path, read_only=True) as store:
                (kept,) = store.audits("ALPHA")
            rows = sheet_rows(world.workbook)
            assert rows[0] == HEADER
            alpha = rows[1]
            assert alpha[0] == "ALPHA"
            assert alpha[2] > 0 and alpha[1] == round(kept.score * 100, 1)
            assert rows[2] == (None,) * len(HEADER) and rows[3] == BREACH_HEADER
            shown = breach_rows(rows)
            assert {(r[1], r[3]) for r in shown} == {(b["key"], b["rule"]) for b in kept.breaches}
            assert sum(alpha[4:]) == len(kept.breaches) > 0  # the demo has breaches
            # The tracker sheets are still read as before.
            assert world.rows("risk").rows
            stamp = world.workbook.read_bytes()
            assert _invoke(world, "sync").exit_code == 0
            assert _invoke(world, "sync").exit_code == 0
            assert world.workbook.read_bytes() == stamp  # nothing changed: not rewritten
        finally:
            world.runner.close()


def test_a_very_long_breach_list_is_cut_with_a_count():
    many = [breach("ALPHA", f"ALPHA-{n}", "s", "risk-owner", "warning") for n in range(5003)]
    result = AuditResult(AT, AT.date(), {"ALPHA": ProjectScore("ALPHA", 6000, 997)}, many)
    rows = compliance_rows(["ALPHA"], result)
    assert rows[0][4:] == [0, 5003, 0]  # counted in full
    assert len(rows) == 1 + 2 + MAX_BREACHES + 1
    assert rows[-1] == ["and 3 more: see `pmo-sync audit`"]
