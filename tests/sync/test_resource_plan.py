"""The resource plan (builtin:resource_plan): people's capacity and their allocations,
kept only in the workbook and copied into the store each cycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from connectors.excel.records import read_records
from mappings.errors import RecordValidationError
from mappings.mapping import load_mapping
from mappings.model import build_record, parse_periods, parse_working_days
from pmo_sync.cli import app
from sandbox import running_sandbox
from sync.workbook_only import workbook_only_entities
from tests.conftest import make_world

MAPPING = load_mapping("builtin:resource_plan")

ANA = {
    "Person": "ana@example.com",
    "Name": "Ana Lima",
    "Role": "Developer",
    "Team": "Platform",
    "Cost Rate (per hour)": 85,
    "Capacity (h/week)": 32,
    "Working Days": "Mon-Thu",
    "Non-working": "2026-12-24..2026-12-31; 2027-01-05",
}
BO = {"Person": "Bo Chen", "Role": "Analyst", "Working Days": "Mon,Wed,Fri"}
HALF = {
    "Allocation ID": "A-1",
    "Person": "ana@example.com",
    "Project": "ALPHA",
    "Start": date(2026, 1, 5),
    "End": date(2026, 6, 30),
    "Planned %": 50,
}
HOURS = {
    "Allocation ID": "A-2",
    "Person": "Bo Chen",
    "Project": "beta",
    "Planned Hours (per week)": 12,
}


def _init(tmp_path: Path) -> Path:
    """`pmo-sync init --create-workbook --mapping builtin:resource_plan`, as a user runs it."""
    workbook = tmp_path / "resources.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "init",
            "--config",
            str(tmp_path / "pmo-sync.toml"),
            "--mapping",
            "builtin:resource_plan",
            "--workbook",
            str(workbook),
            "--create-workbook",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "resource, allocation" in result.output
    return workbook


def _fill(path: Path, sheet_name: str, rows: list[dict]) -> None:
    """Type rows under the template's header row (row 4), as a PMO analyst would."""
    book = load_workbook(path)
    sheet = book[sheet_name]
    headers = {cell.value: cell.column for cell in sheet[4] if cell.value}
    for row, values in enumerate(rows, start=5):
        for header, value in values.items():
            sheet.cell(row, headers[header], value)
    book.save(path)


def _read(path: Path, entity: str):
    return read_records(path, MAPPING, MAPPING.entity(entity))


def test_the_mapping_is_workbook_only_and_listed():
    assert [e.type for e in workbook_only_entities(MAPPING, None)] == ["resource", "allocation"]
    result = CliRunner().invoke(app, ["mappings"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # The listing's rows come from here (the printed table is cut to the console's width,
    # which the first test that prints fixes for the whole run).
    from mappings.mapping import builtin_mapping_names

    assert "resource_plan" in builtin_mapping_names()


def test_the_template_has_both_sheets_keyed_by_person_and_row_id(tmp_path):
    book = load_workbook(_init(tmp_path))
    resources = [c.value for c in book["Resources"][4] if c.value]
    allocations = [c.value for c in book["Allocations"][4] if c.value]
    assert resources[0] == "Person" and "Working Days" in resources and "Sync ID" not in resources
    assert allocations[:2] == ["Allocation ID", "Person"] and "Planned %" in allocations


def test_template_rows_read_back_as_canonical_records(tmp_path):
    path = _init(tmp_path)
    _fill(path, "Resources", [ANA, BO])
    _fill(path, "Allocations", [HALF, HOURS])
    read = _read(path, "resource")
    assert read.errors == []
    ana, bo = (row.record for row in read.rows)
    assert (ana.key, ana.name, ana.role, ana.team) == (
        "ana@example.com",
        "Ana Lima",
        "Developer",
        "Platform",
    )
    assert ana.cost_rate == 85 and ana.capacity_hours == 32
    assert ana.working_days == (1, 2, 3, 4)
    assert ana.non_working == (
        (date(2026, 12, 24), date(2026, 12, 31)),
        (date(2027, 1, 5), date(2027, 1, 5)),
    )
    # Empty cells: 40 hours a week, Monday to Friday, no leave.
    assert bo.key == "Bo Chen" and bo.capacity_hours == 40 and bo.working_days == (1, 3, 5)
    assert bo.non_working == () and bo.cost_rate is None
    read = _read(path, "allocation")
    assert read.errors == []
    half, hours = (row.record for row in read.rows)
    assert (half.key, half.person, half.project) == ("A-1", "ana@example.com", "ALPHA")
    assert (half.start_date, half.end_date) == (date(2026, 1, 5), date(2026, 6, 30))
    assert half.planned_share == 0.5 and half.planned_hours is None
    assert hours.project == "BETA" and hours.planned_hours == 12 and hours.planned_share is None


def test_bad_rows_are_reported_with_their_row_and_the_others_are_read(tmp_path):
    path = _init(tmp_path)
    _fill(
        path,
        "Resources",
        [
            ANA,
            {"Person": "c@example.com", "Working Days": "Mon-Fry"},
            {"Person": "d@example.com", "Non-working": "2026-02-30"},
            {"Person": "e@example.com", "Capacity (h/week)": -8},
            BO,
        ],
    )
    _fill(
        path, "Allocations", [HALF, {**HOURS, "Planned %": 25}, {**HOURS, "Allocation ID": "A-3"}]
    )
    read = _read(path, "resource")
    assert [row.record.key for row in read.rows] == ["ana@example.com", "Bo Chen"]
    assert read.rejected_rows == [6, 7, 8]
    weekday, holiday, capacity = (str(e) for e in read.errors)
    assert "Resources row 6" in weekday and "working_days" in weekday and "'Fry'" in weekday
    assert "Resources row 7" in holiday and "non_working" in holiday and "'2026-02-30'" in holiday
    assert "Resources row 8" in capacity and "capacity_hours" in capacity and "-8" in capacity
    read = _read(path, "allocation")
    assert [row.record.key for row in read.rows] == ["A-1", "A-3"]
    ((error),) = read.errors
    assert "Allocations row 6" in str(error) and "both given" in str(error)
    assert "25%" in str(error) and "12" in str(error)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", (1, 2, 3, 4, 5)),
        ("mon, tue, WED", (1, 2, 3)),
        ("Sun-Thu", (1, 2, 3, 4, 7)),
        ("Mon–Wed; Fri", (1, 2, 3, 5)),
        ("", (1, 2, 3, 4, 5)),
        ([6, 7], (6, 7)),  # as the state store keeps them
    ],
)
def test_working_days(text, days):
    assert parse_working_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fry", "'Fry' in 'Mon-Fry' is not a weekday"),
        ("weekdays", "'weekdays' in 'weekdays' is not a weekday"),
        (5, "not a list of weekdays"),
    ],
)
def test_bad_working_days(text, message):
    with pytest.raises(ValueError, match=message):
        parse_working_days(text)


