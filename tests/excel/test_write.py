"""Surgical writes: fidelity, types, appends, idempotence, safety."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from connectors.excel import (
    Fingerprint,
    MissingColumns,
    UnsupportedEdit,
    WorkbookChanged,
    WorkbookLocked,
    WorkbookPatch,
    apply_patch,
    cell_diff,
    package_diff,
    read_tracker,
)
from connectors.excel.synthetic import build_tracker_workbook


def _read(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part)


def _outside_sheet_data(xml: bytes) -> bytes:
    xml = re.sub(rb"<sheetData>.*</sheetData>", b"", xml, flags=re.S)
    return re.sub(rb"<dimension ref=\"[^\"]*\"/>", b"", xml)


def assert_fidelity(
    before: Path,
    after: Path,
    allowed_parts: set[str],
    touched: dict[str, set[str]],
    removed: tuple[str, ...] = (),
) -> None:
    """Only allowed parts changed (others byte-identical, even compressed), and in each
    edited sheet only the touched cells differ. Prints the diff on failure."""
    diff = package_diff(before, after)
    assert not diff.added and diff.removed == list(removed), f"parts added/removed: {diff}"
    unexpected = set(diff.changed) - allowed_parts
    assert not unexpected, f"unexpected changed parts {sorted(unexpected)}; diff: {diff}"
    with zipfile.ZipFile(before) as zb:
        unchanged = set(zb.namelist()) - set(diff.changed) - set(diff.removed)
    assert unchanged <= set(diff.raw_identical), (
        f"parts re-compressed: {sorted(unchanged - set(diff.raw_identical))}"
    )
    for part, cells in touched.items():
        if part not in diff.changed:
            continue
        cd = cell_diff(_read(before, part), _read(after, part))
        extra = set(cd) - cells
        assert not extra, f"{part}: cells changed that were not touched: " + "\n".join(
            f"  {k}: {cd[k][0]} -> {cd[k][1]}" for k in sorted(extra)
        )


def test_cell_writes_keep_everything_else(tracker_xlsx: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.xlsx"
    shutil.copy(tracker_xlsx, before)
    data = read_tracker(tracker_xlsx, table="Tasks")
    patch = WorkbookPatch()
    patch.set("Tracker", 4, "Status", "Done")
    patch.set("Tracker", 5, "Estimate", 42)
    patch.set("Tracker", 6, "due", dt.date(2027, 3, 4))
    patch.set("Tracker", 7, "Flag", True)
    patch.set("Tracker", 8, "Cost", 12.5)
    patch.set("Tracker", 9, "Note", "new note")
    result = apply_patch(tracker_xlsx, patch, expected=data.fingerprint, backup_dir=tmp_path / "bk")
    assert result.wrote and result.cells_written == 6 and result.backup_path is not None
    assert result.bytes_written == tracker_xlsx.stat().st_size
    assert_fidelity(
        before,
        tracker_xlsx,
        {"xl/worksheets/sheet1.xml", "xl/workbook.xml"},
        {"xl/worksheets/sheet1.xml": {"C4", "G5", "E6", "I7", "H8", "K9"}},
    )
    a, b = (
        _read(before, "xl/worksheets/sheet1.xml"),
        _read(tracker_xlsx, "xl/worksheets/sheet1.xml"),
    )
    assert _outside_sheet_data(a) == _outside_sheet_data(b)  # validations, CF, x14 ext intact
    wb_before, wb_after = _read(before, "xl/workbook.xml"), _read(tracker_xlsx, "xl/workbook.xml")
    assert wb_after.replace(b' fullCalcOnLoad="1"', b"") == wb_before
    again = read_tracker(tracker_xlsx, table="Tasks")
    rows = {r.row_number: r.cells for r in again.rows}
    assert rows[4]["Status"].value == "Done"
    assert rows[5]["Estimate"].value == 42
    assert rows[6]["Due"].value == dt.date(2027, 3, 4)
    assert rows[7]["Flag"].value is True
    assert rows[8]["Cost"].value == 12.5
    assert rows[9]["Note"].value == "new note"
    assert rows[5]["Total"].is_formula and rows[5]["Total"].value == 4  # cached value kept


def test_idempotent_patch_writes_nothing(tracker_xlsx: Path, tmp_path: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    patch = WorkbookPatch()
    patch.set("Tracker", 4, "Key", "PMO-1")
    patch.set("Tracker", 4, "Start", dt.date(2026, 1, 5))
    patch.set("Tracker", 5, "Done %", 0.25)
    patch.set("Tracker", 4, "Flag", True)
    patch.set("Tracker", 4, "Note", None)
    mtime = tracker_xlsx.stat().st_mtime_ns
    result = apply_patch(tracker_xlsx, patch, expected=data.fingerprint, backup_dir=tmp_path / "b")
    assert not result.wrote and result.cells_written == 0 and result.backup_path is None
    assert tracker_xlsx.stat().st_mtime_ns == mtime
    assert not (tmp_path / "b").exists()
    # a real change, then the same patch again: second run writes nothing
    patch.set("Tracker", 6, "Summary", "=1+1")
    r1 = apply_patch(tracker_xlsx, patch, expected=data.fingerprint, backup_dir=tmp_path / "b")
    assert r1.wrote and r1.cells_written == 1
    r2 = apply_patch(
        tracker_xlsx, patch, expected=Fingerprint.of_file(tracker_xlsx), backup_dir=tmp_path / "b"
    )
    assert not r2.wrote and r2.cells_written == 0


def test_date_into_unformatted_cell_gets_date_style(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    patch = WorkbookPatch().set("Tracker", 4, "Note", dt.date(2026, 7, 1))
    patch.set("Tracker", 5, "Note", dt.datetime(2026, 7, 1, 9, 30))
    patch.set("Tracker", 6, "Note", dt.date(2026, 7, 2))
    apply_patch(tracker_xlsx, patch, expected=data.fingerprint)
    ws = openpyxl.load_workbook(tracker_xlsx)["Tracker"]
    assert ws["K4"].is_date and ws["K4"].value == dt.datetime(2026, 7, 1)
    assert ws["K5"].value == dt.datetime(2026, 7, 1, 9, 30)
    assert ws["K4"].style_id == ws["K6"].style_id  # the added date style is reused
    rows = {r.row_number: r.cells for r in read_tracker(tracker_xlsx, table="Tasks").rows}
    assert rows[4]["Note"].value == dt.date(2026, 7, 1)
    assert rows[5]["Note"].value == dt.datetime(2026, 7, 1, 9, 30)


def test_append_extends_table_validation_and_formats(tracker_xlsx: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.xlsx"
    shutil.copy(tracker_xlsx, before)
    data = read_tracker(tracker_xlsx, table="Tasks")
    new_rows = [
        {"Key": "NEW-1", "Summary": "first", "Start": dt.date(2026, 9, 1), "Estimate": 3},
        {"key": "NEW-2", "Status": "Open", "Done %": 0.5},
    ]
    patch = WorkbookPatch().append(new_rows, table="Tasks")
    patch.set("Tracker", 4, "Status", "Done")
    result = apply_patch(tracker_xlsx, patch, expected=data.fingerprint)
    assert result.appended_rows == {"Tasks": [16, 17]} and result.rows_appended == 2
    touched = {"C4"} | {f"{c}{r}" for c in "ABCDEFGHIJK" for r in (16, 17)}
    assert_fidelity(
        before,
        tracker_xlsx,
        {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/tables/table1.xml"},
        {"xl/worksheets/sheet1.xml": touched},
    )
    table = _read(tracker_xlsx, "xl/tables/table1.xml")
    assert b'ref="A3:K17"' in table and b'<autoFilter ref="A3:K17"/>' in table
    sheet = _read(tracker_xlsx, "xl/worksheets/sheet1.xml")
    assert b'sqref="C4:C17"' in sheet  # data validation
    assert b'conditionalFormatting sqref="F4:F17"' in sheet
    assert b"<xm:sqref>G4:G17</xm:sqref>" in sheet  # x14 data bar
    assert b'<dimension ref="A1:K17"/>' in sheet
    assert b"<f>G16*2</f>" in sheet and b"<f>G17*2</f>" in sheet  # calculated column
    rows = {r.row_number: r.cells for r in read_tracker(tracker_xlsx, table="Tasks").rows}
    assert rows[16]["Key"].value == "NEW-1" and rows[16]["Start"].value == dt.date(2026, 9, 1)
    assert rows[17]["Done %"].kind == "percent"  # style copied from the row above
    assert rows[16]["Due"].number_format == rows[15]["Due"].number_format


def test_append_to_plain_sheet_tracker(tmp_path: Path) -> None:
    path = build_tracker_workbook(tmp_path / "plain.xlsx", rows=3, with_table=False)
    data = read_tracker(path, sheet="Tracker", expected_headers=["Key"])
    patch = WorkbookPatch().append([{"Key": "X-1", "Estimate": 2}], sheet="Tracker")
    result = apply_patch(path, patch, expected=data.fingerprint)
    assert result.appended_rows == {"Tracker": [7]}
    sheet = _read(path, "xl/worksheets/sheet1.xml")
    assert b'sqref="C4:C7"' in sheet
    rows = read_tracker(path, sheet="Tracker", expected_headers=["Key"]).rows
    assert rows[-1].row_number == 7 and rows[-1].cells["Key"].value == "X-1"
    assert b"<f>G7*2</f>" in sheet  # the filled-down Total formula reaches the new row


def _plain_sheet_with_formulas(path: Path) -> Path:
    """A plain range (no table): Double filled down as one shared formula (as Excel
    stores a fill), Note with a one-off formula, Manual filled down (values given for it
    are ignored)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Log"
    sheet.append(["Key", "Estimate", "Double", "Note", "Manual"])
    for r in range(2, 6):
        sheet.append([f"K-{r}", r, f"=B{r}*2", "=A5" if r == 5 else "text", f"=B{r}+1"])
    book.save(path)
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[part].decode()
    xml = xml.replace("<f>B2*2</f>", '<f t="shared" ref="C2:C5" si="0">B2*2</f>')
    for r in range(3, 6):
        xml = xml.replace(f"<f>B{r}*2</f>", '<f t="shared" si="0"/>')
    parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_plain_sheet_appends_extend_filled_down_formulas_only(tmp_path: Path) -> None:
    path = _plain_sheet_with_formulas(tmp_path / "log.xlsx")
    data = read_tracker(path, sheet="Log", expected_headers=["Key"])
    patch = WorkbookPatch().append(
        [{"Key": "K-6", "Estimate": 6, "Manual": 1}, {"Key": "K-7", "Estimate": 7, "Manual": 2}],
        sheet="Log",
    )
    result = apply_patch(path, patch, expected=data.fingerprint)
    assert result.appended_rows == {"Log": [6, 7]}
    assert any("Manual" in note and "ignored" in note for note in result.notes)
    sheet = openpyxl.load_workbook(path)["Log"]
    assert [sheet[f"C{r}"].value for r in (6, 7)] == ["=B6*2", "=B7*2"]  # shared fill
    assert sheet["D6"].value is None and sheet["D7"].value is None  # a one-off stays put
    # A filled-down formula wins over a given value, as in a table's calculated column.
    assert [sheet[f"E{r}"].value for r in (6, 7)] == ["=B6+1", "=B7+1"]
    rows = read_tracker(path, sheet="Log", expected_headers=["Key"]).rows
    assert rows[-1].cells["Double"].is_formula and rows[-1].cells["Key"].value == "K-7"


