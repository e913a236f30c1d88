"""Link cells between the workbook's spelling and the canonical keys the sync compares."""

from __future__ import annotations

from mappings.values import fold
from sync.link_cells import RowRefs, canonical, shown

KEYS = {"R-1": "ALPHA-19", "R-2": "ALPHA-4", "D-1": None, "X-1": "BETA-2"}
REFS = RowRefs(
    keys={fold(ref): key for ref, key in KEYS.items()},
    refs={"ALPHA-19": "R-1", "ALPHA-4": "R-2", "BETA-2": "X-1"},
    ambiguous={fold("X-1")},
)


def test_order_case_and_separators_are_spelling_not_edits():
    assert canonical("alpha-9; ALPHA-10,alpha-9", RowRefs()) == ("ALPHA-9, ALPHA-10", [])
    assert canonical("BETA-3\nALPHA-12", RowRefs()) == ("ALPHA-12, BETA-3", [])
    assert canonical("  ", RowRefs()) == (None, [])


def test_a_row_number_means_its_rows_issue():
    assert canonical("r-1, GAMMA-5", REFS) == ("ALPHA-19, GAMMA-5", [])
    assert canonical("R-2 R-1", REFS) == ("ALPHA-4, ALPHA-19", [])


def test_a_row_not_in_jira_yet_waits():
    assert canonical("D-1, R-1", REFS) == ("ALPHA-19", ["D-1"])
    assert canonical("D-1", REFS) == (None, ["D-1"])


def test_text_that_names_no_issue_is_left_for_the_writer_to_refuse():
    assert canonical("Vendor X", REFS) == ("Vendor X", [])
    assert canonical("X-1", REFS) == ("X-1", [])  # several rows hold X-1: not guessed


def test_keys_with_a_row_number_are_shown_by_number():
    assert shown("ALPHA-4, ALPHA-19, GAMMA-5", REFS) == "R-2, R-1, GAMMA-5"
    assert shown("ALPHA-4", RowRefs()) == "ALPHA-4"
    assert shown(None, REFS) is None
    assert shown("Vendor X", REFS) == "Vendor X"
