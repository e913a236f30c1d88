"""The report's Compliance sheet, from a real store: items that pass and breach the
built-in PMO policy, audits kept at several moments on the store's own clock, and the
sheet read back against the AuditResult and the kept audits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.chart.axis import DateAxis
from typer.testing import CliRunner

from compliance.audit import audit_store, remember
from compliance.policy import BUILTIN, load_policy
from mappings.model import build_record
from pmo_sync.cli import app
from report import generate, palette
from report.compliance_sheet import (
    CHART_PROJECTS,
    DATA_COLUMN,
    SCORE_HEADER_ROW,
    portfolio_score,
    rating,
    weekly_scores,
)
from report.strings import TEXT, Strings
from sync.store import StateStore

AS_OF = date(2026, 10, 22)
POLICY = load_policy(BUILTIN)
# Audits kept: week ending 10-11 (one), 10-18 (two: the later one counts), 10-25 (one).
MOMENTS = [
    datetime(2026, 10, 6, 9, tzinfo=UTC),
    datetime(2026, 10, 13, 9, tzinfo=UTC),
    datetime(2026, 10, 15, 9, tzinfo=UTC),
    datetime(2026, 10, 21, 9, tzinfo=UTC),
]
OWNERLESS = [5, 4, 3, 2]  # BETA's risks without an owner at each moment


class Clock:
    def __init__(self) -> None:
        self.now = MOMENTS[0]

    def __call__(self) -> datetime:
        return self.now


def _record(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    values = {"sync_id": str(uuid.uuid5(uuid.NAMESPACE_URL, values["key"])), **values}
    record = build_record(entity, values, source="test").model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


def fill(store: StateStore, ownerless: int) -> None:
    """ALPHA: 10 owned low risks and an action without a due date (10/11, Green);
    BETA: 10 low risks, ``ownerless`` of them without an owner, and a started work item
    without dates; GAMMA: two critical risks without a mitigation, one past its review."""
    risks = [
        _record("risk", {"key": f"ALPHA-{n}", "project": "ALPHA", "summary": f"risk {n}",
                         "owner": "Ana", "probability": 1, "impact": 2})
        for n in range(1, 11)
    ]  # fmt: skip
    risks += [
        _record("risk", {"key": f"BETA-{n}", "project": "BETA",
                         "summary": "=HYPERLINK(\"http://x\")" if n == 1 else f"supplier {n}",
                         "owner": None if n <= ownerless else "Bo",
                         "probability": 2, "impact": 1})
        for n in range(1, 11)
    ]  # fmt: skip
    risks += [
        _record("risk", {"key": "GAMMA-1", "project": "GAMMA", "owner": "Chen Wei",
                         "summary": "The data centre move may slip past the freeze " * 3,
                         "probability": 4, "impact": 4, "next_review": "2026-10-01"}),
        _record("risk", {"key": "GAMMA-2", "project": "GAMMA", "owner": "Chen Wei",
                         "summary": "Key engineer may leave", "probability": 5, "impact": 4}),
    ]  # fmt: skip
    store.save_items("p", "risk", risks)
    store.save_items("p", "action", [
        _record("action", {"key": "ALPHA-20", "project": "ALPHA", "summary": "book the room",
                           "owner": "Ana", "status": "open"}),
    ])  # fmt: skip
    store.save_items("p", "work_item", [
        _record("work_item", {"key": "BETA-30", "project": "BETA", "summary": "build it",
                              "status": "in_progress", "assignee": "Dee"}),
    ])  # fmt: skip


@pytest.fixture
def audited(tmp_path: Path) -> Iterator[tuple[StateStore, Clock]]:
    """A store with four audits kept, and the portfolio as of the last one."""
    clock = Clock()
    with StateStore(tmp_path / "state.db", clock=clock) as store:
        for moment, ownerless in zip(MOMENTS, OWNERLESS, strict=True):
            clock.now = moment
            with store.transaction():
                fill(store, ownerless)
                remember(store, audit_store(store, POLICY, today=AS_OF, at=store.clock()))
        clock.now = datetime(2026, 10, 22, 10, tzinfo=UTC)
        yield store, clock


def rows_from(sheet: Any, first: int) -> list[list[Any]]:
    found = []
    for row in sheet.iter_rows(min_row=first, max_col=8, values_only=True):
        if row[0] is None:
            break
        found.append(list(row))
    return found


def find_row(sheet: Any, text: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == text:
            return row
    raise AssertionError(f"{text!r} not in column A")


def test_scores_counts_and_breaches_equal_the_audit(audited, tmp_path):
    store, _ = audited
    result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, policy=POLICY)
    fresh = audit_store(store, POLICY, today=AS_OF)
    audit = result.audit
    assert audit is not None and audit.projects.keys() == fresh.projects.keys()
    assert audit.breaches == fresh.breaches
    book = load_workbook(result.path)
    assert book.sheetnames[book.sheetnames.index("Changes") + 1] == "Compliance"
    sheet = book["Compliance"]
    assert sheet["A1"].value == "Compliance with the PMO policy"
    assert "builtin:pmo" in sheet["A2"].value and "2026-10-22" in sheet["A2"].value
    header = [c.value for c in sheet[SCORE_HEADER_ROW]][:8]
    assert header == ["Project", "Score", "Rating", "Checks", "Passed", "Errors", "Warnings",
                      "Info"]  # fmt: skip
    table = rows_from(sheet, SCORE_HEADER_ROW + 1)
    assert [r[0] for r in table] == ["ALPHA", "BETA", "GAMMA", "Whole portfolio"]
    for row in table[:3]:
        p = audit.projects[row[0]]
        mine = audit.breaches_of(row[0])
        assert row[1] == pytest.approx(p.score) and row[3:5] == [p.checks, p.passed]
        assert row[5:8] == [sum(b.severity == s for b in mine) for s in ("error", "warning",
                                                                           "info")]  # fmt: skip
    # The store's portfolio as built: ALPHA 10/11 (Green), BETA 8/11 (Amber), GAMMA 2/5 (Red).
    assert [(r[3], r[4], r[2]) for r in table[:3]] == [
        (11, 10, "Green"), (11, 8, "Amber"), (5, 2, "Red")
    ]  # fmt: skip
    total = table[3]
    assert total[1] == pytest.approx(portfolio_score(audit)) == pytest.approx(20 / 27)
    assert total[3:] == [27, 20, 4, 2, 1]
    # The breach list: every breach, in the audit's order, with whom to tell.
    top = find_row(sheet, f"Breaches: {len(audit.breaches)}")
    assert [c.value for c in sheet[top + 1]][:7] == [
        "Project", "Key", "Summary", "Rule", "Severity", "Why", "Whom to tell"
    ]  # fmt: skip
    shown = [list(r[:7]) for r in sheet.iter_rows(min_row=top + 2, max_row=top + 1 +
                                                  len(audit.breaches), values_only=True)]  # fmt: skip
    want = [[b.project, b.key, b.summary, b.rule, b.severity.capitalize(), b.why, b.who]
            for b in audit.breaches]  # fmt: skip
    assert shown == want
    assert sheet.cell(top + 2 + len(audit.breaches), 1).value is None
    injected = next(r for r in range(top + 2, sheet.max_row + 1) if sheet.cell(r, 2).value ==
                    "BETA-1")  # fmt: skip
    assert sheet.cell(injected, 3).data_type == "s"  # a formula-looking summary stays text
    gamma = next(b for b in audit.breaches if b.key == "GAMMA-1" and b.severity == "error")
    assert gamma.who == "Chen Wei"
    long_row = next(r for r in range(top + 2, sheet.max_row + 1) if sheet.cell(r, 2).value ==
                    "GAMMA-1")  # fmt: skip
    assert (
        sheet.cell(long_row, 3).alignment.wrap_text and sheet.cell(long_row, 6).alignment.wrap_text
    )
    assert sheet.row_dimensions[long_row].height > 15  # the wrapped summary's lines fit
    assert "Breaches" in sheet.tables


def test_colours_are_the_palettes_with_their_labels(audited, tmp_path):
    store, _ = audited
    result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, policy=POLICY)
    sheet = load_workbook(result.path)["Compliance"]
    for row in range(SCORE_HEADER_ROW + 1, SCORE_HEADER_ROW + 5):
        score, label = sheet.cell(row, 2), sheet.cell(row, 3)
        swatch = palette.RAG[rating(score.value)]
        assert label.value == rating(score.value)  # the label, never colour alone
        for cell in (score, label):
            assert cell.fill.fgColor.rgb.endswith(swatch.fill)
            assert cell.font.color.rgb.endswith(swatch.text)
        assert score.number_format == "0%"
    assert rating(0.9) == "Green" and rating(0.8999) == "Amber" and rating(0.7) == "Amber"
    assert rating(0.6999) == "Red" and rating(None) is None
    top = find_row(sheet, f"Breaches: {len(result.audit.breaches)}")
    seen = set()
    for row in range(top + 2, top + 2 + len(result.audit.breaches)):
        cell = sheet.cell(row, 5)
        want = {"Error": palette.RAG["Red"], "Warning": palette.RAG["Amber"],
                "Info": palette.NOTE}[cell.value]  # fmt: skip
        assert cell.fill.fgColor.rgb.endswith(want.fill), cell.value
        assert palette.contrast(want.text, want.fill) >= 4.5
        seen.add(cell.value)
    assert seen == {"Error", "Warning", "Info"}


def test_the_trend_is_the_last_kept_audit_of_each_week(audited, tmp_path):
    store, _ = audited
    kept = store.audits()
    assert len({row.at for row in kept}) == len(MOMENTS)
    # BETA: 10 - ownerless risks pass of 11 checks; week 2's later audit wins.
    points = weekly_scores(kept, UTC)
    assert points["BETA"] == [
        (date(2026, 10, 11), 5 / 11), (date(2026, 10, 18), 7 / 11), (date(2026, 10, 25), 8 / 11)
    ]  # fmt: skip
    result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, policy=POLICY)
    sheet = load_workbook(result.path)["Compliance"]
    data = [r for r in sheet.iter_rows(min_row=SCORE_HEADER_ROW + 1, min_col=DATA_COLUMN,
                                       max_col=DATA_COLUMN + 2, values_only=True) if r[0]]  # fmt: skip
    local = weekly_scores(kept)  # the report groups weeks in local time
    want = [(p, end, score) for p in sorted(local) for end, score in local[p]]
    assert [(p, d.date(), pytest.approx(v)) for p, d, v in data] == want
    charts = sheet._charts
    assert len(charts) == 3  # one per project, each with three weeks
    for chart in charts:
        assert isinstance(chart.x_axis, DateAxis) and chart.y_axis.scaling.max == 1
        line = chart.series[0].graphicalProperties.line.solidFill
        assert str(getattr(line.srgbClr, "val", line.srgbClr)) == palette.HEADER.fill
    first, last = sheet.print_area.split("!")[1].replace("$", "").split(":")
    assert first == "A1" and last.startswith("H")  # the chart data stays off the page


def test_a_first_audit_shows_the_not_enough_history_note(tmp_path):
    clock = Clock()
    with StateStore(tmp_path / "state.db", clock=clock) as store:
        with store.transaction():
            fill(store, 1)
            remember(store, audit_store(store, POLICY, today=AS_OF, at=store.clock()))
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, policy=POLICY)
    sheet = load_workbook(result.path)["Compliance"]
    assert sheet._charts == []
    trend = find_row(sheet, "Score trend (the last audit of each week)")
    assert sheet.cell(trend + 1, 1).value == TEXT["compliance_trend_none"][0]
    assert sheet.cell(trend + 1, 1).fill.fgColor.rgb.endswith(palette.NOTE.fill)


def test_more_projects_than_charts_and_a_project_without_history(tmp_path):
    clock = Clock()
    with StateStore(tmp_path / "state.db", clock=clock) as store:
        for moment in MOMENTS[:2]:
            clock.now = moment
            with store.transaction():
                keys = [f"P{n:02d}" for n in range(CHART_PROJECTS + 2)]
                store.save_items("p", "risk", [
                    _record("risk", {"key": f"{k}-1", "project": k, "summary": "r",
                                     "owner": None if k == "P01" else "x"}) for k in keys
                ])  # fmt: skip
                remember(store, audit_store(store, POLICY, today=AS_OF, at=store.clock()))
        with store.transaction():  # a project audited for the first time this week
            store.save_items("p", "risk", [_record("risk", {"key": "P00-9", "project": "NEW",
                                                            "summary": "r", "owner": "x"})])  # fmt: skip
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, policy=POLICY)
    sheet = load_workbook(result.path)["Compliance"]
    trend = find_row(sheet, "Score trend (the last audit of each week)")
    assert sheet.cell(trend + 1, 1).value.startswith(
        f"The charts show the first {CHART_PROJECTS} of {CHART_PROJECTS + 3} projects"
    )
    assert len(sheet._charts) == CHART_PROJECTS - 1  # NEW sorts among the first: a note
    notes = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
             and "not enough history" in c.value]  # fmt: skip
    assert notes == ["NEW: not enough history yet (audits in two different weeks are needed)"]


def test_no_policy_no_sheet_and_zh_strings(audited, tmp_path):
    store, _ = audited
    plain = generate(store, tmp_path / "plain.xlsx", as_of=AS_OF, remember=False)
    assert plain.audit is None
    assert "Compliance" not in load_workbook(plain.path).sheetnames
    zh = generate(store, tmp_path / "zh.xlsx", as_of=AS_OF, lang="zh", policy=POLICY)
    book = load_workbook(zh.path)
    assert book.sheetnames[5] == "合规"
    sheet = book["合规"]
    s = Strings("zh")
    assert sheet["A1"].value == "PMO 政策合规情况" and "2026年10月22日" in sheet["A2"].value
    assert [c.value for c in sheet[SCORE_HEADER_ROW]][:3] == ["项目", "得分", "评级"]
    labels = [sheet.cell(r, 3).value for r in range(SCORE_HEADER_ROW + 1, SCORE_HEADER_ROW + 4)]
    assert labels == [s.rag("Green"), s.rag("Amber"), s.rag("Red")] == ["绿", "黄", "红"]
    assert sheet.cell(SCORE_HEADER_ROW + 4, 1).value == "整个项目组合"
    top = find_row(sheet, f"违规：{len(zh.audit.breaches)} 项")
    assert {sheet.cell(r, 5).value for r in range(top + 2, top + 2 + len(zh.audit.breaches))} == {
        "错误", "警告", "提示"
    }  # fmt: skip
    assert sheet.oddFooter.right.text == "第 &P 页，共 &N 页"


def test_the_sheet_prints_like_the_others(audited, tmp_path):
    store, _ = audited
    result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, policy=POLICY)
    sheet = load_workbook(result.path)["Compliance"]
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.oddHeader.left.text == "PMO portfolio status"
    assert sheet.oddHeader.right.text == "As of 2026-10-22"
    top = find_row(sheet, f"Breaches: {len(result.audit.breaches)}")
    assert sheet.print_title_rows == f"${top + 1}:${top + 1}"  # the breach list's header


def test_an_empty_store_gets_a_sheet_that_says_so(tmp_path):
    with StateStore(tmp_path / "empty.db") as store:
        result = generate(store, tmp_path / "empty.xlsx", policy=POLICY)
    sheet = load_workbook(result.path)["Compliance"]
    assert sheet.cell(SCORE_HEADER_ROW + 1, 1).value == "No projects to check yet."
    assert find_row(sheet, "Breaches: 0") and find_row(sheet, "No breaches: every check passed.")


def test_report_command_adds_the_sheet_and_survives_a_broken_policy(
    audited, tmp_path, portfolio_config
):
    store, _ = audited
    store.close()
    config = tmp_path / "pmo-sync.toml"
    text = portfolio_config("http://jira.invalid", "pmo@example.com",
                            {"p": ("raid.xlsx", "builtin:raid_log")}, ["ALPHA"])  # fmt: skip
    (tmp_path / "broken.toml").write_text("[[rule]]\nid = 'x'\n", "utf-8")
    for policy, sheet_expected in (("builtin:pmo", True), ("broken.toml", False)):
        sync = '[sync]\nstate_store = "state.db"\n'
        config.write_text(text.replace(sync, f'{sync}policy = "{policy}"\n'), "utf-8")
        out = tmp_path / f"{sheet_expected}.xlsx"
        run = CliRunner().invoke(
            app, ["report", "--config", str(config), "--out", str(out)], env={"COLUMNS": "200"}
        )
        assert run.exit_code == 0, run.output
        assert ("Compliance" in load_workbook(out).sheetnames) is sheet_expected
        if sheet_expected:
            assert "compliance: " in run.output
        else:
            assert "no Compliance sheet" in run.output and "needs a condition" in run.output