def test_refusals(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    with pytest.raises(UnsupportedEdit, match="formula"):
        apply_patch(
            tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Total", 99), expected=data.fingerprint
        )
    with pytest.raises(MissingColumns, match="Owner"):
        apply_patch(
            tracker_xlsx,
            WorkbookPatch().append([{"Owner": "x"}], table="Tasks"),
            expected=data.fingerprint,
        )
    assert Fingerprint.of_file(tracker_xlsx).matches(data.fingerprint)  # untouched


def test_overwrite_formula_when_allowed(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    patch = WorkbookPatch(overwrite_formulas=True).set("Tracker", 4, "Total", 99)
    result = apply_patch(tracker_xlsx, patch, expected=data.fingerprint)
    assert result.wrote
    cell = read_tracker(tracker_xlsx, table="Tasks").rows[0].cells["Total"]
    assert cell.value == 99 and not cell.is_formula


def test_concurrent_save_is_not_overwritten(tracker_xlsx: Path, tmp_path: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    # a person saves the workbook after pmo-sync read it
    other = build_tracker_workbook(tmp_path / "other.xlsx", rows=13)
    shutil.copy(other, tracker_xlsx)
    saved = tracker_xlsx.read_bytes()
    with pytest.raises(WorkbookChanged, match="saved by someone else"):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Status", "Done"),
                    expected=data.fingerprint)  # fmt: skip
    assert tracker_xlsx.read_bytes() == saved
    assert not list(tmp_path.glob(".*.tmp"))


def test_touch_only_save_is_detected(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    os.utime(
        tracker_xlsx, ns=(data.fingerprint.mtime_ns + 10**9, data.fingerprint.mtime_ns + 10**9)
    )
    with pytest.raises(WorkbookChanged):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Status", "Done"),
                    expected=data.fingerprint)  # fmt: skip


def test_change_between_render_and_replace(tracker_xlsx: Path, monkeypatch) -> None:
    """The file is re-checked right before the atomic replace."""
    from connectors.excel import writer

    data = read_tracker(tracker_xlsx, table="Tasks")
    real_write_temp = writer.write_temp

    def write_temp_then_user_saves(path: Path, payload: bytes) -> Path:
        tmp = real_write_temp(path, payload)
        path.write_bytes(path.read_bytes() + b"")  # same bytes, new mtime
        os.utime(path, ns=(1, 1))
        return tmp

    monkeypatch.setattr(writer, "write_temp", write_temp_then_user_saves)
    with pytest.raises(WorkbookChanged):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Status", "Done"),
                    expected=data.fingerprint)  # fmt: skip
    assert not list(tracker_xlsx.parent.glob(".*.tmp"))
    assert read_tracker(tracker_xlsx, table="Tasks").rows[0].cells["Status"].value == "Open"


def test_open_in_excel_is_not_overwritten(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    owner = tracker_xlsx.with_name("~$" + tracker_xlsx.name)
    owner.write_bytes(b"user")
    before = tracker_xlsx.read_bytes()
    with pytest.raises(WorkbookLocked, match="open") as err:
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Status", "Done"),
                    expected=data.fingerprint)  # fmt: skip
    if os.name != "nt":
        assert "unavailable on this platform" in str(err.value)
    assert tracker_xlsx.read_bytes() == before


def test_permission_error_on_replace_is_locked(tracker_xlsx: Path, monkeypatch) -> None:
    from connectors.excel import safety

    data = read_tracker(tracker_xlsx, table="Tasks")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "sharing violation")

    monkeypatch.setattr(safety.os, "replace", refuse)
    with pytest.raises(WorkbookLocked, match="sharing violation"):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Status", "Done"),
                    expected=data.fingerprint, live=False)  # fmt: skip
    assert not list(tracker_xlsx.parent.glob(".*.tmp"))


