"""add_columns: the Jira Key and hidden Sync ID columns added to a tracker, losslessly.

On the real RAID log (its three trackers are tables; the Definition sheet's lookup
tables must stay as they are) and on generated plain layouts. Every workbook left here
goes through the Open XML validator at teardown; some are also reopened with openpyxl
and LibreOffice. add_columns is new: every test fails on the code before it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from connectors.excel import WorkbookPatch, apply_patch, cell_diff, package_diff
from connectors.excel.addcolumns import add_columns
from connectors.excel.errors import UnsupportedEdit, WorkbookChanged, WorkbookLocked
from connectors.excel.fingerprint import Fingerprint
from connectors.excel.layouts import (
    layout_side_by_side,
    layout_stacked,
    layout_table_and_range,
    layout_two_row_header,
)
from connectors.excel.locate import locate_tracker
from connectors.excel.newbook import save_new_workbook
from connectors.excel.package import Package
from connectors.excel.record_writes import add_row_changes
from connectors.excel.records import read_records, tracker_id_columns
from connectors.excel.survey import survey_workbook
from mappings.mapping import load_mapping, parse_mapping


def _add(path: Path, location, *headers: str, **kw):
    return add_columns(path, location, headers or ("Jira Key", "Sync ID"),
                       expected=Fingerprint.of_file(path), **kw)  # fmt: skip


def _cell_style(xml: bytes, ref: str) -> str | None:
    m = re.search(rb'<c r="' + ref.encode() + rb'"[^>]*?\ss="(\d+)"', xml)
    return m.group(1).decode() if m else None


def test_raid_log_trackers_gain_the_id_columns_and_nothing_else_changes(
    real_workbook, libreoffice
) -> None:
    path = real_workbook("raid_log.xlsx")
    original = path.parent / "original.bin"  # not a workbook name: no validator run on it
    shutil.copy2(path, original)
    package = Package(path)
    parts = {t.name: (t.part, t.sheet.part) for t in package.tables}
    for name in ("Risks", "Issues", "CRs"):
        result = _add(path, locate_tracker(path, table=name))
        assert result.wrote and result.backup_path is not None and result.backup_path.exists()
        assert result.changed_parts == sorted(parts[name])
    diff = package_diff(original, path)
    assert not diff.added and not diff.removed
    assert sorted(diff.changed) == sorted(p for n in ("Risks", "Issues", "CRs") for p in parts[n])
    definition = package.sheet("Definition")
    lookup = [t.part for t in package.tables_on(definition)]
    assert len(lookup) == 9 and set(lookup) | {definition.part} <= set(diff.raw_identical)
    with zipfile.ZipFile(path) as zf:
        table = zf.read(parts["Risks"][0]).decode()
        sheet = zf.read(parts["Risks"][1])
    assert 'ref="A4:R24"' in table and '<autoFilter ref="A4:R24"' in table
    assert '<tableColumns count="18">' in table
    assert '<tableColumn id="17" name="Jira Key" dataDxfId="14"/>' in table
    assert '<tableColumn id="18" name="Sync ID" dataDxfId="14"/>' in table
    ids = re.findall(r'<tableColumn id="(\d+)"', table)
    assert len(ids) == len(set(ids)) == 18
    assert _cell_style(sheet, "Q4") == _cell_style(sheet, "P4") == "1"  # header style
    assert _cell_style(sheet, "R24") == _cell_style(sheet, "P24")  # data style
    assert b'<col min="18" max="18" width="11.5" customWidth="1" hidden="1"/>' in sheet
    assert b'<dimension ref="A2:R24"/>' in sheet
    old_sheet = zipfile.ZipFile(original).read(parts["Risks"][1])
    assert set(cell_diff(old_sheet, sheet)) == {f"{c}{r}" for c in "QR" for r in range(4, 25)}
    loc = locate_tracker(path, table="Risks")
    assert loc.headers[-2:] == ["Jira Key", "Sync ID"] and loc.columns["Sync ID"] == "R"
    book = openpyxl.load_workbook(path)
    risks = book["Risk Register"].tables["Risks"]
    assert risks.ref == "A4:R24" and [c.name for c in risks.tableColumns][-2:] == [
        "Jira Key", "Sync ID"
    ]  # fmt: skip
    assert book["Risk Register"].column_dimensions["R"].hidden
    assert book["Change Requests"].tables["CRs"].ref == "A4:G5"
    (csv,) = libreoffice([path], "csv")
    lines = csv.read_text(encoding="utf-8", errors="replace").splitlines()
    header = next(line for line in lines if line.startswith("ID,Author"))
    assert header.endswith("Target Date,Jira Key,Sync ID")


def test_the_sync_then_finds_and_fills_the_id_columns(real_workbook) -> None:
    path = real_workbook("raid_log.xlsx")
    mapping = load_mapping("builtin:raid_log")
    entity = mapping.entity("risk")
    assert tracker_id_columns(path, entity) == {}
    _add(path, locate_tracker(path, table="Risks"))
    assert tracker_id_columns(path, entity) == {"key": "Jira Key", "sync_id": "Sync ID"}
    read = read_records(path, mapping, entity)
    patch = add_row_changes(WorkbookPatch(), mapping, entity, read.location, 5, {"key": "RISK-1"})
    assert apply_patch(path, patch, expected=read.fingerprint, live=False).written == [
        ("Risk Register", "Q5")
    ]


def test_existing_names_and_occupied_cells_are_refused_and_nothing_is_written(
    real_workbook, tmp_path: Path
) -> None:
    path = real_workbook("raid_log.xlsx")
    before = path.read_bytes()
    with pytest.raises(UnsupportedEdit, match=r"table 'Risks' already has 'Status' \(column L\)"):
        _add(path, locate_tracker(path, table="Risks"), "Jira Key", "Status")
    with pytest.raises(UnsupportedEdit, match=r"table 'Table3' \(L2:M7\) is in the way"):
        _add(path, locate_tracker(path, table="Table2"))
    assert path.read_bytes() == before and not (path.parent / ".pmo-sync" / "backups").exists()
    layout = layout_side_by_side(tmp_path / "board.xlsx")
    left = survey_workbook(layout.path).trackers[0]
    with pytest.raises(UnsupportedEdit, match=r"not empty \(I2 holds 'Action ID'; I3 holds 'A-1'"):
        _add(layout.path, left)


def test_a_changed_or_open_workbook_is_left_alone(tmp_path: Path) -> None:
    layout = layout_table_and_range(tmp_path / "log.xlsx")
    stale = Fingerprint.of_file(layout.path)
    loc = locate_tracker(layout.path, table="Risks")
    _add(layout.path, loc, "Jira Key")
    with pytest.raises(WorkbookChanged, match="no columns were added"):
        add_columns(layout.path, loc, ["Sync ID"], expected=stale)
    owner = layout.path.parent / "~$log.xlsx"
    owner.write_bytes(b"someone")
    with pytest.raises(WorkbookLocked, match=r"lock file ~\$log.xlsx exists\); no columns"):
        _add(layout.path, locate_tracker(layout.path, table="Risks"), "Sync ID")
    owner.unlink()


def test_a_stacked_plain_tracker_gains_columns_in_its_own_rows_only(tmp_path: Path) -> None:
    layout = layout_stacked(tmp_path / "raid.xlsx")
    before = zipfile.ZipFile(layout.path).read("xl/worksheets/sheet1.xml")
    upper = survey_workbook(layout.path).trackers[0]
    result = _add(layout.path, upper)
    assert result.added_columns == {"Jira Key": "H", "Sync ID": "I"}
    assert 'set columns = "A:I"' in result.notes[-1]
    after = zipfile.ZipFile(layout.path).read("xl/worksheets/sheet1.xml")
    assert {int(a[1:]) for a in cell_diff(before, after)} <= set(range(3, 9))
    assert set(cell_diff(before, after)) >= {"H3", "I3"}
    first, second = survey_workbook(layout.path).trackers
    assert first.headers[-2:] == ["Jira Key", "Sync ID"] and first.columns[-1].hidden
    assert (second.header_row, second.column_range) == (12, "A:E")
    mapping = parse_mapping(
        """
