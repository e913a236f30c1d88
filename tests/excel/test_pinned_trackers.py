"""A mapping pins a tracker as the survey found it: header_row, header_rows, columns.

Each test maps a generated layout (connectors/excel/layouts.py) by hand the way
`pmo-sync map` writes it, and reads and writes through the real records layer and
writer. The code before ignored header_row and knew neither header_rows nor columns,
so every test here fails on it (the unpinned test guards that nothing changed without
pins).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from connectors.excel import WorkbookPatch, XlwingsLiveWriter, apply_patch, cell_diff
from connectors.excel.errors import MissingColumns, TrackerNotFound, UnsupportedEdit
from connectors.excel.layouts import (
    LAYOUTS,
    RISK_HEADERS,
    layout_side_by_side,
    layout_stacked,
    layout_title_block,
    layout_two_row_header,
)
from connectors.excel.locate import TrackerPins, locate_tracker
from connectors.excel.record_writes import add_new_rows
from connectors.excel.records import locate_entity, read_records
from connectors.excel.survey import survey_workbook
from mappings.config import SyncPair
from mappings.errors import MappingFileError
from mappings.mapping import MappingSpec, parse_mapping
from mappings.model import build_record
from pmo_sync.checks import check_workbook

LEVELS = '{ "1" = ["1"], "2" = ["2"], "3" = ["3"], "4" = ["4"], "5" = ["5"] }'


def risk_mapping(
    excel: str, probability: str = "Probability", impact: str = "Impact"
) -> MappingSpec:
    return parse_mapping(
        f"""
name = "pinned"
[[entity]]
type = "risk"
excel = {{ {excel} }}
jira = {{ issue_type = "Risk" }}
field = [
  {{ name = "summary", excel = "Title", jira = "summary" }},
  {{ name = "probability", excel = "{probability}", jira = "Probability", value_map = "probability", excel_labels = {LEVELS} }},
  {{ name = "impact", excel = "{impact}", jira = "Impact", value_map = "impact", excel_labels = {LEVELS} }},
  {{ name = "owner", excel = "Owner", jira = "assignee" }},
]
""",
        "test",
    )


def action_mapping(excel: str) -> MappingSpec:
    return parse_mapping(
        f"""