def test_backups_rotate(tracker_xlsx: Path, tmp_path: Path) -> None:
    backups = tmp_path / "bk"
    for i in range(4):
        fp = Fingerprint.of_file(tracker_xlsx)
        patch = WorkbookPatch().set("Tracker", 4, "Estimate", 100 + i)
        apply_patch(tracker_xlsx, patch, expected=fp, backup_dir=backups, keep_backups=2)
    kept = sorted(backups.iterdir())
    assert len(kept) == 2
    values = [openpyxl.load_workbook(p)["Tracker"]["G4"].value for p in kept]
    assert values == [101, 102]  # the two previous versions


def test_default_backup_location(tracker_xlsx: Path) -> None:
    fp = Fingerprint.of_file(tracker_xlsx)
    result = apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Key", "K"), expected=fp)
    assert result.backup_path is not None
    assert result.backup_path.parent == tracker_xlsx.parent / ".pmo-sync" / "backups"


def test_xlsm_keeps_macros(tmp_path: Path) -> None:
    path = build_tracker_workbook(tmp_path / "macro.xlsm", rows=3, xlsm=True)
    before = _read(path, "xl/vbaProject.bin")
    fp = Fingerprint.of_file(path)
    apply_patch(path, WorkbookPatch().set("Tracker", 4, "Status", "Done"), expected=fp)
    assert _read(path, "xl/vbaProject.bin") == before
    assert (
        "xl/vbaProject.bin"
        in package_diff(
            tmp_path
            / ".pmo-sync/backups"
            / next(p.name for p in (tmp_path / ".pmo-sync/backups").iterdir()),
            path,
        ).raw_identical
    )


