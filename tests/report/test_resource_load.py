"""The "Resource Load" sheet written into the resource plan workbook: the load beside the
plan, through the lossless writer (the person's own sheets untouched), written again
only when the figures move."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mappings.config import load_config
from pmo_sync.cli import render_config
from pmo_sync.demo_resources import write_resource_plan
from report.resource_load import SHEET, refresh_resource_load
from resources import monday
from sync.store import StateStore
from tests.report.test_resources_sheet import PEOPLE, PLANS, WORK

AS_OF = date(2026, 12, 2)
NEXT = monday(AS_OF) + timedelta(weeks=1)


def _config(tmp_path: Path, on: bool = True):
    workbook = write_resource_plan(tmp_path / "resources.xlsx", AS_OF)
    text = render_config(url="http://127.0.0.1:9", email="pmo@example.com",
                         workbook=workbook.name, mapping="builtin:resource_plan",
                         projects=["ALPHA"], pair="plan")  # fmt: skip
    text = text.replace("[sync]\n", f"[sync]\nresource_load_sheet = {str(on).lower()}\n", 1)
    (tmp_path / "pmo-sync.toml").write_text(text, "utf-8")
    return load_config(tmp_path / "pmo-sync.toml"), workbook


@pytest.fixture
def store(tmp_path):
    with StateStore(tmp_path / "state.db") as opened:
        with opened.transaction():
            opened.save_items("plan", "resource", PEOPLE)
            opened.save_items("plan", "allocation", PLANS)
            opened.save_items("work", "work_item", WORK)
        yield opened


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_sheet_beside_the_plan_and_nothing_else_touched(tmp_path, store):
    loaded, workbook = _config(tmp_path)
    before = _parts(workbook)
    written = refresh_resource_load(loaded, store, AS_OF)
    assert written["plan"] > 0
    book = load_workbook(workbook)
    assert book.sheetnames[:2] == ["Resources", "Allocations"] and SHEET in book.sheetnames
    sheet = book[SHEET]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Person", "Capacity h/week", f"Week of {monday(AS_OF)}"]
    rows = {}
    for r in sheet.iter_rows(min_row=2, values_only=True):
        if not r[0]:
            break  # the blank row under the people, then the over-allocated weeks
        rows[r[0]] = r
    assert rows["bo@example.com"][3] == pytest.approx(170.0)  # next week, in percent
    assert rows["ana@example.com"][3] == pytest.approx(87.5)
    assert rows["cy@example.com"][3] == "-"  # no capacity
    over = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[:1] == ("bo@example.com",)
            and r[1] is not None and hasattr(r[1], "date")]  # fmt: skip
    assert len(over) == 1
    assert over[0][1].date() == NEXT and over[0][2] == pytest.approx(170.0)
    assert over[0][4] == "BETA-1 30.0 h; BETA-2 4.0 h"
    after = _parts(workbook)
    # The person's sheets are byte for byte what they were.
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert after[name] == before[name]
    # Nothing moved: nothing written.
    assert refresh_resource_load(loaded, store, AS_OF) == {"plan": 0}


def test_off_by_default(tmp_path, store):
    loaded, workbook = _config(tmp_path, on=False)
    assert refresh_resource_load(loaded, store, AS_OF) == {}
    assert SHEET not in load_workbook(workbook).sheetnames


def test_a_workbook_that_cannot_be_written_is_skipped_with_a_warning(tmp_path, store, caplog):
    loaded, workbook = _config(tmp_path)
    workbook.unlink()
    assert refresh_resource_load(loaded, store, AS_OF) == {}
    assert "was not written" in caplog.text
