"""Bring your own workbook, end to end: `pmo-sync init --from-workbook --yes` on tracker
layouts people really make, then a sync both ways against the sandbox.

Each layout (title blocks of 0-6 rows, merged and two-row headers, trackers stacked and
side by side, a table next to a plain range, Chinese, Japanese and German headers with
labels in the PMO's language, hidden columns, a header row with blanks) is mapped by
pmo-sync alone: no hand-written TOML, no column added by hand. The proposed field of
every column is checked, then: a first cycle creates the rows' issues, an edit on each
side reaches the other, and a last cycle writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.layouts import LAYOUTS
from connectors.excel.record_writes import add_row_changes
from connectors.excel.records import read_records
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from mappings.config import load_config
from mappings.mapping import load_mapping
from pmo_sync.cli import app
from sandbox import running_sandbox
from sandbox.testing import make_jira
from sync.runner import Runner

PEOPLE = """
[people]
"Alice Martin" = "alice@example.com"
"Bob Chen" = "bob@example.com"
"Carla Diaz" = "carol@example.com"
"Dev Patel" = "dave@example.com"
"""
# What each header of the layouts must be proposed as (None: kept in the workbook only).
EXPECTED = {
    "ID": None,
    "Title": "summary",
    "Probability": "probability",
    "Impact": "impact",
    "Owner": "owner",
    "Status": "status",
    "Due Date": "due_date",
    "Assessment / Probability": "probability",
    "Assessment / Impact": "impact",
    "Dates / Due": "due_date",
    "风险编号": None,
    "风险描述": "summary",
    "概率": "probability",
    "影响": "impact",
    "负责人": "owner",
    "状态": "status",
    "应对措施": "mitigation",
    "到期日": "due_date",
    "リスクID": None,
    "リスク内容": "summary",
    "発生確率": "probability",
    "影響度": "impact",
    "担当者": "owner",
    "期限": "due_date",
    "Risiko-Nr.": None,
    "Beschreibung": "summary",
    "Wahrscheinlichkeit": "probability",
    "Auswirkung": "impact",
    "Verantwortlich": "owner",
    "Maßnahmen": "mitigation",
    "Fällig am": "due_date",
}
MAPPED = [name for name in LAYOUTS if name != "no_tracker"]
# Side by side, the left tracker has no free columns for its identity columns (the right
# tracker starts two columns further): map says so and leaves it unchanged; the right
# tracker syncs. Everywhere else the first tracker is the one edited.
EDITED = {"side_by_side": 1}
NO_ROOM = {"side_by_side": 0}


def _first_column(columns: str | None) -> str | None:
    return columns.split(":", 1)[0] if columns else "A"


def _start_as_submitted(workbook: Path) -> None:
    """The change requests of 'header_with_blanks' are Approved or Rejected, which Jira's
    workflow reaches only with a Decision Date the tracker lacks (pmo-sync check says so); here
    they start as Submitted so that the mapping itself is what is tested."""
    from openpyxl import load_workbook

    book = load_workbook(workbook)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in ("Approved", "Rejected"):
                    cell.value = "Submitted"
    book.save(workbook)


def _map(tmp_path: Path, server, workbook: Path, exit_code: int = 0) -> Path:
    config = tmp_path / "pmo-sync.toml"
    env = {"PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or "", "COLUMNS": "200"}
    result = CliRunner().invoke(
        app,
        [
            "init", "--from-workbook", str(workbook), "--config", str(config),
            "--jira-url", server.url, "--email", server.credentials.email or "",
            "--project", "ALPHA", "--yes",
        ],
        env=env,
    )  # fmt: skip
    assert result.exit_code == exit_code, result.output
    config.write_text(config.read_text("utf-8") + PEOPLE, "utf-8")
    return config


@pytest.mark.parametrize("name", MAPPED)
def test_a_workbook_as_people_make_it_is_mapped_and_synced_both_ways(name, tmp_path):
    workbook = tmp_path / f"{name}.xlsx"
    layout = LAYOUTS[name](workbook)
    if name == "header_with_blanks":
        _start_as_submitted(workbook)
    primary = layout.trackers[EDITED.get(name, 0)]
    with running_sandbox(mode="cloud", seed="none", timezone="UTC") as server:
        config_path = _map(tmp_path, server, workbook, 1 if name in NO_ROOM else 0)
        config = load_config(config_path)
        spec = load_mapping(config.pairs[0].mapping, config.base_dir)
        entity = next(
            e
            for e in spec.entities
            if (e.excel.table or e.excel.sheet) in (primary.table, primary.sheet)
            and (e.excel.header_row in (None, primary.header_row) or e.excel.table)
            and (e.excel.table or _first_column(e.excel.columns) == _first_column(primary.columns))
        )
        proposed = {f.excel: f.name for f in entity.fields}
        for header in primary.headers:
            if header in EXPECTED:
                assert proposed.get(header) == EXPECTED[header], (header, proposed)
        site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=lambda s: None))
        runner = Runner(config, site=site)
        try:
            (first,) = runner.run()
            expected = "errors" if name in NO_ROOM else "ok"
            assert first.outcome == expected, first.all_errors
            if name in NO_ROOM:
                assert any("Jira Key" in e for e in first.all_errors), first.all_errors
            read = read_records(workbook, spec, entity)
            rows = sorted(read.rows, key=lambda r: r.row_number)
            filled = [r for r in primary.rows if any(v is not None for v in r)]
            assert len(rows) + len(read.errors) == len(filled), read.errors
            assert all(r.record.key for r in rows)
            mine, theirs = rows[0], rows[1]
            # Text in any script reaches the other side byte-exact (CJK, RTL, emoji).
            typed = f"{mine.record.summary} — 已编辑 ✅"
            changes: dict = {"summary": typed}
            if "probability" in proposed.values():
                changes["probability"] = 4
            patch = add_row_changes(
                WorkbookPatch(), spec, entity, read.location, mine.row_number, changes, read.styles
            )
            apply_patch(workbook, patch, expected=read.fingerprint, live=False)
            from_jira = "Jira で編集 · עודכן · 😀"
            server.store.human_edit(theirs.record.key, {"summary": from_jira})
            (second,) = runner.run()
            assert second.outcome == expected, second.all_errors
            issue = server.store.get(mine.record.key)
            assert issue.fields["summary"] == typed
            if "probability" in changes:
                field = server.store.catalog.field_by_name_or_id("Probability")
                assert field.option_by(option_id=issue.fields[field.id]).value == "High"
            again = {r.record.key: r.record for r in read_records(workbook, spec, entity).rows}
            assert again[theirs.record.key].summary == from_jira
            before = len(server.request_log)
            (third,) = runner.run()
            assert third.outcome == expected and third.counts == {}, (
                third.counts,
                third.all_errors,
            )
            writes = [r for r in server.request_log[before:] if r.method in ("PUT", "DELETE")]
            assert writes == []
        finally:
            runner.close()
