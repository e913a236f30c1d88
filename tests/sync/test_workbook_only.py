"""The status tracker's Projects sheet: the PMO's own figures, copied into the store."""

from __future__ import annotations

from openpyxl import load_workbook

from connectors.excel.template import write_template
from mappings.mapping import load_mapping
from sync.store import StateStore
from sync.workbook_only import copy_to_store, workbook_only_entities

MAPPING = load_mapping("builtin:status_tracker")
PROJECT = MAPPING.entity("project")


def _projects(path, rows, *, sheet_name="Projects"):
    book = load_workbook(path)
    sheet = book[sheet_name]
    headers = {cell.value: cell.column for cell in sheet[4] if cell.value}
    for row in range(5, 5 + max(len(rows), 3)):
        for column in headers.values():
            sheet.cell(row, column).value = None
    for row, values in enumerate(rows, start=5):
        for header, value in values.items():
            sheet.cell(row, headers[header], value)
    book.save(path)


def _copy(store, path):
    return copy_to_store(store, "pmo", path, MAPPING, PROJECT, {})


def test_only_the_projects_sheet_is_workbook_only():
    assert [e.type for e in workbook_only_entities(MAPPING, None)] == ["project"]
    assert workbook_only_entities(MAPPING, ("work_item",)) == []


def test_project_rows_reach_the_store_and_follow_the_sheet(tmp_path):
    path = write_template(MAPPING, tmp_path / "status.xlsx")
    alpha = {"Project Key": "ALPHA", "Project": "Alpha rollout", "Earned Value (EV)": 180000}
    beta = {"Project Key": "BETA", "Project": "Beta migration", "Actual Cost (AC)": 95000}
    _projects(path, [alpha, beta])
    with StateStore(tmp_path / "state.db") as store:
        assert _copy(store, path) == []
        stored = {i["key"]: i for i in store.items("project", "pmo")}
        assert stored["ALPHA"]["ev"] == 180000 and stored["ALPHA"]["name"] == "Alpha rollout"
        assert stored["BETA"]["ac"] == 95000 and stored["BETA"]["project"] == "BETA"
        # A row removed from the sheet leaves the store; an edited row is updated.
        _projects(path, [{**alpha, "Earned Value (EV)": 190000}])
        assert _copy(store, path) == []
        assert [(i["key"], i["ev"]) for i in store.items("project", "pmo")] == [("ALPHA", 190000)]


def test_a_bad_row_is_reported_and_keeps_its_last_good_figures(tmp_path):
    path = write_template(MAPPING, tmp_path / "status.xlsx")
    good = {"Project Key": "ALPHA", "Project": "Alpha", "Planned Value (PV)": 100}
    other = {"Project Key": "BETA", "Project": "Beta", "Planned Value (PV)": 50}
    _projects(path, [good, other])
    with StateStore(tmp_path / "state.db") as store:
        _copy(store, path)
        _projects(path, [good, {**other, "Planned Value (PV)": "lots"}])
        errors = _copy(store, path)
        assert len(errors) == 1 and "'lots'" in errors[0] and "Projects row 6" in errors[0]
        stored = {i["key"]: i["pv"] for i in store.items("project", "pmo")}
        assert stored == {"ALPHA": 100, "BETA": 50}


def test_a_project_listed_twice_is_reported(tmp_path):
    path = write_template(MAPPING, tmp_path / "status.xlsx")
    first = {"Project Key": "ALPHA", "Project": "Alpha", "Actual Cost (AC)": 1}
    _projects(path, [first, {**first, "Actual Cost (AC)": 2}])
    with StateStore(tmp_path / "state.db") as store:
        (error,) = _copy(store, path)
        assert "rows 5 and 6" in error
        assert [i["ac"] for i in store.items("project", "pmo")] == [2]


def test_a_workbook_without_a_projects_sheet_has_no_figures_and_no_error(tmp_path):
    path = write_template(MAPPING, tmp_path / "status.xlsx")
    book = load_workbook(path)
    del book["Projects"]
    book.save(path)
    with StateStore(tmp_path / "state.db") as store:
        assert _copy(store, path) == []
        assert store.items("project", "pmo") == []