def test_non_working_periods():
    assert parse_periods("2027-01-05") == ((date(2027, 1, 5), date(2027, 1, 5)),)
    assert parse_periods(date(2027, 1, 5)) == ((date(2027, 1, 5), date(2027, 1, 5)),)
    assert parse_periods([["2026-12-24", "2026-12-31"]]) == (
        (date(2026, 12, 24), date(2026, 12, 31)),
    )
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_periods("2026-12-31..2026-12-24")
    with pytest.raises(ValueError, match=r"'soon' in '2026-12-24\.\.soon' is not a date"):
        parse_periods("2026-12-24..soon")


def test_an_allocation_needs_exactly_one_plan_and_dates_in_order():
    base = {"key": "A-1", "person": "ana", "project": "ALPHA"}
    with pytest.raises(RecordValidationError, match="both empty"):
        build_record("allocation", base, source="t")
    with pytest.raises(RecordValidationError, match=r"planned_share.*150"):
        build_record("allocation", {**base, "planned_share": 150}, source="t")
    with pytest.raises(RecordValidationError, match=r"planned_hours.*-1"):
        build_record("allocation", {**base, "planned_hours": -1}, source="t")
    with pytest.raises(RecordValidationError, match="after end date"):
        build_record(
            "allocation",
            {**base, "planned_hours": 8, "start_date": "2026-03-01", "end_date": "2026-02-01"},
            source="t",
        )
    # Excel keeps a cell formatted as 100% as 1: a whole week, never 1 %.
    assert build_record("allocation", {**base, "planned_share": 1}, source="t").planned_share == 1
    assert (
        build_record("allocation", {**base, "planned_share": "40%"}, source="t").planned_share
        == 0.4
    )


def test_a_sync_copies_resources_and_allocations_into_the_store(tmp_path):
    path = _init(tmp_path)
    _fill(path, "Resources", [ANA, BO])
    _fill(path, "Allocations", [HALF, HOURS])
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = make_world(
            tmp_path, server, "builtin:resource_plan", source=path, keep_workbook=True
        )
        try:
            before = world.requests()
            result = world.cycle()
            assert result.outcome == "ok", result.all_errors
            assert world.requests() == before  # no Jira entity: nothing is asked of Jira
            people = {i["key"]: i for i in world.store.items("resource")}
            assert set(people) == {"ana@example.com", "Bo Chen"}
            assert people["ana@example.com"]["working_days"] == [1, 2, 3, 4]
            assert people["ana@example.com"]["non_working"][0] == [
                date(2026, 12, 24),
                date(2026, 12, 31),
            ]
            plans = {i["key"]: i for i in world.store.items("allocation", "alpha")}
            assert plans["A-1"]["project"] == "ALPHA" and plans["A-1"]["planned_share"] == 0.5
            assert plans["A-2"]["project"] == "BETA" and plans["A-2"]["planned_hours"] == 12
            # A row removed from the sheet leaves the store on the next cycle.
            book = load_workbook(world.workbook)
            book["Allocations"].delete_rows(6)
            book.save(world.workbook)
            assert world.cycle().outcome == "ok"
            assert [i["key"] for i in world.store.items("allocation", "alpha")] == ["A-1"]
        finally:
            world.runner.close()