def test_real_raid_log_round_trip(real_workbook, tmp_path: Path) -> None:
    path = real_workbook("raid_log.xlsx")
    before = tmp_path / "raid_before.xlsx"
    shutil.copy(path, before)
    data = read_tracker(path, table="Risks")
    patch = WorkbookPatch()
    patch.set("Risk Register", 5, "Author", "Ann")
    patch.set("Risk Register", 6, "Date Identified", dt.date(2026, 1, 2))
    patch.set("Risk Register", 7, "Probability", 3)
    patch.set("Risk Register", 7, "Impact", 4)
    patch.set("Risk Register", 8, "Description", "-1 looks like a formula")
    patch.append([{"ID": 21, "Author": "Bob", "Probability": 2, "Impact": 5}], table="Risks")
    patch.append([{"ID": 1, "Title": "CR one", "Date": dt.date(2026, 2, 2)}], table="CRs")
    result = apply_patch(path, patch, expected=data.fingerprint)
    assert result.appended_rows == {"Risks": [25], "CRs": [5]}
    risk_cells = {"B5", "C6", "G7", "H7", "D8"} | {f"{c}25" for c in "ABCDEFGHIJKLMNOP"}
    assert_fidelity(
        before,
        path,
        {
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet3.xml",
            "xl/tables/table1.xml",
            "xl/tables/table3.xml",  # CRs: its empty insert row was filled, flag cleared
            "xl/styles.xml",
            "xl/workbook.xml",
        },
        {
            "xl/worksheets/sheet1.xml": risk_cells,
            "xl/worksheets/sheet3.xml": {"A5", "B5", "C5"},
        },
    )
    sheet = _read(path, "xl/worksheets/sheet1.xml")
    assert b'sqref="E5:E25"' in sheet and b'sqref="H5:H25"' in sheet
    assert b'<f t="array" ref="J25">_xlfn.IFNA(' in sheet and b'cm="1"' in sheet
    assert b'ref="A4:P25"' in _read(path, "xl/tables/table1.xml")
    ws = openpyxl.load_workbook(path)["Risk Register"]
    assert ws["D8"].value == "-1 looks like a formula" and ws["D8"].quotePrefix
    assert ws["C6"].is_date
    # RAG Chart's shared formulas and cached values untouched
    assert _read(path, "xl/worksheets/sheet5.xml") == _read(before, "xl/worksheets/sheet5.xml")
    assert _read(path, "xl/metadata.xml") == _read(before, "xl/metadata.xml")


