"""`pmo-sync map` as a person runs it: the proposal, the conversation, and bad input that
gets a clear message and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from connectors.excel.layouts import LAYOUTS
from mappings.mapping import load_mapping
from pmo_sync.cli import app


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "200"})


def _risks(path: Path, headers: list[str], rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _no_header(path: Path) -> Path:
    """A sheet of notes: a title and loose values, no row of column titles."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Notes"
    sheet["A1"] = "Steering committee notes"
    sheet["A3"] = "Budget approved"
    sheet["C7"] = 42
    book.save(path)
    return path


def test_json_proposal_writes_nothing(tmp_path):
    workbook = tmp_path / "t.xlsx"
    LAYOUTS["chinese"](workbook)
    before = workbook.read_bytes()
    result = run("map", str(workbook), "--json")
    assert result.exit_code == 0, result.output
    proposal = json.loads(result.output)
    (tracker,) = proposal["trackers"]
    assert tracker["entity"] == "risk" and tracker["sheet"] == "风险登记册"
    fields = {c["header"]: c["field"] for c in tracker["columns"]}
    assert fields["概率"] == "probability" and fields["风险描述"] == "summary"
    assert workbook.read_bytes() == before and list(tmp_path.iterdir()) == [workbook]


def test_the_person_confirms_retypes_and_edits_columns(tmp_path):
    workbook = _risks(
        tmp_path / "log.xlsx",
        ["Ref", "Headline", "Likelihood", "Severity", "Holder", "Note"],
        [
            ["1", "Vendor late", "High", "Low", "Ann", "x"],
            ["2", "Budget cut", "Low", "High", "Bo", "y"],
        ],
    )
    # Keep the entity, map Note (F) to mitigation, leave Holder (E) out, then stop editing;
    # add the identity columns.
    answers = "\nF=mitigation\nE=-\n\ny\n"
    result = run("map", str(workbook), input=answers)
    assert result.exit_code == 0, result.output
    spec = load_mapping(tmp_path / "log.mapping.toml")
    entity = spec.entity("risk")
    fields = {f.excel: f.name for f in entity.fields}
    assert fields["Note"] == "mitigation" and "Holder" not in fields
    assert fields["Headline"] == "summary"
    assert "added 'Jira Key', 'Sync ID'" in result.output


def test_skipping_every_tracker_writes_nothing(tmp_path):
    workbook = tmp_path / "t.xlsx"
    LAYOUTS["german"](workbook)
    before = workbook.read_bytes()
    result = run("map", str(workbook), input="skip\n")
    assert result.exit_code == 2 and "nothing to map" in result.output
    assert workbook.read_bytes() == before and not (tmp_path / "t.mapping.toml").exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _no_header(p), "no tracker found"),
        (lambda p: p.write_bytes(b"not a workbook"), "not"),
        (lambda p: p.mkdir(), "a folder"),
    ],
)
@pytest.mark.no_ooxml_check
def test_bad_input_gets_a_clear_message_and_changes_nothing(tmp_path, make, message):
    workbook = tmp_path / "bad.xlsx"
    make(workbook)
    before = workbook.read_bytes() if workbook.is_file() else None
    result = run("map", str(workbook), "--yes")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    if before is not None:
        assert workbook.read_bytes() == before
    assert not list(tmp_path.glob("*.toml"))


def test_two_columns_claiming_one_field_keep_one_and_say_why(tmp_path):
    workbook = _risks(
        tmp_path / "t.xlsx",
        ["Risk", "Probability", "Likelihood", "Impact"],
        [["Vendor late", 4, 4, 2], ["Budget cut", 2, 2, 5]],
    )
    result = run("map", str(workbook), "--json")
    (tracker,) = json.loads(result.output)["trackers"]
    claims = [c for c in tracker["columns"] if c["field"] == "probability"]
    assert len(claims) == 1
    other = next(
        c
        for c in tracker["columns"]
        if c["header"] in ("Probability", "Likelihood") and c["field"] is None
    )
    assert "probability" in other["reason"]


def test_values_that_fit_no_value_map_are_listed_never_guessed(tmp_path):
    workbook = _risks(
        tmp_path / "t.xlsx",
        ["Risk", "Probability", "Impact"],
        [["Vendor late", "Quite likely", 2], ["Budget cut", "Whenever", 5]],
    )
    result = run("map", str(workbook), "--yes", "--no-add-id-columns")
    assert "Whenever" in result.output  # listed for the person, in the table or the preview
    text = (tmp_path / "t.mapping.toml").read_text("utf-8")
    assert "Whenever" in text  # and in the mapping's comments


def test_a_workbook_open_in_excel_is_mapped_but_not_changed(tmp_path):
    workbook = tmp_path / "t.xlsx"
    LAYOUTS["title_block_2"](workbook)
    (tmp_path / "~$t.xlsx").write_bytes(b"locked by Excel")
    before = workbook.read_bytes()
    result = run("map", str(workbook), "--yes")
    assert result.exit_code == 1, result.output
    assert "open" in result.output.lower() and "unchanged" in result.output
    assert workbook.read_bytes() == before
    assert (tmp_path / "t.mapping.toml").exists()  # the mapping itself is written
