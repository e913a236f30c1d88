"""Unit tests of the small building blocks: formulas, formats, serials, sheet edits."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch, read_tracker
from connectors.excel.formulas import shift_formula
from connectors.excel.numfmt import FormatKind, classify, classify_code
from connectors.excel.sheetedit import SheetEditor
from connectors.excel.styles import StyleEditor
from connectors.excel.values import from_serial, to_serial


@pytest.mark.parametrize(
    ("formula", "rows", "cols", "expected"),
    [
        ("G5*H5", 20, 0, "G25*H25"),
        ("$B2*C$7", 1, 1, "$B3*D$7"),
        ('IF(A1="B2",LOG10(C3),0)', 2, 0, 'IF(A3="B2",LOG10(C5),0)'),
        ("Risks[[#This Row],[Exposure]]*A1", 3, 0, "Risks[[#This Row],[Exposure]]*A4"),
        ("'Sheet A1'!B2+Definition!$AE$2", 1, 0, "'Sheet A1'!B3+Definition!$AE$2"),
        ("SUM(A1:B2)", 1, 0, "SUM(A2:B3)"),
        ("A1", -1, 0, "#REF!"),
    ],
)
def test_shift_formula(formula: str, rows: int, cols: int, expected: str) -> None:
    assert shift_formula(formula, rows, cols) == expected


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("General", FormatKind.GENERAL),
        ("dd/mm/yyyy", FormatKind.DATE),
        ("yyyy\\-mm\\-dd", FormatKind.DATE),
        ("[$-409]d-mmm-yy;@", FormatKind.DATE),
        ("dd/mm/yyyy hh:mm", FormatKind.DATETIME),
        ("[h]:mm:ss", FormatKind.TIME),
        ("0.0%", FormatKind.PERCENT),
        ('"£"#,##0.00', FormatKind.NUMBER),
        ("[Red]#,##0;[Blue]-#,##0", FormatKind.NUMBER),
        ("0.00E+00", FormatKind.NUMBER),
        ("@", FormatKind.TEXT),
        ('"days left: "0', FormatKind.NUMBER),
    ],
)
def test_classify_code(code: str, kind: FormatKind) -> None:
    assert classify_code(code) is kind


def test_builtin_formats() -> None:
    assert classify(14, None) is FormatKind.DATE and classify(22, None) is FormatKind.DATETIME
    assert classify(9, None) is FormatKind.PERCENT and classify(20, None) is FormatKind.TIME


def test_serials() -> None:
    assert to_serial(dt.date(2026, 1, 5), date1904=False) == 46027
    assert from_serial(46027, date1904=False, kind="date") == dt.date(2026, 1, 5)
    assert from_serial(1, date1904=False, kind="date") == dt.date(1900, 1, 1)
    assert to_serial(dt.date(1900, 1, 1), date1904=False) == 1
    assert from_serial(61, date1904=False, kind="date") == dt.date(1900, 3, 1)
    assert to_serial(dt.date(1900, 3, 1), date1904=False) == 61
    assert from_serial(0, date1904=True, kind="date") == dt.date(1904, 1, 1)
    stamp = dt.datetime(2026, 1, 5, 18, 0)
    assert from_serial(to_serial(stamp, date1904=False), date1904=False, kind="datetime") == stamp
    assert from_serial(0.75, date1904=False, kind="time") == dt.time(18, 0)


SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:B3"/><sheetData><row r="1" spans="1:2"><c r="A1"><v>1</v></c>'
    b'<c r="C1" s="2"/></row><row r="3"><c r="B3" t="s"><v>0</v></c></row></sheetData>'
    b"<mergeCells/></worksheet>"
)


def test_sheet_editor_splices_cells_and_rows() -> None:
    ed = SheetEditor(SHEET)
    ed.set_cell(1, 2, b'<c r="B1"><v>2</v></c>')  # between existing cells
    ed.set_cell(2, 1, b'<c r="A2"><v>3</v></c>')  # new row between rows
    ed.set_cell(5, 4, b'<c r="D5"><v>4</v></c>')  # new row at the end
    out = ed.render()
    assert out == (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:D5"/><sheetData><row r="1" spans="1:3"><c r="A1"><v>1</v></c>'
        b'<c r="B1"><v>2</v></c><c r="C1" s="2"/></row><row r="2"><c r="A2"><v>3</v></c>'
        b'</row><row r="3"><c r="B3" t="s"><v>0</v></c></row><row r="5"><c r="D5"><v>4</v>'
        b"</c></row></sheetData><mergeCells/></worksheet>"
    )


def test_sheet_editor_empty_sheet_data() -> None:
    ed = SheetEditor(b'<worksheet><dimension ref="A1"/><sheetData/></worksheet>')
    ed.set_cell(2, 2, b'<c r="B2"><v>1</v></c>')
    assert ed.render() == (
        b'<worksheet><dimension ref="A1:B2"/><sheetData><row r="2"><c r="B2"><v>1</v></c>'
        b"</row></sheetData></worksheet>"
    )


def test_style_editor_reuses_and_counts() -> None:
    styles = (
        b'<styleSheet><cellXfs count="2"><xf numFmtId="0" xfId="0"/>'
        b'<xf numFmtId="14" xfId="0" applyNumberFormat="1"><alignment wrapText="1"/></xf>'
        b"</cellXfs></styleSheet>"
    )
    ed = StyleEditor(styles)
    a = ed.quote_prefixed(1)
    assert a == 2 and ed.quote_prefixed(1) == 2
    assert ed.with_number_format(1, 14) == 1  # already a date style: reused
    out = ed.render()
    assert b'<cellXfs count="3">' in out
    assert out.endswith(
        b'<xf numFmtId="14" xfId="0" applyNumberFormat="1" quotePrefix="1">'
        b'<alignment wrapText="1"/></xf></cellXfs></styleSheet>'
    )


def test_overwriting_formula_drops_calc_chain(real_workbook) -> None:
    path = real_workbook("raid_log.xlsx")
    fp = read_tracker(path, table="Risks").fingerprint
    patch = WorkbookPatch(overwrite_formulas=True).set("Risk Register", 5, "RAG Status", "Red")
    result = apply_patch(path, patch, expected=fp)
    assert "-xl/calcChain.xml" in result.changed_parts
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "xl/calcChain.xml" not in names
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in zf.read("[Content_Types].xml")
    cell = read_tracker(path, table="Risks").rows[0].cells["RAG Status"]
    assert cell.value == "Red" and not cell.is_formula


def test_long_name_owner_file(tmp_path: Path) -> None:
    from connectors.excel import WorkbookLocked
    from connectors.excel.synthetic import build_tracker_workbook

    path = build_tracker_workbook(tmp_path / "Portfolio Tracker 2026.xlsx", rows=2)
    (tmp_path / "~$rtfolio Tracker 2026.xlsx").write_bytes(b"x")
    with pytest.raises(WorkbookLocked):
        apply_patch(path, WorkbookPatch().set("Tracker", 4, "Key", "x"),
                    expected=Fingerprint.of_file(path), live=False)  # fmt: skip
