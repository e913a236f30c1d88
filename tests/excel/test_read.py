"""Locating and reading trackers: tables, header rows, types, errors."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from connectors.excel import (
    MissingColumns,
    TrackerNotFound,
    WorkbookEncrypted,
    WorkbookUnreadable,
    locate_tracker,
    read_tracker,
)
from connectors.excel.synthetic import build_tracker_workbook


def test_locate_by_table_name(tracker_xlsx: Path) -> None:
    loc = locate_tracker(tracker_xlsx, table="tasks")
    assert (loc.sheet, loc.table, loc.header_row) == ("Tracker", "Tasks", 3)
    assert (loc.first_data_row, loc.last_data_row) == (4, 15)
    assert loc.columns["Due"] == "E"
    assert loc.column_for("  done  % ") == "F"


def test_locate_by_sheet_finds_header_under_title(tmp_path: Path) -> None:
    path = build_tracker_workbook(tmp_path / "plain.xlsx", rows=4, with_table=False)
    loc = locate_tracker(path, sheet="tracker", expected_headers=["Key", "Status"])
    assert loc.table is None
    assert (loc.header_row, loc.first_data_row, loc.last_data_row) == (3, 4, 7)
    # without expected headers the widest text row under the title wins
    assert locate_tracker(path, sheet="Tracker").header_row == 3


def test_sheet_with_table_resolves_to_table(tracker_xlsx: Path) -> None:
    loc = locate_tracker(tracker_xlsx, sheet="Tracker", expected_headers=["Key"])
    assert loc.table == "Tasks"


def test_aliases_and_missing_columns(tracker_xlsx: Path) -> None:
    loc = locate_tracker(
        tracker_xlsx, table="Tasks", required=["Issue Key"], aliases={"Issue Key": ["Key"]}
    )
    assert loc.column_for("Issue Key") == "A"
    with pytest.raises(MissingColumns) as err:
        locate_tracker(tracker_xlsx, table="Tasks", required=["Owner", "Key"])
    msg = str(err.value)
    assert "'Owner'" in msg and "Tracker" in msg and "'Summary'" in msg
    assert err.value.missing == ["Owner"]


def test_unknown_table_and_sheet(tracker_xlsx: Path) -> None:
    with pytest.raises(TrackerNotFound, match="Tasks"):
        locate_tracker(tracker_xlsx, table="Nope")
    with pytest.raises(TrackerNotFound, match="Summary"):
        locate_tracker(tracker_xlsx, sheet="Nope")


def test_types(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    r0, r1, r2 = data.rows[0].cells, data.rows[1].cells, data.rows[2].cells
    assert r0["Key"].value == "PMO-1" and r0["Key"].address == "A4"
    assert r0["Start"].value == dt.date(2026, 1, 5) and r0["Start"].kind == "date"
    assert r0["Due"].value == dt.date(2026, 2, 4) and r0["Due"].number_format == "yyyy\\-mm\\-dd"
    assert r1["Done %"].value == 0.25 and r1["Done %"].kind == "percent"
    assert r0["Done %"].value == 0 and not r0["Done %"].is_empty  # zero is not empty
    assert r0["Estimate"].value == 1 and type(r0["Estimate"].value) is int
    assert r1["Cost"].value == 101.75
    assert r0["Flag"].value is True and r1["Flag"].value is False
    assert r0["Total"].is_formula and r0["Total"].formula == "G4*2" and r0["Total"].value == 2
    assert r1["Summary"].value == "Rich text"  # runs joined, phonetic run ignored
    assert r0["Summary"].value == "Task number 1"  # inline string
    assert r2["Note"].error == "#N/A" and r2["Note"].value is None
    assert r0["Note"].is_empty


def test_requested_columns_only(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks", columns=["key", "DUE"])
    assert set(data.rows[0].cells) == {"Key", "Due"}
    assert data.fingerprint.size == tracker_xlsx.stat().st_size
    with pytest.raises(MissingColumns):
        read_tracker(tracker_xlsx, table="Tasks", columns=["Owner"])


def test_real_raid_log(real_workbook) -> None:
    path = real_workbook("raid_log.xlsx")
    data = read_tracker(path, table="Risks", columns=["ID", "RAG Status"])
    assert len(data.rows) == 20 and data.location.header_row == 4
    rag = data.rows[0].cells["RAG Status"]
    assert rag.is_formula and rag.formula.startswith("_xlfn.IFNA(") and rag.value == ""
    assert data.rows[0].cells["ID"].value == 1
    # shared formulas: children get the master's text shifted
    from connectors.excel.workbook import WorkbookView

    view = WorkbookView(path)
    sheet = view.package.sheet("RAG Chart")
    rows = dict(view.rows(sheet))
    assert rows[3][4].formula == "$B3*D$7" and rows[3][4].value == 8


def test_real_resource_model(real_workbook) -> None:
    path = real_workbook("resource_and_cost_model.xlsx")
    data = read_tracker(path, table="Resources", columns=["Name", "Rate", "Total Cost"])
    assert [r.cells["Name"].value for r in data.rows] == ["Kevin McAleer", "BA", "Tester"]
    assert data.rows[0].cells["Total Cost"].value == 140500
    assert data.rows[0].cells["Total Cost"].is_formula
    assert data.location.last_data_row == 6  # totals row excluded


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.no_ooxml_check  # corrupt, encrypted and non-zip files on purpose
def test_broken_files(tmp_path: Path, tracker_xlsx: Path) -> None:
    ole = _write(tmp_path / "enc.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(WorkbookEncrypted, match=r"enc\.xlsx"):
        read_tracker(ole, table="Tasks")
    text = _write(tmp_path / "notes.xlsx", b"just text")
    with pytest.raises(WorkbookUnreadable, match="not a zip"):
        locate_tracker(text, table="Tasks")
    truncated = _write(tmp_path / "cut.xlsx", tracker_xlsx.read_bytes()[:900])
    with pytest.raises(WorkbookUnreadable, match=r"cut\.xlsx"):
        read_tracker(truncated, table="Tasks")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(WorkbookUnreadable, match="Content_Types"):
        read_tracker(other, table="Tasks")
    bad_xml = tmp_path / "badxml.xlsx"
    with zipfile.ZipFile(tracker_xlsx) as src, zipfile.ZipFile(bad_xml, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[:-40]
            dst.writestr(info, body)
    with pytest.raises(WorkbookUnreadable, match=r"sheet1\.xml"):
        read_tracker(bad_xml, table="Tasks")
    with pytest.raises(WorkbookUnreadable, match="not found"):
        read_tracker(tmp_path / "absent.xlsx", table="Tasks")


def _both_paths(path: Path) -> None:
    """The regex fast path and the streaming lxml reader agree on every cell."""
    from connectors.excel.fastsheet import fast_rows
    from connectors.excel.sheetcells import iter_sheet_rows
    from connectors.excel.workbook import WorkbookView

    view = WorkbookView(path)
    for sheet in view.package.sheets:
        data = view.sheet_bytes(sheet)
        fast = fast_rows(data, view.decoder)
        assert fast is not None, f"{sheet.name}: fast path refused a canonical sheet"
        slow = [
            (row, {raw.col: view.decoder.decode(raw) for raw in raws})
            for row, raws in iter_sheet_rows(data)
        ]
        assert fast == slow, sheet.name


def test_fast_and_streaming_readers_agree(tracker_xlsx: Path, real_workbook) -> None:
    _both_paths(tracker_xlsx)
    _both_paths(real_workbook("raid_log.xlsx"))
    _both_paths(real_workbook("resource_and_cost_model.xlsx"))


def test_fast_path_falls_back_on_unusual_sheets(tmp_path: Path) -> None:
    from connectors.excel.fastsheet import fast_rows
    from connectors.excel.workbook import WorkbookView

    path = build_tracker_workbook(tmp_path / "t.xlsx", rows=3)
    view = WorkbookView(path)
    sheet = view.package.sheet("Tracker")
    data = view.sheet_bytes(sheet)
    odd = data.replace(b'<c r="G4"><v>1</v></c>', b"<c r='G4'><v>1</v></c>")
    assert fast_rows(odd, view.decoder) is None
    extra = data.replace(b'<c r="G4"><v>1</v></c>', b'<c r="G4"><v>1</v><extLst/></c>')
    assert fast_rows(extra, view.decoder) is None


def test_date1904_workbook(tmp_path: Path, tracker_xlsx: Path) -> None:
    mac = tmp_path / "mac.xlsx"
    with zipfile.ZipFile(tracker_xlsx) as src, zipfile.ZipFile(mac, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = body.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>')
            dst.writestr(info, body)
    start = read_tracker(mac, table="Tasks").rows[0].cells["Start"].value
    assert start == dt.date(2026, 1, 5) + dt.timedelta(days=1462)  # same serial, 1904 epoch
    from connectors.excel import WorkbookPatch, apply_patch

    fp = read_tracker(mac, table="Tasks").fingerprint
    apply_patch(mac, WorkbookPatch().set("Tracker", 4, "Note", dt.date(2030, 6, 1)), expected=fp)
    assert read_tracker(mac, table="Tasks").rows[0].cells["Note"].value == dt.date(2030, 6, 1)
