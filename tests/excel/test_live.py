"""The live-Excel path (xlwings), exercised with a fake Book: it cannot run on Linux."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from connectors.excel import (
    Fingerprint,
    WorkbookPatch,
    XlwingsLiveWriter,
    apply_patch,
    read_tracker,
)
from connectors.excel.live import blocks, default_live_writer, is_call_rejected, with_retries


class CallRejected(Exception):
    """What pywintypes.com_error looks like to us: an hresult and a message."""

    def __init__(self) -> None:
        super().__init__(-2147418111, "Call was rejected by callee.", None, None)
        self.hresult = -2147418111


class FakeCell:
    def __init__(self, row: int) -> None:
        self.row = row


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.sheet = sheet
        self.address = address

    @property
    def value(self) -> Any:
        return self.sheet.cells.get(self.address)

    @value.setter
    def value(self, payload: Any) -> None:
        if self.sheet.book.reject > 0:
            self.sheet.book.reject -= 1
            raise CallRejected()
        self.sheet.book.calls.append((self.sheet.name, self.address, payload))

    @property
    def last_cell(self) -> FakeCell:
        return FakeCell(int("".join(ch for ch in self.address.split(":")[-1] if ch.isdigit())))


class FakeTable:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.range = FakeRange(sheet, address)
        self.resized: list[str] = []

    def resize(self, rng: FakeRange) -> None:
        self.resized.append(rng.address)
        self.range = rng


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self.name = name
        self.cells: dict[str, Any] = {}
        self.tables: dict[str, FakeTable] = {}

    def range(self, address: str) -> FakeRange:
        return FakeRange(self, address)


class FakeBook:
    def __init__(self, reject: int = 0) -> None:
        self.reject = reject
        self.calls: list[tuple[str, str, Any]] = []
        tracker = FakeSheet(self, "Tracker")
        tracker.tables["Tasks"] = FakeTable(tracker, "A3:K15")
        self.sheets = {"Tracker": tracker}


def _locked(path: Path) -> None:
    path.with_name("~$" + path.name).write_bytes(b"owner")


def test_locked_workbook_goes_to_live_excel_in_blocks(tracker_xlsx: Path) -> None:
    data = read_tracker(tracker_xlsx, table="Tasks")
    _locked(tracker_xlsx)
    before = tracker_xlsx.read_bytes()
    book = FakeBook(reject=2)
    sleeps: list[float] = []
    writer = XlwingsLiveWriter(lambda p: book, sleep=sleeps.append, delay=0.01)
    patch = WorkbookPatch()
    patch.set("Tracker", 4, "Status", "Done")
    patch.set("Tracker", 4, "Start", dt.date(2026, 2, 1))
    patch.set("Tracker", 4, "Due", dt.date(2026, 3, 1))
    patch.set("Tracker", 6, "Summary", '=HYPERLINK("http://x")')
    patch.append([{"Key": "N-1", "Summary": "+1"}], table="Tasks")
    result = apply_patch(tracker_xlsx, patch, expected=data.fingerprint, live=writer)
    assert result.live and not result.wrote
    assert tracker_xlsx.read_bytes() == before  # the file is not overwritten
    assert "open" in result.notes[0]
    assert book.calls[0] == (
        "Tracker",
        "C4:E4",
        [["Done", dt.date(2026, 2, 1), dt.date(2026, 3, 1)]],
    )
    assert ("Tracker", "B6", '\'=HYPERLINK("http://x")') in book.calls
    assert ("Tracker", "A16:B16", [["N-1", "'+1"]]) in book.calls
    assert book.sheets["Tracker"].tables["Tasks"].resized == ["A3:K16"]
    assert result.appended_rows == {"Tasks": [16]} and result.cells_written == 6
    assert len(sleeps) == 2  # two 'call rejected' answers were retried


def test_retries_are_bounded() -> None:
    calls = []

    def always_rejected() -> None:
        calls.append(1)
        raise CallRejected()

    with pytest.raises(CallRejected):
        with_retries(always_rejected, attempts=3, delay=0, sleep=lambda s: None)
    assert len(calls) == 3
    with pytest.raises(ZeroDivisionError):
        with_retries(lambda: 1 / 0, attempts=3, sleep=lambda s: None)  # not retried


def test_helpers() -> None:
    assert is_call_rejected(CallRejected()) and not is_call_rejected(ValueError("x"))
    assert blocks({(4, 3): "a", (4, 4): "b", (4, 6): "c", (5, 3): "d"}) == [
        (4, 3, ["a", "b"]),
        (4, 6, ["c"]),
        (5, 3, ["d"]),
    ]


def test_linux_reports_live_path_unavailable(tracker_xlsx: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert default_live_writer() is None
    _locked(tracker_xlsx)
    from connectors.excel import WorkbookLocked

    with pytest.raises(WorkbookLocked, match="unavailable on this platform"):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Key", "x"),
                    expected=Fingerprint.of_file(tracker_xlsx))  # fmt: skip


def test_stale_lock_without_running_excel(tracker_xlsx: Path) -> None:
    from connectors.excel import LiveExcelUnavailable, WorkbookLocked

    def no_open_book(path: Path) -> FakeBook:
        raise LiveExcelUnavailable("no running Excel has it open", path=path)

    _locked(tracker_xlsx)
    with pytest.raises(WorkbookLocked, match="no running Excel"):
        apply_patch(tracker_xlsx, WorkbookPatch().set("Tracker", 4, "Key", "x"),
                    expected=Fingerprint.of_file(tracker_xlsx),
                    live=XlwingsLiveWriter(no_open_book))  # fmt: skip
