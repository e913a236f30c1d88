"""Values a workbook cannot hold as Jira holds them, and cells that hold no value at all.

Each test compares Jira's value before and after, end to end against the sandbox over
HTTP: a value the workbook cannot carry whole (a text past Excel's cell limit, a date
before 1900, a lone surrogate) must never flow back and overwrite Jira's, and a cell
holding an error value (#REF!, #N/A) is unknown, never empty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch
from connectors.excel.values import MAX_TEXT


def _sandbox_field(world: Any, key: str, name: str) -> Any:
    """A field as Jira answers it over REST v2 (wiki text, option value, ISO date), read with
    the `jira` client library rather than pmo-sync's own reader."""
    from sandbox.testing import make_jira

    client = make_jira(world.server)
    field_id = next(f["id"] for f in client.fields() if f["name"] == name or f["id"] == name)
    value = client.issue(key, fields=field_id).raw["fields"].get(field_id)
    if isinstance(value, dict):
        return value.get("value", value.get("name"))
    return value


def _first_risk(world: Any) -> Any:
    return world.rows("risk").rows[0].record


def _set_cell(world: Any, key: str, header: str, value: Any, *, error: bool = False) -> None:
    """A person typing into one cell of the row of ``key`` (an error value when asked)."""
    read = world.rows("risk")
    row = next(r for r in read.rows if r.record.key == key)
    patch = WorkbookPatch()
    patch.set_in(read.location, row.row_number, header, value)
    apply_patch(world.workbook, patch, expected=Fingerprint.of_file(world.workbook), live=False)
    if error:
        _make_error_cell(world, read.location, row.row_number, header, value)


def _make_error_cell(world: Any, location: Any, row: int, header: str, code: str) -> None:
    """Turn a cell into an error value (t="e"), as Excel stores #REF! after a deletion."""
    import re
    import zipfile

    from connectors.excel.package import Package

    column = location.columns[location.header_for(header)]
    package = Package(world.workbook, world.workbook.read_bytes())
    part = package.sheet(location.sheet).part
    ref = f"{column}{row}"
    with zipfile.ZipFile(world.workbook) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    xml = entries[part].decode()
    xml, count = re.subn(
        rf'<c r="{ref}"([^>]*?)(?: t="[^"]*")?([^>]*)>.*?</c>',
        rf'<c r="{ref}"\1\2 t="e"><v>{code}</v></c>',
        xml,
        count=1,
    )
    assert count == 1, f"cell {ref} not found in {part}"
    entries[part] = xml.encode()
    with zipfile.ZipFile(world.workbook, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)


# -- A. a text longer than a cell holds ------------------------------------------------------


def test_a_text_excel_cannot_hold_whole_never_flows_back_to_jira(world):
    world.cycle()
    risk = _first_risk(world)
    long_text = ("Mitigation step; " * 2700)[:44_400]
    world.server.store.human_edit(risk.key, {"Mitigation": long_text})
    first = world.cycle()
    assert first.outcome in ("ok", "warnings"), first.all_errors
    cell = world.row("risk", risk.key).record.mitigation
    assert len(cell) <= MAX_TEXT and "truncated" in cell
    # A person edits another field of that record: the cut text must not reach Jira.
    world.edit_row("risk", risk.key, probability=5)
    second = world.cycle()
    assert _sandbox_field(world, risk.key, "Probability") is not None
    assert world.jira("risk", risk.key).probability == 5
    assert _sandbox_field(world, risk.key, "Mitigation") == long_text
    assert not any(
        e.field == "mitigation"
        for e in world.store.audit_log("alpha", 100)
        if e.direction == "excel->jira"
    )
    assert second.outcome in ("ok", "warnings"), second.all_errors
    # Even an edit of the cut cell itself is held back, and said so.
    world.edit_row("risk", risk.key, mitigation="shortened by a person")
    third = world.cycle()
    assert _sandbox_field(world, risk.key, "Mitigation") == long_text
    assert any("mitigation" in w and "not sent" in w for w in third.all_warnings)
    trail = [e for e in world.store.audit_log("alpha", 100) if e.field == "mitigation"]
    assert trail and "truncated" in trail[-1].new  # the trail shows what the cell received
    # Jira's text shrinks below the limit: the field syncs both ways again.
    assert any("longer than an Excel cell" in w and risk.key in w for w in first.all_warnings)
    world.server.store.human_edit(risk.key, {"Mitigation": "short again"})
    world.cycle()
    assert world.row("risk", risk.key).record.mitigation == "short again"
    world.edit_row("risk", risk.key, mitigation="edited in Excel")
    world.cycle()
    assert _sandbox_field(world, risk.key, "Mitigation") == "edited in Excel"


# -- B. error cells ---------------------------------------------------------------------------


