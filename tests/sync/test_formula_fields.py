"""Fields a workbook computes with formulas: no stale result ever reaches Jira.

pmo-sync does not calculate formulas; Excel does, when it opens a workbook that asks for
it (``fullCalcOnLoad``, which pmo-sync sets whenever its writes can change a formula's
inputs). Until a spreadsheet has recalculated and saved the file, a formula cell's cached
result is not known to be current, and a row pmo-sync appended has no result at all.
Here LibreOffice headless recalculates, standing in for a person opening and saving the
workbook in Excel.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table, TableFormula

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch
from connectors.excel.records import recalculation_pending

MAPPING = """
name = "cr_costs"
description = "A change log whose Total column is a formula over Labour and Materials"

[[entity]]
type = "change_request"
excel = { table = "CRs" }
jira = { issue_type = "Change Request" }
field = [
  { name = "summary", excel = "Title", jira = "summary", required = true },
  { name = "status", excel = "Status", jira = "status", value_map = "change_request_status" },
  { name = "cost_impact", excel = "Total", jira = "Cost Impact", direction = "excel-to-jira" },
]
"""
HEADERS = ["Jira Key", "Sync ID", "Title", "Status", "Labour", "Materials", "Total"]
TOTAL = "CRs[[#This Row],[Labour]]+CRs[[#This Row],[Materials]]"


def _change_log(path: Path, rows: list[tuple[str, int, int]]) -> None:
    """A PMO's change log as openpyxl writes it: formulas without results (like any tool
    that does not calculate), so the first sync finds nothing current to send."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Change Log"
    sheet["A1"] = "PMO change log"
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(3, column, header)
    for row, (title, labour, materials) in enumerate(rows, start=4):
        sheet.cell(row, 3, title)
        sheet.cell(row, 4, "Submitted")
        sheet.cell(row, 5, labour)
        sheet.cell(row, 6, materials)
        sheet.cell(row, 7, f"=E{row}+F{row}")
    table = Table(displayName="CRs", ref=f"A3:G{3 + len(rows)}")
    table._initialise_columns()
    for column, header in zip(table.tableColumns, HEADERS, strict=True):
        column.name = header
    table.tableColumns[-1].calculatedColumnFormula = TableFormula(attr_text=TOTAL)
    sheet.add_table(table)
    book.save(path)


def need_program(name: str) -> str:
    """A program's path; skip where it is not installed, fail under CI."""
    import os

    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; required when CI is set")
        pytest.skip(reason)
    return found


def _recalculate(path: Path, profile: Path) -> None:
    """Open, recalculate and save the workbook in LibreOffice, as a person would in Excel."""
    out = path.parent / "recalculated"
    out.mkdir(exist_ok=True)
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
        "</oor:items>"
    )
    subprocess.run(
        [need_program("soffice"), "--headless", "--norestore",
         f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "xlsx",
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    result = out / path.name
    assert result.exists(), "LibreOffice did not recalculate the workbook"
    shutil.move(result, path)


def _cost_in_jira(server, summary: str) -> float | None:
    store = server.store
    field = store.catalog.field_by_name_or_id("Cost Impact")
    (issue,) = [i for i in store.issues.values() if i.fields.get("summary") == summary]
    return issue.fields.get(field.id)


def _set(world, row: int, header: str, value: object) -> None:
    read = world.rows("change_request")
    patch = WorkbookPatch().set_in(read.location, row, header, value)
    apply_patch(world.workbook, patch, expected=Fingerprint.of_file(world.workbook), live=False)


@pytest.fixture
def formula_world(mapped_world):
    with mapped_world(
        MAPPING,
        lambda path: _change_log(path, [("New data centre racks", 3000, 1000)]),
        name="changes.xlsx",
    ) as world:
        yield world


def test_no_stale_formula_result_reaches_jira_and_the_real_one_does_after_recalculation(
    formula_world, tmp_path
):
    world = formula_world
    profile = tmp_path / "lo-profile"
    assert recalculation_pending(world.workbook)  # openpyxl left no results to trust
    first = world.cycle()
    assert first.outcome == "ok", first.all_errors
    summary = "New data centre racks"
    assert _cost_in_jira(world.server, summary) is None  # nothing current was known

    _recalculate(world.workbook, profile)  # the person opens and saves the workbook
    assert not recalculation_pending(world.workbook)
    world.cycle()
    assert _cost_in_jira(world.server, summary) == 4000

    # The person edits an input with a tool that does not calculate (pmo-sync's own
    # writer here): the cached 4000 is stale, and must not be taken as current either way.
    row = world.rows("change_request").rows[0].row_number
    _set(world, row, "Labour", 5000)
    world.server.store.human_edit(_key(world), {"Cost Impact": 4200})  # and Jira moves
    stale = world.cycle()
    assert _cost_in_jira(world.server, summary) == 4200

    _recalculate(world.workbook, profile)
    world.cycle()
    assert _cost_in_jira(world.server, summary) == 6000  # the workbook owns this field
    assert any("cost_impact" in w and "not been calculated" in w for w in first.all_warnings)
    assert any("out of date" in w for w in stale.all_warnings)


def test_rows_appended_under_a_formula_column_send_nothing_until_calculated(
    formula_world, tmp_path
):
    world = formula_world  # the table's Total is a calculated column (as Excel keeps it)
    issue = world.server.store.human_create(
        "ALPHA", "Change Request", "Extra licences", {"Cost Impact": 750}
    )
    appended = world.cycle()
    assert appended.outcome == "ok", appended.all_errors
    row = next(r for r in world.rows("change_request").rows if r.record.key == issue.key)
    assert "cost_impact" in row.formula_fields  # Excel's formula, not a typed value
    assert "cost_impact" in row.unknown  # filled in, never calculated
    again = world.cycle()  # before anyone opens the workbook
    assert _cost_in_jira(world.server, "Extra licences") == 750, again.all_warnings
    _set(world, row.row_number, "Labour", 500)
    _set(world, row.row_number, "Materials", 300)
    _recalculate(world.workbook, tmp_path / "lo-profile")
    world.cycle()
    assert _cost_in_jira(world.server, "Extra licences") == 800


def test_one_way_fields_do_not_churn(formula_world, tmp_path):
    world = formula_world
    _recalculate(world.workbook, tmp_path / "lo-profile")
    world.cycle()
    world.cycle()
    before = len(world.server.request_log)
    full = world.cycle(full=True)
    assert full.counts == {}, full.plans
    planned = world.cycle(full=True, dry_run=True)
    assert all(p.is_empty for p in planned.plans), [p.operations for p in planned.plans]
    writes = [
        r
        for r in world.server.request_log[before:]
        if r.method in ("PUT", "POST") and "/issue/" in r.path and "bulkfetch" not in r.path
    ]
    assert writes == []


def test_jira_edits_of_a_formula_field_are_reported_not_written_into_the_formula(
    formula_world, tmp_path
):
    world = formula_world
    profile = tmp_path / "lo-profile"
    _recalculate(world.workbook, profile)
    world.cycle()
    world.server.store.human_edit(_key(world), {"Cost Impact": 9999})
    result = world.cycle()
    sheet = load_workbook(world.workbook)["Change Log"]
    assert str(sheet["G4"].value).startswith("=")  # the person's formula is intact
    assert result.outcome == "ok", result.all_errors


def _key(world) -> str:
    return world.rows("change_request").rows[0].record.key
