"""Write a patch into a workbook that is open in Excel, through xlwings (Windows/macOS).

When a person has the workbook open, replacing the file is impossible (and would lose
their unsaved work). The same cell changes are then sent to the running Excel: cells
are grouped into contiguous blocks (one COM call each), strings that look like formulas
get Excel's literal-text prefix "'", and COM's "call was rejected by callee" (Excel busy
while the user edits) is retried a bounded number of times. Everything xlwings-specific
goes through a small Book-like interface so it can be tested with a fake.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from .appends import check_room_above
from .errors import LiveExcelUnavailable
from .fingerprint import Fingerprint
from .locate import TrackerLocation, TrackerPins, locate_tracker
from .patch import PatchResult, WorkbookPatch
from .refs import cell_ref, column_index, column_letter
from .values import looks_like_formula

_REJECTED_HRESULTS = {-2147418111, -2146777998, 0x80010001}


class RangeLike(Protocol):
    value: Any


class SheetLike(Protocol):
    def range(self, address: str) -> RangeLike: ...


class BookLike(Protocol):
    """The part of xlwings.Book the live writer uses: book.sheets[name].range(addr)."""

    sheets: Any


class LiveWriter(Protocol):
    def write(self, path: Path, patch: WorkbookPatch, *, expected: Fingerprint) -> PatchResult: ...


def is_call_rejected(exc: BaseException) -> bool:
    """True for COM's RPC_E_CALL_REJECTED / 'Call was rejected by callee'."""
    code = getattr(exc, "hresult", None)
    if code is None and getattr(exc, "args", None) and isinstance(exc.args[0], int):
        code = exc.args[0]
    if code in _REJECTED_HRESULTS:
        return True
    return "rejected" in str(exc).lower()