def test_an_error_cell_is_unknown_not_empty(world):
    world.cycle()
    risk = _first_risk(world)
    world.server.store.human_edit(risk.key, {"Mitigation": "Keep a second supplier"})
    world.cycle()
    before_probability = _sandbox_field(world, risk.key, "Probability")
    assert before_probability is not None
    _set_cell(world, risk.key, "Short Mitigation Brief", "#REF!", error=True)
    _set_cell(world, risk.key, "Probability", "#N/A", error=True)
    world.edit_row("risk", risk.key, status="mitigating")  # and a real edit beside them
    result = world.cycle()
    assert _sandbox_field(world, risk.key, "Mitigation") == "Keep a second supplier"
    assert _sandbox_field(world, risk.key, "Probability") == before_probability
    assert world.jira("risk", risk.key).status == "mitigating"
    warnings = " ".join(result.all_warnings)
    assert "#REF!" in warnings and "#N/A" in warnings and "row" in warnings


# -- D. dates before 1900 -----------------------------------------------------------------


def test_a_date_before_1900_is_written_as_text_and_the_rest_syncs(world):
    world.cycle()
    risks = world.rows("risk").rows
    old, other = risks[0].record, risks[1].record
    world.server.store.human_edit(old.key, {"duedate": "1850-03-01"})
    world.server.store.human_edit(other.key, {"Mitigation": "Other edit still arrives"})
    result = world.cycle()
    assert world.row("risk", other.key).record.mitigation == "Other edit still arrives"
    assert world.row("risk", old.key).record.due_date == date(1850, 3, 1)
    assert result.counts, result.all_errors
    world.edit_row("risk", old.key, probability=1)
    world.cycle()
    assert _sandbox_field(world, old.key, "duedate") == "1850-03-01"
    assert world.cycle().counts == {}


# -- E. lone surrogates ----------------------------------------------------------------------


def test_a_lone_surrogate_fails_its_field_alone_and_names_the_issue(world):
    world.cycle()
    risks = world.rows("risk").rows
    bad, other = risks[0].record, risks[1].record
    world.server.store.human_edit(bad.key, {"Mitigation": "broken \ud800 text"})
    world.server.store.human_edit(other.key, {"Mitigation": "Other edit still arrives"})
    result = world.cycle()
    assert world.row("risk", other.key).record.mitigation == "Other edit still arrives"
    assert world.row("risk", bad.key).record.mitigation == "broken \ufffd text"
    world.edit_row("risk", bad.key, probability=2)
    world.cycle()
    assert _sandbox_field(world, bad.key, "Mitigation") == "broken \ud800 text"
    assert world.jira("risk", bad.key).probability == 2
    assert result.outcome == "ok", result.all_errors
    assert any(bad.key in w and "mitigation" in w and "U+D800" in w for w in result.all_warnings)


# -- G. a 0 formatted as a date ---------------------------------------------------------------


def test_a_date_cell_holding_0_is_unknown_not_the_last_day_of_1899(world):
    world.cycle()
    risk = _first_risk(world)
    world.server.store.human_edit(risk.key, {"duedate": "2026-12-24"})
    world.cycle()
    _set_cell(world, risk.key, "Target Date", 0)  # =VLOOKUP(...) of an empty cell shows 0
    read = world.rows("risk")
    row = next(r for r in read.rows if r.record.key == risk.key)
    assert "due_date" in row.unknown  # not date(1899, 12, 31)
    world.edit_row("risk", risk.key, probability=1)
    result = world.cycle()
    assert _sandbox_field(world, risk.key, "duedate") == "2026-12-24"
    assert world.jira("risk", risk.key).probability == 1
    assert any("0-Jan-1900" in w for w in result.all_warnings)


# -- F. a table whose range no longer matches its header ---------------------------------------


@pytest.mark.no_ooxml_check  # openpyxl re-saves the workbook with a stale table range
def test_a_table_out_of_step_with_its_header_is_refused_and_jira_is_untouched(
    tmp_path, world_factory
):
    """A row above the table deleted by a tool that shifts cells but not the table's range
    (openpyxl's delete_rows): the first data row sits where the header was. With
    on_excel_delete = "close", taking it for the header closed a Jira issue."""
    from openpyxl import load_workbook

    from sandbox import running_sandbox

    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, sync_settings='on_excel_delete = "close"')
        world.cycle()
        before = {
            i.key: i.fields["status"]
            for i in server.store.issues.values()
            if i.key.startswith("ALPHA-")
        }
        book = load_workbook(world.workbook)
        book["Risk Register"].delete_rows(1)  # the title row above the table
        book.save(world.workbook)
        result = world.cycle()
        after = {
            i.key: i.fields["status"]
            for i in server.store.issues.values()
            if i.key.startswith("ALPHA-")
        }
        assert after == before  # nothing closed, nothing edited
        assert result.outcome != "ok"
        message = " ".join(result.all_errors)
        assert "Risks" in message and "header" in message, message
        world.runner.close()