name = "stacked"
[[entity]]
type = "risk"
excel = { sheet = "RAID", header_row = 3, columns = "A:I" }
jira = { issue_type = "Risk" }
field = [{ name = "summary", excel = "Title", jira = "summary" }]
""",
        "test",
    )
    assert tracker_id_columns(layout.path, mapping.entity("risk")) == {
        "key": "Jira Key", "sync_id": "Sync ID"
    }  # fmt: skip


def test_the_right_hand_tracker_and_a_two_row_header(tmp_path: Path, libreoffice) -> None:
    board = layout_side_by_side(tmp_path / "board.xlsx")
    right = survey_workbook(board.path).trackers[1]
    assert _add(board.path, right).added_columns == {"Jira Key": "M", "Sync ID": "N"}
    left, wider = survey_workbook(board.path).trackers
    assert (left.column_range, wider.column_range) == ("A:G", "I:N")
    two = layout_two_row_header(tmp_path / "two.xlsx")
    tracker = survey_workbook(two.path).trackers[0]
    _add(two.path, tracker)
    (again,) = survey_workbook(two.path).trackers
    assert again.header_rows == 2 and again.headers[-2:] == ["Jira Key", "Sync ID"]
    assert [c.header_cells for c in again.columns[-2:]] == [("H4",), ("I4",)]
    ws = openpyxl.load_workbook(two.path)["Risk Log"]
    assert (ws["H4"].value, ws["I4"].value) == ("Jira Key", "Sync ID")
    assert ws.column_dimensions["I"].hidden and not ws.column_dimensions["H"].hidden
    libreoffice([board.path, two.path], "xlsx")  # both open and convert


def test_formula_like_headers_and_whole_table_formulas(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Log"
    ws.append(["ID", "Title"])
    ws.append(["R-1", "first"])
    ws.add_table(Table(displayName="Log", ref="A1:B2"))
    ws["E1"] = "=COLUMNS(Log[#All])"
    path = save_new_workbook(wb, tmp_path / "whole.xlsx")
    result = _add(path, locate_tracker(path, table="Log"), "=Ref", hidden=())
    assert result.full_calc_on_load and "as a whole" in result.notes[0]
    assert sorted(result.changed_parts) == sorted(
        ["xl/styles.xml", "xl/tables/table1.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]
    )
    book = openpyxl.load_workbook(path)
    cell = book["Log"]["C1"]
    assert cell.value == "=Ref" and cell.data_type == "s" and cell.quotePrefix
