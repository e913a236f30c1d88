"""Lessons learned end to end: a lessons log written from the built-in template, with rows
in English and Chinese, syncs to Jira "Lesson" issues and back, and `pmo-sync lessons
search` finds them in the state store's full-text index (trigram: Chinese phrases too),
which follows edits and deletions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mappings.config import load_config
from pmo_sync.cli import app
from sandbox import running_sandbox
from sync.runner import Runner
from sync.store import StateStore
from sync.store_items import LessonQueryError

pytestmark = pytest.mark.skipif(
    sqlite3.sqlite_version_info < (3, 34, 0), reason="the trigram tokenizer needs SQLite 3.34"
)

ROWS = [
    {
        "Lesson": "Vendor onboarding took too long",
        "Project": "ALPHA",
        "Phase": "Execution",
        "Category": "Procurement",
        "What Happened": "The data vendor needed six weeks for its security review.",
        "Recommendation": "Send the vendor security questionnaire during planning.",
        "Tags": "vendor, security",
    },
    {
        "Lesson": "数据迁移测试不足",
        "Project": "BETA",
        "Phase": "测试",
        "Category": "质量",
        "What Happened": "上线前只做了一轮数据迁移演练，切换当晚发现大量脏数据。",
        "Recommendation": "至少安排三轮完整的数据迁移演练，并提前清洗数据。",
        "Tags": "数据迁移, 测试",
    },
]


def _lessons_workbook(folder: Path) -> Path:
    """What `pmo-sync init --create-workbook --mapping builtin:lessons_log` writes, with
    the PMO's rows typed in."""
    folder.mkdir()
    result = CliRunner().invoke(
        app,
        [
            "init",
            "--config",
            str(folder / "pmo-sync.toml"),
            "--mapping",
            "builtin:lessons_log",
            "--workbook",
            str(folder / "lessons.xlsx"),
            "--create-workbook",
        ],
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(folder / "lessons.xlsx")
    assert book.sheetnames == ["Lessons Learned"]
    sheet = book["Lessons Learned"]
    headers = {cell.value: cell.column for cell in sheet[4] if cell.value}
    assert {"Lesson", "Phase", "What Happened", "Recommendation", "Tags", "Sync ID"} <= set(headers)
    for row, values in enumerate(ROWS, start=5):
        for header, value in values.items():
            sheet.cell(row, headers[header], value)
    book.save(folder / "lessons.xlsx")
    return folder / "lessons.xlsx"


@pytest.fixture(params=["cloud", "datacenter"])
def lessons(request, tmp_path, world_factory):
    source = _lessons_workbook(tmp_path / "source")
    with running_sandbox(mode=request.param, seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, "builtin:lessons_log", source=source)
        # A PMO's lessons span its projects: the pair covers two.
        path = tmp_path / "pmo-sync.toml"
        path.write_text(
            path.read_text("utf-8").replace('projects = ["ALPHA"]', 'projects = ["ALPHA", "BETA"]')
        )
        site = world.runner.site
        world.runner.close()
        world.config = load_config(path)
        world.runner = Runner(world.config, site=site)
        yield world
        world.runner.close()


def _search(world, *args: str):
    config = str(world.workbook.parent / "pmo-sync.toml")
    return CliRunner().invoke(app, ["lessons", "search", *args, "--config", config])


def _hits(world, *args: str) -> list[dict]:
    result = _search(world, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_lessons_sync_both_ways_and_are_found_by_search(lessons, sandbox_issues):
    first = lessons.cycle()
    assert first.outcome == "ok", first.all_errors
    assert first.counts == {"jira_create": 2}
    rows = {r.record.summary: r.record for r in lessons.rows("lesson").rows}
    english, chinese = rows["Vendor onboarding took too long"], rows["数据迁移测试不足"]
    assert english.key.startswith("ALPHA-") and chinese.key.startswith("BETA-")
    (issue,) = [i for i in sandbox_issues(lessons.server, "BETA", "Lesson")]
    assert ROWS[1]["Recommendation"] in str(issue["Recommendation"])  # ADF or wiki markup
    assert issue["Phase"] == "测试" and issue["Labels"] == ["数据迁移", "测试"]
    assert lessons.jira("lesson", english.key).recommendation == ROWS[0]["Recommendation"]

    # A lesson written in Jira comes to the workbook.
    made = lessons.server.store.human_create(
        "ALPHA",
        "Lesson",
        "Steering committee met too rarely",
        {"Recommendation": "Hold a fortnightly steering meeting", "Phase": "Execution"},
    )
    second = lessons.cycle()
    assert second.outcome == "ok", second.all_errors
    row = lessons.row("lesson", made.key).record
    assert (row.project, row.phase) == ("ALPHA", "Execution")
    assert lessons.cycle().counts == {}

    # A word of the recommendation, a Chinese phrase of 3+ characters, by project.
    (hit,) = _hits(lessons, "questionnaire")
    assert (hit["key"], hit["project"]) == (english.key, "ALPHA")
    assert hit["summary"] == ROWS[0]["Lesson"]
    assert hit["recommendation"] == ROWS[0]["Recommendation"]
    assert "[questionnaire]" in hit["snippet"]
    (hit,) = _hits(lessons, "数据迁移演练")
    assert hit["key"] == chinese.key and "[数据迁移演练]" in hit["snippet"]
    assert [h["key"] for h in _hits(lessons, "steering")] == [made.key]
    assert {h["key"] for h in _hits(lessons, "execution")} == {english.key, made.key}
    assert [h["key"] for h in _hits(lessons, "execution", "--project", "alpha")] != []
    assert _hits(lessons, "execution", "--project", "BETA") == []
    assert [h["key"] for h in _hits(lessons, "数据迁移", "--project", "BETA")] == [chinese.key]

    # The table a person reads, tab-separated when piped.
    shown = _search(lessons, "vendor OR 迁移演练")
    assert shown.exit_code == 0, shown.output
    assert english.key in shown.output and chinese.key in shown.output

    # Bad query syntax is a clear error (exit 2), not a traceback; so is a too short one.
    bad = _search(lessons, '"unbalanced quote')
    assert bad.exit_code == 2
    assert "unterminated string" in bad.output and "Traceback" not in bad.output
    short = _search(lessons, "迁移")
    assert short.exit_code == 2 and "3 or more characters" in short.output


def test_the_index_follows_edits_and_deletions(lessons):
    assert lessons.cycle().outcome == "ok"
    rows = {r.record.summary: r.record for r in lessons.rows("lesson").rows}
    english, chinese = rows["Vendor onboarding took too long"], rows["数据迁移测试不足"]

    # Edited in the workbook: found by its new text, not its old.
    lessons.edit_row("lesson", english.key, recommendation="Book the penetration test early.")
    assert lessons.cycle().outcome == "ok"
    assert lessons.jira("lesson", english.key).recommendation.startswith("Book the")
    assert [h["key"] for h in _hits(lessons, "penetration")] == [english.key]
    assert _hits(lessons, "questionnaire") == []

    # Edited in Jira: the same.
    assert [h["key"] for h in _hits(lessons, "提前清洗")] == [chinese.key]
    lessons.server.store.human_edit(chinese.key, {"Recommendation": "上线前完成三次全量彩排"})
    assert lessons.cycle().outcome == "ok"
    assert [h["key"] for h in _hits(lessons, "全量彩排")] == [chinese.key]
    assert _hits(lessons, "提前清洗") == []

    # Deleted in Jira: gone from the index once a full read sees it gone.
    store = lessons.server.store
    store.delete(next(i for i in store.issues.values() if i.key == chinese.key))
    lessons.cycle(full=True)
    assert _hits(lessons, "全量彩排") == []
    assert [h["key"] for h in _hits(lessons, "penetration")] == [english.key]


def test_the_store_index_directly(tmp_path):
    """save_items / drop_items keep the index in step; one lesson two pairs sync is one
    hit; an FTS syntax error is a LessonQueryError naming the problem."""
    with StateStore(tmp_path / "state.db") as store:
        lesson = {
            "sync_id": "a1",
            "key": "ALPHA-1",
            "project": "ALPHA",
            "summary": "Cutover rehearsal skipped",
            "recommendation": "Rehearse the cutover twice",
            "tags": "cutover",
        }
        with store.transaction():
            store.save_items("raid", "lesson", [lesson])
            store.save_items("lessons", "lesson", [lesson])
            store.save_items("raid", "risk", [{**lesson, "sync_id": "r1", "key": "ALPHA-2"}])
        (hit,) = store.search_lessons("rehearse")
        assert hit["key"] == "ALPHA-1" and hit["score"] > 0
        assert store.search_lessons("rehearse", project="BETA") == []
        store.save_items("raid", "lesson", [{**lesson, "recommendation": "Plan a dry run"}])
        store.drop_items("lessons", "lesson", ["a1"])
        assert store.search_lessons("rehearse") == []
        assert [h["key"] for h in store.search_lessons('"dry run"')] == ["ALPHA-1"]
        for query in ("(unclosed", "AND", "nosuchcolumn: word"):
            with pytest.raises(LessonQueryError, match="cannot search"):
                store.search_lessons(query)
        store.drop_unconfigured_items({})
        assert store.search_lessons("dry run") == []