def test_real_resource_model_round_trip(real_workbook, tmp_path: Path) -> None:
    path = real_workbook("resource_and_cost_model.xlsx")
    before = tmp_path / "rcm_before.xlsx"
    shutil.copy(path, before)
    data = read_tracker(path, table="Resources")
    patch = WorkbookPatch()
    patch.set("Resource", 4, "Comments", "=cmd|' /C calc'!A0")
    patch.set("Resource", 5, "Rate", 425)
    patch.set("Resource", 6, "Location", "Leeds")
    patch.append(
        [{"Item": "Laptop", "PO Number": "PO-1", "Date Raised": dt.date(2026, 3, 1)},
         {"Item": "Desk", "PO Number": "PO-2"}],
        table="Table9",
    )  # fmt: skip
    result = apply_patch(path, patch, expected=data.fingerprint)
    assert result.appended_rows == {"Table9": [7, 8]}
    with zipfile.ZipFile(before) as zf:
        names = zf.namelist()
    resource_sheet = "xl/worksheets/sheet2.xml"
    sheet1 = next(n for n in names if n.endswith("sheet8.xml"))
    allowed = {resource_sheet, sheet1, "xl/styles.xml", "xl/workbook.xml"}
    allowed |= {n for n in names if n.startswith("xl/tables/")}
    assert_fidelity(
        before,
        path,
        allowed,
        {resource_sheet: {"F4", "G5", "E6"}},
    )
    diff = package_diff(before, path)
    table_changes = [n for n in diff.changed if n.startswith("xl/tables/")]
    assert len(table_changes) == 1
    survivors = [
        n for n in names
        if n.startswith(("xl/pivot", "xl/slicer", "xl/charts/", "xl/drawings/", "xl/model/",
                         "customXml/", "xl/connections"))
    ]  # fmt: skip
    assert len(survivors) > 50 and set(survivors) <= set(diff.raw_identical)
    wb_before, wb_after = _read(before, "xl/workbook.xml"), _read(path, "xl/workbook.xml")
    assert wb_after.replace(b' fullCalcOnLoad="1"', b"") == wb_before  # names, slicers, pivots
    rows = {r.row_number: r.cells for r in read_tracker(path, table="Resources").rows}
    assert rows[4]["Comments"].value == "=cmd|' /C calc'!A0"
    assert rows[5]["Total Cost"].value == 34000  # cached value kept until Excel recalculates
    # Resources' totals row is charted by A1 reference: moving it would break the chart
    with pytest.raises(UnsupportedEdit, match=r"totals row.*chart1\.xml: Resource!\$L\$7"):
        apply_patch(path, WorkbookPatch().append([{"Name": "x"}], table="Resources"),
                    expected=Fingerprint.of_file(path))  # fmt: skip