name = "pinned-actions"
[[entity]]
type = "action"
excel = {{ {excel} }}
jira = {{ issue_type = "Task" }}
field = [
  {{ name = "summary", excel = "Action", jira = "summary" }},
  {{ name = "owner", excel = "Owner", jira = "assignee" }},
  {{ name = "due_date", excel = "Due", jira = "duedate" }},
]
""",
        "test",
    )


def test_header_row_is_used_and_a_wrong_one_says_where_the_header_went(tmp_path: Path) -> None:
    layout = layout_title_block(tmp_path / "t.xlsx", 3)  # header on row 4
    mapping = risk_mapping('sheet = "Risks", header_row = 4')
    read = read_records(layout.path, mapping, mapping.entity("risk"))
    assert [r.record.summary for r in read.rows] == [row[1] for row in layout.trackers[0].rows]
    assert read.location.header_row == 4 and not read.errors
    stale = risk_mapping('sheet = "Risks", header_row = 2')
    with pytest.raises(MissingColumns) as caught:
        locate_entity(layout.path, stale.entity("risk"))
    message = str(caught.value)
    assert "row 2 (header_row in the mapping) holds 'Owner: PMO'" in message
    assert "on row 4 now" in message and "set header_row = 4" in message


def test_a_two_row_header_resolves_group_and_sub_names(tmp_path: Path) -> None:
    layout = layout_two_row_header(tmp_path / "two.xlsx")
    for pins in ("header_row = 3, header_rows = 2", "header_rows = 2"):
        mapping = risk_mapping(
            f'sheet = "Risk Log", {pins}', "Assessment / Probability", "Assessment / Impact"
        )
        read = read_records(layout.path, mapping, mapping.entity("risk"))
        assert not read.errors
        assert [(r.record.probability, r.record.impact) for r in read.rows] == [
            (row[2], row[3]) for row in layout.trackers[0].rows
        ]
        assert (read.location.header_row, read.location.first_data_row) == (3, 5)


def test_columns_keep_trackers_side_by_side_apart(tmp_path: Path) -> None:
    layout = layout_side_by_side(tmp_path / "board.xlsx")
    risks = risk_mapping('sheet = "Board", header_row = 2, columns = "A:G"')
    actions = action_mapping('sheet = "Board", header_row = 2, columns = "I:L"')
    left = read_records(layout.path, risks, risks.entity("risk"))
    right = read_records(layout.path, actions, actions.entity("action"))
    assert left.location.headers == list(RISK_HEADERS) and left.location.last_data_row == 6
    assert right.location.headers == ["Action ID", "Action", "Owner", "Due"]
    assert right.location.columns["Owner"] == "K"  # not the risks' Owner in column E
    assert [r.record.summary for r in right.rows] == [row[1] for row in layout.trackers[1].rows]
    assert [r.record.owner for r in right.rows][:2] == ["Alice Martin", "Bob Chen"]


def test_an_append_beside_another_tracker_stays_in_its_columns(tmp_path: Path) -> None:
    layout = layout_side_by_side(tmp_path / "board.xlsx")
    before = layout.path.read_bytes()
    mapping = action_mapping('sheet = "Board", header_row = 2, columns = "I:L"')
    entity = mapping.entity("action")
    read = read_records(layout.path, mapping, entity)
    record = build_record("action", {"summary": "Book the lab", "owner": "Erin"}, source="test")
    patch = add_new_rows(WorkbookPatch(), mapping, entity, read.location, [record])
    result = apply_patch(layout.path, patch, expected=read.fingerprint, live=False)
    assert result.appended_rows == {"Board": [10]}
    changed = cell_diff(
        zipfile.ZipFile(io.BytesIO(before)).read("xl/worksheets/sheet1.xml"),
        zipfile.ZipFile(layout.path).read("xl/worksheets/sheet1.xml"),
    )
    assert set(changed) <= {"I10", "J10", "K10", "L10"} and {"J10", "K10"} <= set(changed)


def test_a_stacked_tracker_ends_before_the_one_below(tmp_path: Path) -> None:
    layout = layout_stacked(tmp_path / "raid.xlsx")
    lower = layout.trackers[1]
    risks = risk_mapping('sheet = "RAID", header_row = 3, columns = "A:G"')
    read = read_records(layout.path, risks, risks.entity("risk"))
    assert not read.errors and len(read.rows) == 5
    assert (read.location.last_data_row, read.location.next_tracker_row) == (8, 11)
    actions = action_mapping(f'sheet = "RAID", header_row = {lower.header_row}')
    below = read_records(layout.path, actions, actions.entity("action"))
    assert [r.record.summary for r in below.rows] == [row[1] for row in lower.rows]
    assert below.location.next_tracker_row is None


def test_without_pins_a_sheet_is_searched_as_before(tmp_path: Path) -> None:
    layout = layout_stacked(tmp_path / "raid.xlsx")
    loc = locate_tracker(layout.path, sheet="RAID", expected_headers=["Title", "Owner"])
    assert (loc.header_row, loc.last_data_row, loc.next_tracker_row) == (3, 15, None)
    assert loc.pins.active is False


def test_appending_to_a_stacked_tracker_keeps_a_blank_row_above_the_next(tmp_path: Path) -> None:
    layout = layout_stacked(tmp_path / "raid.xlsx")
    mapping = risk_mapping('sheet = "RAID", header_row = 3, columns = "A:G"')
    entity = mapping.entity("risk")
    read = read_records(layout.path, mapping, entity)
    two = [
        build_record("risk", {"summary": f"new {i}", "probability": 2}, source="test")
        for i in range(2)
    ]
    patch = add_new_rows(WorkbookPatch(), mapping, entity, read.location, two)
    before = layout.path.read_bytes()
    with pytest.raises(UnsupportedEdit) as caught:
        apply_patch(layout.path, patch, expected=read.fingerprint, live=False)
    message = str(caught.value)
    assert "another tracker starts at row 11" in message and "room for 1 new row" in message
    assert "insert 1 rows above row 11 in Excel" in message
    assert layout.path.read_bytes() == before
    one = add_new_rows(WorkbookPatch(), mapping, entity, read.location, two[:1])
    assert apply_patch(layout.path, one, expected=read.fingerprint, live=False).appended_rows == {
        "RAID": [9]
    }
    again = read_records(layout.path, mapping, entity)
    assert len(again.rows) == 6 and again.location.next_tracker_row == 11
    actions = action_mapping('sheet = "RAID", header_row = 12')
    assert len(read_records(layout.path, actions, actions.entity("action")).rows) == 3


def test_a_cell_write_never_lands_in_the_tracker_below(tmp_path: Path) -> None:
    layout = layout_stacked(tmp_path / "raid.xlsx")
    mapping = risk_mapping('sheet = "RAID", header_row = 3')
    loc = locate_entity(layout.path, mapping.entity("risk"))
    WorkbookPatch().set_in(loc, 8, "Title", "fine")  # its last row
    with pytest.raises(ValueError, match="another tracker starts at row 11"):
        WorkbookPatch().set_in(loc, 12, "Title", "not mine")


def test_a_table_pinned_to_another_row_is_refused(real_workbook) -> None:
    path = real_workbook("raid_log.xlsx")
    with pytest.raises(TrackerNotFound, match="has its header on row 4, but the mapping pins"):
        locate_tracker(path, table="Risks", pins=TrackerPins(header_row=3))


def test_check_locates_as_the_sync_does(tmp_path: Path) -> None:
    layout = layout_two_row_header(tmp_path / "two.xlsx")
    mapping = risk_mapping(
        'sheet = "Risk Log", header_row = 3, header_rows = 2',
        "Assessment / Probability",
        "Assessment / Impact",
    )
    pair = SyncPair(name="log", workbook=layout.path, mapping="log.toml", projects=("ALPHA",))
    findings = list(check_workbook(layout.path, mapping, pair))
    ok = [f for f in findings if f.level == "ok"]
    assert ok and "header rows 3-4" in ok[0].message and "data rows: 5" in ok[0].message
    assert [f.level for f in findings].count("error") == 0


@pytest.mark.parametrize(
    ("excel", "problem"),
    [
        ('sheet = "S", header_rows = 3', "header_rows: Input should be less than or equal to 2"),
        ('sheet = "S", columns = "H:B"', "ends before it starts"),
        (
            'sheet = "S", columns = "B-H"',
            "is not a column range; write the first and last column letters",
        ),
        ('table = "T", columns = "A:C"', "applies to a tracker on a sheet, not to table 'T'"),
        ('table = "T", header_rows = 2', "applies to a tracker on a sheet"),
    ],
)
def test_pins_are_validated_with_the_mapping(excel: str, problem: str) -> None:
    with pytest.raises(MappingFileError) as caught:
        risk_mapping(excel)
    assert problem in str(caught.value)
    assert "entity[0] (risk).excel" in str(caught.value)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_sync_locates_every_surveyed_tracker_where_the_survey_found_it(
    tmp_path: Path, name: str
) -> None:
    """Pinned as the survey says (excel_location), the locator finds the same header row,
    header texts, data rows and tracker below: survey and sync cannot disagree."""
    layout = LAYOUTS[name](tmp_path / f"{name}.xlsx")
    for tracker in survey_workbook(layout.path).trackers:
        pins = tracker.excel_location()
        loc = locate_tracker(
            layout.path, table=pins.get("table"), sheet=pins.get("sheet"),
            expected_headers=[h for h in tracker.headers if h], pins=tracker.pins,
        )  # fmt: skip
        assert (loc.header_row, loc.header_rows, loc.headers) == (
            tracker.header_row, tracker.header_rows, tracker.headers
        )  # fmt: skip
        assert (loc.first_data_row, loc.last_data_row) == (
            tracker.first_data_row, tracker.last_data_row
        )  # fmt: skip
        assert loc.next_tracker_row == tracker.next_tracker_row


def test_the_live_excel_path_keeps_the_same_room_rule(tmp_path: Path) -> None:
    """With the workbook open in Excel the patch goes to the live writer; an append that
    would touch the tracker below is refused there too, before Excel is written to."""
    layout = layout_stacked(tmp_path / "raid.xlsx")
    mapping = risk_mapping('sheet = "RAID", header_row = 3, columns = "A:G"')
    entity = mapping.entity("risk")
    read = read_records(layout.path, mapping, entity)
    two = [build_record("risk", {"summary": f"new {i}"}, source="test") for i in range(2)]
    patch = add_new_rows(WorkbookPatch(), mapping, entity, read.location, two)
    (layout.path.parent / "~$raid.xlsx").write_bytes(b"owner")
    writer = XlwingsLiveWriter(open_book=lambda _path: object())  # refused before any use
    with pytest.raises(UnsupportedEdit, match="another tracker starts at row 11"):
        apply_patch(layout.path, patch, expected=read.fingerprint, live=writer)
    (layout.path.parent / "~$raid.xlsx").unlink()
