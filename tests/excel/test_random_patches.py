"""Seeded random patches: whatever cells are written, reading back gives exactly the
written values, and nothing else in the sheet changes."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from pathlib import Path

import pytest

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch, cell_diff, read_tracker
from connectors.excel.refs import column_letter
from connectors.excel.synthetic import HEADERS, build_tracker_workbook

WRITABLE = [h for h in HEADERS if h != "Total"]


def _random_value(rng: random.Random) -> object:
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice(["=1+1", "+x", "-3", "@a", "\tTAB", "plain", "", "a & b <c>", "é€😀"])
    if kind == 1:
        return rng.randrange(-(10**6), 10**6)
    if kind == 2:
        return rng.choice([0.5, -1.25, 1e-7, 123456.789])
    if kind == 3:
        return dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(3000))
    if kind == 4:
        return dt.datetime(2026, 1, 1, rng.randrange(24), rng.randrange(60))
    if kind == 5:
        return rng.random() < 0.5
    if kind == 6:
        return None
    return f"text {rng.randrange(1000)}"


def _same(read: object, written: object) -> bool:
    if isinstance(written, dt.datetime) and written.time() == dt.time():
        return read in (written, written.date())
    if isinstance(written, str) and written == "":
        return read == ""
    return (read == written and type(read) is type(written)) or (
        isinstance(written, float) and isinstance(read, float) and abs(read - written) < 1e-12
    )


@pytest.mark.parametrize("seed", range(6))
def test_random_patch_round_trip(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = build_tracker_workbook(tmp_path / "t.xlsx", rows=30)
    before = tmp_path / "before.xlsx"
    shutil.copy(path, before)
    expected: dict[tuple[int, str], object] = {}
    patch = WorkbookPatch()
    for _ in range(rng.randrange(1, 60)):
        row = rng.randrange(4, 34)
        header = rng.choice(WRITABLE)
        value = _random_value(rng)
        while header in ("Start", "Due") and type(value) in (int, float):
            value = _random_value(rng)  # a number in a date-formatted cell *is* a date
        patch.set("Tracker", row, header, value)
        expected[(row, header)] = value
    result = apply_patch(path, patch, expected=Fingerprint.of_file(path))
    rows = {
        r.row_number: r.cells for r in read_tracker(path, table="Tasks", include_empty=True).rows
    }
    for (row, header), value in expected.items():
        got = rows[row][header].value
        assert _same(got, value), f"seed {seed}: {header}{row}: wrote {value!r}, read {got!r}"
    touched = {f"{column_letter(HEADERS.index(h) + 1)}{r}" for r, h in expected}
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(path) as b:
        diff = cell_diff(a.read("xl/worksheets/sheet1.xml"), b.read("xl/worksheets/sheet1.xml"))
    assert set(diff) <= touched, f"untouched cells changed: {sorted(set(diff) - touched)}"
    assert len(result.written) <= len(expected)


@pytest.mark.parametrize("seed", range(4))
def test_random_appends_round_trip(tmp_path: Path, seed: int) -> None:
    rng = random.Random(1000 + seed)
    path = build_tracker_workbook(tmp_path / "t.xlsx", rows=rng.randrange(1, 20))
    for _ in range(3):  # three successive syncs, each appending and editing
        data = read_tracker(path, table="Tasks")
        last = data.location.last_data_row
        new_rows = []
        for _ in range(rng.randrange(1, 4)):
            row: dict[str, object] = {}
            for header in rng.sample(WRITABLE, rng.randrange(1, 5)):
                value = _random_value(rng)
                # keep each column's type: new rows inherit the formats of the row above
                dated = header in ("Start", "Due")
                while (dated and type(value) in (int, float)) or (
                    not dated and isinstance(value, dt.date)
                ):
                    value = _random_value(rng)
                row[header] = value
            new_rows.append(row)
        patch = WorkbookPatch().append(new_rows, table="Tasks")
        patch.set("Tracker", 4, "Status", f"sync {rng.randrange(100)}")
        result = apply_patch(path, patch, expected=data.fingerprint)
        numbers = result.appended_rows["Tasks"]
        assert numbers == list(range(last + 1, last + 1 + len(new_rows)))
        rows_back = read_tracker(path, table="Tasks", include_empty=True).rows
        back = {r.row_number: r.cells for r in rows_back}
        for number, values in zip(numbers, new_rows, strict=True):
            for header, value in values.items():
                got = back[number][header].value if number in back else None
                if value is None or value == "":
                    assert got in (None, ""), (header, number)
                else:
                    assert _same(got, value), f"{header}{number}: wrote {value!r}, read {got!r}"
            assert back[number]["Total"].is_formula  # calculated column filled
    with zipfile.ZipFile(path) as zf:
        table = zf.read("xl/tables/table1.xml")
    assert f'ref="A3:K{last + len(new_rows)}"'.encode() in table


@pytest.mark.parametrize("seed", range(3))
def test_random_patches_on_real_raid_log(real_workbook, tmp_path: Path, seed: int) -> None:
    rng = random.Random(500 + seed)
    path = real_workbook("raid_log.xlsx")
    before = tmp_path / "before.xlsx"
    shutil.copy(path, before)
    data = read_tracker(path, table="Risks")
    headers = [h for h in data.location.headers if h not in ("RAG Status",)]
    patch = WorkbookPatch()
    expected: dict[tuple[int, str], object] = {}
    for _ in range(40):
        row, header = rng.randrange(5, 25), rng.choice(headers)
        value = _random_value(rng)
        dated = "Date" in header
        while (dated and type(value) in (int, float)) or (value is None):
            value = _random_value(rng)
        patch.set("Risk Register", row, header, value)
        expected[(row, header)] = value
    apply_patch(path, patch, expected=data.fingerprint)
    back = {r.row_number: r.cells for r in read_tracker(path, table="Risks").rows}
    for (row, header), value in expected.items():
        got = back[row][header].value
        assert _same(got, value) or (value == "" and got is None), (header, row, value, got)
    touched = {f"{data.location.columns[h]}{r}" for r, h in expected}
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(path) as b:
        diff = cell_diff(a.read("xl/worksheets/sheet1.xml"), b.read("xl/worksheets/sheet1.xml"))
        assert a.read("xl/worksheets/sheet5.xml") == b.read("xl/worksheets/sheet5.xml")
    assert set(diff) <= touched