def with_retries(
    fn: Callable[[], Any],
    *,
    attempts: int = 6,
    delay: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Call fn, retrying only 'call rejected' errors, with growing pauses."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if not is_call_rejected(exc) or attempt == attempts:
                raise
            sleep(delay * attempt)
    raise AssertionError("unreachable")


def live_value(value: Any) -> Any:
    """The value to hand to Excel: literal text gets the "'" prefix (never a formula)."""
    if isinstance(value, str) and (looks_like_formula(value) or value.startswith("'")):
        return "'" + value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def blocks(cells: dict[tuple[int, int], Any]) -> list[tuple[int, int, list[Any]]]:
    """Group {(row, col): value} into horizontal runs: (row, first col, values)."""
    out: list[tuple[int, int, list[Any]]] = []
    for row, col in sorted(cells):
        if out and out[-1][0] == row and out[-1][1] + len(out[-1][2]) == col:
            out[-1][2].append(cells[(row, col)])
        else:
            out.append((row, col, [cells[(row, col)]]))
    return out


class XlwingsLiveWriter:
    """Sends a patch to the workbook open in Excel, via xlwings (or a fake Book)."""

    def __init__(
        self,
        open_book: Callable[[Path], BookLike] | None = None,
        *,
        attempts: int = 6,
        delay: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._open_book = open_book or _xlwings_book
        self.attempts = attempts
        self.delay = delay
        self.sleep = sleep

    def _call(self, fn: Callable[[], Any]) -> Any:
        return with_retries(fn, attempts=self.attempts, delay=self.delay, sleep=self.sleep)

    def write(self, path: Path, patch: WorkbookPatch, *, expected: Fingerprint) -> PatchResult:
        """Write into the open workbook. Excel keeps the changes unsaved: they reach the
        file when the person saves (a later read of the file does not see them yet)."""
        book = self._call(lambda: self._open_book(path))
        result = PatchResult(path=path, live=True)
        result.notes.append(
            "written into the workbook open in Excel; the changes are saved with it"
        )
        per_sheet: dict[str, dict[tuple[int, int], Any]] = {}
        locations: dict[str, TrackerLocation] = {}
        for w in patch.writes:
            if w.by_letter:
                col = column_index(w.column)
            else:
                loc = locations.get(w.sheet) or _locate(path, w.sheet, patch)
                locations[w.sheet] = loc
                col = column_index(loc.column_for(w.column))
            per_sheet.setdefault(w.sheet, {})[(w.row, col)] = w.value
        for append in patch.appends:
            loc = _locate(path, append.sheet, patch, table=append.table, pins=append.pins)
            sheet_cells = per_sheet.setdefault(loc.sheet, {})
            if loc.next_tracker_row is not None:
                check_room_above(path, loc.sheet, loc, len(append.rows))
            start = self._live_last_row(book, loc) + 1
            rows = []
            for k, values in enumerate(append.rows):
                for key, value in values.items():
                    sheet_cells[(start + k, loc.column_index_for(key))] = value
                rows.append(start + k)
            if loc.table is not None and rows:
                self._resize_table(book, loc, rows[-1])
            result.appended_rows.setdefault(loc.table or loc.sheet, []).extend(rows)
        for sheet_name, cells in per_sheet.items():
            sheet = book.sheets[sheet_name]
            for row, col, values in blocks(cells):
                address = cell_ref(row, col)
                if len(values) > 1:
                    address += ":" + cell_ref(row, col + len(values) - 1)
                data = [live_value(v) for v in values]
                payload: Any = [data] if len(data) > 1 else data[0]
                rng = sheet.range(address)

                def assign(rng: RangeLike = rng, payload: Any = payload) -> None:
                    rng.value = payload

                self._call(assign)
                for i in range(len(values)):
                    result.written.append((sheet_name, cell_ref(row, col + i)))
        result.cells_written = len(result.written)
        result.rows_appended = sum(len(v) for v in result.appended_rows.values())
        del expected  # the open workbook's unsaved state cannot be fingerprinted
        return result

    def _live_last_row(self, book: BookLike, loc: TrackerLocation) -> int:
        sheet = book.sheets[loc.sheet]
        if loc.table is not None:
            table = self._call(lambda: sheet.tables[loc.table])
            rng = self._call(lambda: table.range)
            return int(rng.last_cell.row)
        first_col = min(column_index(c) for c in loc.columns.values())
        last = loc.last_data_row
        while True:
            probe = sheet.range(cell_ref(last + 1, first_col))
            if self._call(lambda p=probe: p.value) in (None, ""):
                return last
            last += 1

    def _resize_table(self, book: BookLike, loc: TrackerLocation, new_last: int) -> None:
        sheet = book.sheets[loc.sheet]
        table = self._call(lambda: sheet.tables[loc.table])
        cols = [column_index(c) for c in loc.columns.values()]
        address = f"{column_letter(min(cols))}{loc.header_row}:{column_letter(max(cols))}{new_last}"
        self._call(lambda: table.resize(sheet.range(address)))


def _locate(
    path: Path,
    sheet: str | None,
    patch: WorkbookPatch,
    *,
    table: str | None = None,
    pins: TrackerPins | None = None,
) -> TrackerLocation:
    names: Sequence[str] = [w.column for w in patch.writes if w.sheet == sheet and not w.by_letter]
    return locate_tracker(
        path, table=table, sheet=None if table else sheet, expected_headers=names,
        aliases=patch.aliases, pins=None if table else pins,
    )  # fmt: skip


def _xlwings_book(path: Path) -> BookLike:
    """The workbook as already open in a running Excel; never opens it.

    `xw.Book(path)` would start Excel and open the file when no instance has it (e.g.
    a stale `~$` owner file left by a crash), leaving changes unsaved in an invisible
    instance; so only books found among the running instances are used.
    """
    import os

    import xlwings as xw

    target = os.path.normcase(os.path.abspath(path))
    for app in xw.apps:
        for book in app.books:
            if os.path.normcase(os.path.abspath(book.fullname)) == target:
                return book
    raise LiveExcelUnavailable(
        f"{path}: a lock file says the workbook is open, but no running Excel has it open "
        "(a stale lock file left by a crash?). If Excel is closed, delete the '~$' file "
        "beside the workbook and sync again.",
        path=path,
    )


def default_live_writer() -> LiveWriter | None:
    """An xlwings writer where Excel can be automated (Windows/macOS), else None."""
    if sys.platform not in ("win32", "darwin"):
        return None
    try:
        import xlwings  # noqa: F401
    except ImportError:
        return None
    return XlwingsLiveWriter()


def unavailable_reason() -> str:
    if sys.platform not in ("win32", "darwin"):
        return (
            f"writing through a running Excel is unavailable on this platform ({sys.platform}): "
            "xlwings can only drive Excel on Windows and macOS"
        )
    return "xlwings is not installed"


__all__ = [
    "BookLike",
    "LiveExcelUnavailable",
    "LiveWriter",
    "XlwingsLiveWriter",
    "blocks",
    "default_live_writer",
    "is_call_rejected",
    "live_value",
    "with_retries",
]
