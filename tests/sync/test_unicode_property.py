"""A property over arbitrary text, end to end: a value Jira holds is either carried to
Excel and back unchanged, or left untouched in Jira.

Texts come from all of Unicode (lone surrogates, control characters, ``_xHHHH_``
lookalikes, leading and trailing whitespace, text past Excel's 32,767-character cell
limit). Each example puts one into a Jira text field, syncs, reads the cell with an
independent reader (python-calamine), edits another field of the record in the workbook and
syncs again: Jira must still hold exactly that text, and the cell must hold it exactly
whenever a cell can. The reverse direction types a storable text into the workbook and
checks that Jira receives it exactly.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch
from connectors.excel.values import MAX_TEXT, storable_text, utf16_length
from mappings.values import UNSTORABLE

MAPPING = """
name = "triggers"

[[entity]]
type = "risk"
excel = { sheet = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Risk", jira = "summary", required = true },
  { name = "trigger", excel = "Trigger", jira = "Risk Trigger" },
  { name = "probability", excel = "Probability", jira = "Probability", value_map = "probability" },
]
"""
TOKENS = [
    "_x0041_",
    "_x005F_",
    "_x005f_x0041_",
    "_xD800_",
    "_x000D_",
    "_x",
    "\r\n",
    "\r",
    "\n",
    "\t",
    " ",
    "\u00a0",
    "=",
    "+1",
    "-",
    "@",
    "\x00",
    "\x01",
    "\x1f",
    "\ud800",
    "\udfff",
    "\ufffe",
    "😀",
    "张伟",
    "<&>\"'",
]
pieces = st.one_of(
    st.sampled_from(TOKENS), st.characters(blacklist_categories=()), st.text(max_size=5)
)
texts = st.tuples(
    st.lists(pieces, min_size=1, max_size=40).map("".join), st.sampled_from([1] * 6 + [2000])
).map(lambda pair: (pair[0] * pair[1])[:45_000])
PROFILE = settings(
    max_examples=int(os.environ.get("PMO_SYNC_PROPERTY_EXAMPLES", "12")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _empty_tracker(path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(["Jira Key", "Sync ID", "Risk", "Trigger", "Probability"])
    book.save(path)


@pytest.fixture
def world(mapped_world):
    """One sandbox and workbook shared by all the examples of a test."""
    with mapped_world(MAPPING, _empty_tracker, name="risks.xlsx") as w:
        first = w.cycle()
        assert first.outcome == "ok", first.all_errors
        yield w


def _storable(text: str) -> bool:
    """Whether a cell can hold ``text`` whole: no character XML cannot carry, and within
    Excel's limit both as UTF-16 and as the escaped text the file stores."""
    fits = utf16_length(text) <= MAX_TEXT and not storable_text(text)[1]
    return not UNSTORABLE.search(text) and fits and bool(text.strip())


def _cell(world, key: str) -> object:
    """The Trigger cell as python-calamine (Rust, shares no code with pmo-sync) reads it.
    openpyxl is no oracle here: it leaves _xHHHH_ escapes in inline strings undecoded,
    which Excel decodes."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(world.workbook)).get_sheet_by_name("Risks").to_python()
    for row in rows[1:]:
        if row[0] == key:
            return row[3]
    raise AssertionError(f"no row for {key}")


def _trigger_in_jira(world, key: str) -> object:
    store = world.server.store
    return store.get(key).fields.get(store.catalog.field_by_name_or_id("Risk Trigger").id)


@PROFILE
@given(text=texts)
@example(text="\ud800\udfff")  # a surrogate pair, one character once Jira holds it
def test_a_jira_text_reaches_excel_whole_or_jira_keeps_it(world, text):
    # Jira's strings are UTF-16: a high and a low surrogate side by side are one character
    # there (and in the JSON it serves), so that is the text Jira holds.
    text = json.loads(json.dumps(text))
    key = world.rows("risk").rows[0].record.key
    world.server.store.human_edit(key, {"Risk Trigger": text})
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    if _storable(text):
        assert _cell(world, key) == text  # carried whole, read by an independent reader
    elif text.strip():
        assert any(key in w for w in result.all_warnings)  # and said so when it could not
    probability = world.row("risk", key).record.probability
    world.edit_row("risk", key, probability=1 if probability != 1 else 2)
    edited = world.cycle()
    assert edited.outcome == "ok", edited.all_errors
    assert _trigger_in_jira(world, key) == text  # never shortened, replaced or re-sent
    assert world.cycle().counts == {}  # and nothing flaps


@PROFILE
@given(text=texts.map(lambda t: UNSTORABLE.sub("", t)[:120] + "."))  # a 255-char field
def test_a_text_typed_in_excel_reaches_jira_exactly(world, text):
    read = world.rows("risk")
    row = read.rows[0]
    patch = WorkbookPatch().set_in(read.location, row.row_number, "Trigger", text)
    apply_patch(world.workbook, patch, expected=Fingerprint.of_file(world.workbook), live=False)
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    assert _trigger_in_jira(world, row.record.key) == text
    assert world.cycle().counts == {}
