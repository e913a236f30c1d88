"""The report's Resources sheet, from a real store, hand-worked: a person with holidays
(amber), a half-time person over-allocated by two items (red), a plan row with no
capacity, a Jira assignee missing from the plan, unassigned work, a story estimated only
in points, and planned allocations by share and by hours."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from mappings.model import build_record
from report import generate, palette
from report.resources_sheet import FIRST_WEEK_COLUMN, HEAT_HEADER_ROW, WEEKS_SHOWN, band
from resources import monday
from sync.store import StateStore

AS_OF = date(2026, 12, 2)  # a Wednesday
THIS_WEEK = monday(AS_OF)
NEXT = THIS_WEEK + timedelta(weeks=1)
NEXT_FRIDAY = NEXT + timedelta(days=4)
HOLIDAYS = f"{NEXT + timedelta(days=3)}..{NEXT_FRIDAY}; {NEXT_FRIDAY}"  # Thu-Fri, Fri twice


def _record(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    values = {"sync_id": str(uuid.uuid5(uuid.NAMESPACE_URL, entity + values["key"])), **values}
    record = build_record(entity, values, source="test").model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


def _work(key: str, who: str | None, hours: float | None, project: str, **more: Any) -> dict:
    values = {"key": key, "project": project, "summary": f"Task {key}", "assignee": who,
              "remaining_estimate": hours, "start_date": NEXT, "due_date": NEXT_FRIDAY}  # fmt: skip
    return _record("work_item", {**values, **more})


PEOPLE = [
    _record("resource", {"key": "ana@example.com", "name": "Ana", "role": "Developer",
                         "team": "Platform", "capacity_hours": 40, "non_working": HOLIDAYS}),
    _record("resource", {"key": "bo@example.com", "role": "Analyst", "capacity_hours": 20}),
    _record("resource", {"key": "cy@example.com", "role": "Intern", "capacity_hours": 0}),
]  # fmt: skip
PLANS = [
    _record("allocation", {"key": "A-1", "person": "ana@example.com", "project": "ALPHA",
                           "planned_share": 0.5}),
    _record("allocation", {"key": "A-2", "person": "bo@example.com", "project": "BETA",
                           "planned_hours": 10}),
]  # fmt: skip
WORK = [
    _work("ALPHA-1", "ana@example.com", 16, "ALPHA"),  # next week: Mon-Wed, Thu-Fri off
    _work("ALPHA-2", "ana@example.com", 5, "ALPHA"),  # 21 h of 24: 87.5 %, amber
    _work("BETA-1", "bo@example.com", 30, "BETA"),
    _work("BETA-2", "bo@example.com", 4, "BETA"),  # 34 h of 20: 170 %, red
    _work("GAMMA-1", "zed@example.com", 8, "GAMMA"),  # assigned in Jira, not in the plan
    _work("ALPHA-3", None, 12, "ALPHA"),  # nobody's yet
    _work("ALPHA-4", "ana@example.com", None, "ALPHA", estimate=5),  # points only
    _work("BETA-3", "bo@example.com", 50, "BETA", status="done"),  # done: no demand
]


@pytest.fixture
def store(tmp_path: Path):
    with StateStore(tmp_path / "state.db") as opened:
        with opened.transaction():
            opened.save_items("plan", "resource", PEOPLE)
            opened.save_items("plan", "allocation", PLANS)
            opened.save_items("work", "work_item", WORK)
        yield opened


def _sheet(store: StateStore, tmp_path: Path, **kwargs: Any):
    result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, remember=False, **kwargs)
    book = load_workbook(result.path)
    return result, book


def _rows(sheet) -> dict[str, int]:
    found = {}
    for r in range(HEAT_HEADER_ROW + 1, HEAT_HEADER_ROW + 20):
        if sheet.cell(r, 1).value is None:
            break
        found[sheet.cell(r, 1).value] = r
    return found


def test_the_heat_map_by_hand(store, tmp_path):
    result, book = _sheet(store, tmp_path)
    sheet = book["Resources"]
    assert book.sheetnames.index("Resources") == book.sheetnames.index("Since") - 1
    weeks = [sheet.cell(HEAT_HEADER_ROW, FIRST_WEEK_COLUMN + n).value.date()
             for n in range(WEEKS_SHOWN)]  # fmt: skip
    assert weeks == [THIS_WEEK + timedelta(weeks=n) for n in range(WEEKS_SHOWN)]
    rows = _rows(sheet)
    assert list(rows) == ["ana@example.com", "bo@example.com", "cy@example.com",
                          "zed@example.com"]  # fmt: skip
    this, nxt = FIRST_WEEK_COLUMN, FIRST_WEEK_COLUMN + 1
    ana, bo = sheet.cell(rows["ana@example.com"], nxt), sheet.cell(rows["bo@example.com"], nxt)
    assert ana.value == pytest.approx(21 / 24)  # 40 h less two days off: 24 h
    assert bo.value == pytest.approx(34 / 20)
    assert sheet.cell(rows["ana@example.com"], this).value == 0
    assert sheet.cell(rows["ana@example.com"], 4).value == 40
    assert ana.fill.fgColor.rgb.endswith(palette.RAG["Amber"].fill)
    assert bo.fill.fgColor.rgb.endswith(palette.RAG["Red"].fill)
    assert sheet.cell(rows["bo@example.com"], this).fill.fgColor.rgb.endswith(
        palette.RAG["Green"].fill
    )
    # No capacity, or not in the plan: a dash, never a colour.
    for who in ("cy@example.com", "zed@example.com"):
        assert sheet.cell(rows[who], nxt).value == "–"
        assert sheet.cell(rows[who], nxt).fill.fgColor.rgb in (None, "00000000")
    assert sheet.cell(rows["zed@example.com"], 2).value == "not in the plan"
    # The sheet's numbers are the engine's.
    assert result.resources is not None
    assert result.resources.load.util[("bo@example.com", NEXT)] == pytest.approx(1.7)


@pytest.mark.parametrize(
    ("value", "colour"),
    [(0.0, "Green"), (0.849, "Green"), (0.85, "Amber"), (1.0, "Amber"), (1.0001, "Red"),
     (None, None)],
)  # fmt: skip
def test_bands(value, colour):
    assert band(value) == colour


def _section(sheet, heading: str) -> int:
    for r in range(1, sheet.max_row + 1):
        value = sheet.cell(r, 1).value
        if isinstance(value, str) and value.startswith(heading):
            return r
    raise AssertionError(f"no section {heading!r}")


def test_over_allocated_people_with_the_items_driving_them(store, tmp_path):
    _, book = _sheet(store, tmp_path)
    sheet = book["Resources"]
    top = _section(sheet, "Over-allocated")
    assert sheet.cell(top, 1).value == "Over-allocated (above 100%): 1"
    row = top + 2
    assert sheet.cell(row, 1).value == "bo@example.com"
    assert sheet.cell(row, 2).value.date() == NEXT
    assert sheet.cell(row, 3).value == pytest.approx(1.7)
    assert sheet.cell(row, 4).value == pytest.approx(34)
    assert sheet.cell(row, 5).value == pytest.approx(20)
    assert sheet.cell(row, 6).value == "BETA-1 Task BETA-1: 30.0 h\nBETA-2 Task BETA-2: 4.0 h"
    assert sheet.cell(row + 1, 1).value is None or not sheet.cell(row + 1, 2).value


def test_a_higher_threshold_lists_nobody(store, tmp_path):
    _, book = _sheet(store, tmp_path, overallocated_above=2.0)
    sheet = book["Resources"]
    top = _section(sheet, "Over-allocated")
    assert sheet.cell(top, 1).value == "Over-allocated (above 200%): 0"
    assert sheet.cell(top + 1, 1).value == "Nobody is over-allocated in these weeks."
    with pytest.raises(ValueError, match="above 0"):
        generate(store, tmp_path / "x.xlsx", as_of=AS_OF, overallocated_above=0)
    assert not (tmp_path / "x.xlsx").exists()


def test_planned_against_demand_per_project(store, tmp_path):
    _, book = _sheet(store, tmp_path)
    sheet = book["Resources"]
    top = _section(sheet, "Planned allocation")
    table = {}
    for r in range(top + 2, top + 10):
        if sheet.cell(r, 1).value is None:
            break
        table[sheet.cell(r, 1).value] = [sheet.cell(r, c).value for c in range(2, 6)]
    # ALPHA: half of 40 h over 12 weeks, less two days off at 4 h: 232 h planned; demand
    # 16 + 5 (Ana) + 12 (unassigned). BETA: 10 h a week; demand 30 + 4.
    assert table["ALPHA"] == pytest.approx([232, 33, -199, 33 / 232])
    assert table["BETA"] == pytest.approx([120, 34, -86, 34 / 120])
    assert table["GAMMA"][:3] == pytest.approx([0, 8, 8]) and table["GAMMA"][3] is None


def test_unassigned_work_and_what_was_not_counted(store, tmp_path):
    result, book = _sheet(store, tmp_path)
    sheet = book["Resources"]
    top = _section(sheet, "Unassigned open work")
    assert sheet.cell(top, 1).value == "Unassigned open work: 1"
    assert [sheet.cell(top + 2, c).value for c in (1, 2, 3)] == ["ALPHA-3", "ALPHA", 12]
    assert sheet.cell(top + 2, 5).value == "Task ALPHA-3"
    top = _section(sheet, "Not fully counted")
    listed = {}
    for r in range(top + 2, sheet.max_row + 1):
        listed.setdefault(sheet.cell(r, 1).value, []).append(sheet.cell(r, 2).value)
    assert set(listed) == {"cy@example.com", "ana@example.com", "ALPHA-4", "GAMMA-1"}
    assert "no capacity" in listed["cy@example.com"][0]
    assert "overlap" in listed["ana@example.com"][0]
    assert "points" in listed["ALPHA-4"][0] and "hours_per_point" in listed["ALPHA-4"][0]
    assert "'zed@example.com' is not among the people" in listed["GAMMA-1"][0]
    assert len(result.resources.load.problems) == 4


def test_points_count_as_hours_when_the_config_says_so(store, tmp_path):
    result, _ = _sheet(store, tmp_path, hours_per_point=2)
    assert result.resources is not None
    assert not any(p.key == "ALPHA-4" for p in result.resources.load.problems)
    # 5 points x 2 h spread over Ana's three working days next week: 31 h of 24.
    assert result.resources.load.util[("ana@example.com", NEXT)] == pytest.approx(31 / 24)


def test_no_resource_plan_no_sheet(tmp_path):
    with StateStore(tmp_path / "state.db") as store:
        with store.transaction():
            store.save_items("work", "work_item", WORK[:2])
        result, book = _sheet(store, tmp_path)
    assert result.resources is None and "Resources" not in book.sheetnames


def test_the_sheet_in_chinese(store, tmp_path):
    _, book = _sheet(store, tmp_path, lang="zh")
    sheet = book["资源"]
    assert sheet.cell(HEAT_HEADER_ROW, 1).value == "人员"
    assert sheet.cell(1, 1).value == "资源：产能与需求"