def test_append_moves_totals_row(real_workbook, tmp_path: Path) -> None:
    path = real_workbook("resource_and_cost_model.xlsx")
    before = tmp_path / "rcm_before.xlsx"
    shutil.copy(path, before)
    fp = Fingerprint.of_file(path)
    rows = [{"Actuals to Date": "Week 1", "Sep-18": 10}, {"Actuals to Date": "Week 2", "Oct-18": 5}]
    result = apply_patch(path, WorkbookPatch().append(rows, table="Actuals"), expected=fp)
    assert result.appended_rows == {"Actuals": [5, 6]}
    table = _read(path, "xl/tables/table3.xml")
    assert b'ref="A3:O7"' in table and b'<autoFilter ref="A3:O6"' in table
    moved = {f"{c}{r}" for c in "ABCDEFGHIJKLMNO" for r in (5, 6, 7)}
    assert_fidelity(
        before,
        path,
        {"xl/worksheets/sheet4.xml", "xl/tables/table3.xml", "xl/workbook.xml",
         "xl/_rels/workbook.xml.rels", "[Content_Types].xml"},
        {"xl/worksheets/sheet4.xml": moved},
        removed=("xl/calcChain.xml",),  # totals formulas moved: Excel rebuilds the chain
    )  # fmt: skip
    sheet = _read(path, "xl/worksheets/sheet4.xml")
    assert b'<c r="B7"><f>SUBTOTAL(109,Actuals[Sep-18])</f>' in sheet
    data = {r.row_number: r.cells for r in read_tracker(path, table="Actuals").rows}
    assert data[5]["Actuals to Date"].value == "Week 1" and data[6]["Oct-18"].value == 5


def test_values_excel_cannot_store(tracker_xlsx: Path) -> None:
    fp = Fingerprint.of_file(tracker_xlsx)
    long_text = "x" * 40_000
    result = apply_patch(
        tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Note", long_text), expected=fp
    )
    assert any("truncated" in n for n in result.notes)
    stored = read_tracker(tracker_xlsx, table="Tasks").rows[0].cells["Note"].value
    assert len(stored) == 32_767 and stored.endswith("[truncated by pmo-sync]")
    fp = Fingerprint.of_file(tracker_xlsx)
    with pytest.raises(UnsupportedEdit, match="Tracker!K5"):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 5, "Note", float("nan")),
                    expected=fp)  # fmt: skip
    # A date before 1900 has no Excel serial: it is written as ISO text (reads back as text).
    old = apply_patch(
        tracker_xlsx, WorkbookPatch().set("Tracker", 5, "Note", dt.date(1850, 1, 1)), expected=fp
    )
    assert any("before 1900" in n for n in old.notes)
    assert read_tracker(tracker_xlsx, table="Tasks").rows[1].cells["Note"].value == "1850-01-01"
    fp = Fingerprint.of_file(tracker_xlsx)
    again = apply_patch(
        tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Note", long_text), expected=fp
    )
    assert not again.wrote  # the truncated text is already there: idempotent


def test_unwritable_folder_is_a_clear_error(tracker_xlsx: Path, monkeypatch) -> None:
    from connectors.excel import ExcelError, writer

    def no_space(path: Path, payload: bytes) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "write_temp", no_space)
    before = tracker_xlsx.read_bytes()
    with pytest.raises(ExcelError, match="No space left"):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Key", "x"),
                    expected=Fingerprint.of_file(tracker_xlsx))  # fmt: skip
    assert tracker_xlsx.read_bytes() == before
