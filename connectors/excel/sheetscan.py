"""Index one worksheet part, then decode only the rows that are asked for.

The survey (``survey.py``) must look at every sheet of a 50-sheet, 100,000-row workbook
in seconds, so it never decodes a whole sheet. One pass of C-level pattern searches over
the part's bytes (inflated once) records where each ``<row>`` starts and whether it holds
any value (a ``<v>`` or an inline string), without typing a single cell: that "row
skeleton" is what tells, cheaply, where a block of rows ends (a row without values, or a
gap in the row numbers) and which row is the sheet's last with a value. Only the rows a
caller asks for (the head of the sheet, a few rows after a gap) are cut out of the bytes
and decoded, by the same fast regex reader (``fastsheet``) and typed decoder
(``cells``) as every other read, so a survey sees exactly the values a sync reads.

The parts of the sheet around ``<sheetData>`` are small and read whole: the dimension,
column widths and hidden columns (``<cols>``) before it, merged cells after it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import cached_property

from .cells import CellValue
from .errors import WorkbookUnreadable
from .fastsheet import fast_rows
from .package import SheetInfo
from .refs import CellRange, column_index
from .sheetcells import iter_sheet_rows
from .workbook import WorkbookView

_SHEETDATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<((?:\w+:)?)worksheet\b[^>]*>")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\sr\s*=\s*"(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*"([^"]*)"')
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref\s*=\s*"([^"]*)"')
_LOCATION = re.compile(rb'<(?:\w+:)?location\b[^>]*?\sref\s*=\s*"([^"]*)"')
_ATTR = re.compile(rb'\s([\w:]+)\s*=\s*"([^"]*)"')
_CELL_HEAD = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr\s*=\s*"([A-Z]{1,3})\d+"[^>]*?(/?)>')

Rows = dict[int, dict[int, CellValue]]


class SheetScan:
    """A worksheet part indexed by row, decoded on demand (see the module docstring)."""

    def __init__(self, view: WorkbookView, sheet: SheetInfo, data: bytes | None = None) -> None:
        self.view = view
        self.sheet = sheet
        self.data = view.sheet_bytes(sheet) if data is None else data
        m = _SHEETDATA.search(self.data)
        if m is None:
            raise WorkbookUnreadable(
                f"{view.path}: sheet {sheet.name!r} (part {sheet.part}) has no sheetData "
                "element. The workbook is damaged; open it in Excel, let it repair the file, "
                "save it, and try again.",
                path=view.path,
            )
        self.prefix = m.group(1)
        self.head = self.data[: m.start()]
        if m.group(2):
            self.body_start = self.body_end = m.end()
        else:
            self.body_start = m.end()
            close = self.data.find(b"</" + self.prefix + b"sheetData>", m.end())
            self.body_end = close if close >= 0 else len(self.data)
        self.tail = self.data[self.body_end :]
        self.numbers: list[int] = []
        self._starts: list[int] = []
        self._valued: list[bool] = []
        self._index()
        self._cache: Rows = {}

    # -- the row skeleton ----------------------------------------------------------------
    def _index(self) -> None:
        value = re.compile(rb"<" + re.escape(self.prefix) + rb"(?:v|is)>")
        numbers, starts, ends_self = self.numbers, self._starts, []
        last = 0
        for m in _ROW_START.finditer(self.data, self.body_start, self.body_end):
            r = _R_ATTR.search(m.group(1))
            last = int(r.group(1)) if r else last + 1
            numbers.append(last)
            starts.append(m.start())
            ends_self.append(bool(m.group(2)))
        bounds = [*starts[1:], self.body_end] if starts else []
        self._valued = [
            not closed and value.search(self.data, start, end) is not None
            for start, end, closed in zip(starts, bounds, ends_self, strict=True)
        ]

    @cached_property
    def value_rows(self) -> list[int]:
        """Row numbers that hold at least one value (any column), in order."""
        return [n for n, v in zip(self.numbers, self._valued, strict=True) if v]

    @property
    def last_value_row(self) -> int:
        """The sheet's last row holding a value (0 for an empty sheet)."""
        rows = self.value_rows
        return rows[-1] if rows else 0

    def value_rows_between(self, first: int, last: int | None = None) -> list[int]:
        """Rows holding a value in [first, last] (last None: to the end)."""
        rows = self.value_rows
        lo = bisect.bisect_left(rows, first)
        hi = len(rows) if last is None else bisect.bisect_right(rows, last)
        return rows[lo:hi]

    # -- decoding ------------------------------------------------------------------------
    def rows(self, first: int, last: int, columns: Iterable[int] | None = None) -> Rows:
        """Decoded rows in [first, last]: {row: {column: CellValue}}, empty cells dropped
        (a formula cell without a cached value is kept: it is not nothing). Rows without
        any stored cell are absent. Decoded once and cached."""
        lo = bisect.bisect_left(self.numbers, first)
        hi = bisect.bisect_right(self.numbers, last)
        missing = [i for i in range(lo, hi) if self.numbers[i] not in self._cache]
        if missing:
            self._decode(missing[0], missing[-1] + 1)
        wanted = None if columns is None else set(columns)
        out: Rows = {}
        for i in range(lo, hi):
            n = self.numbers[i]
            cells = self._cache.get(n, {})
            if wanted is not None:
                cells = {c: v for c, v in cells.items() if c in wanted}
            if cells:
                out[n] = cells
        return out

    def _decode(self, i1: int, i2: int) -> None:
        start = self._starts[i1]
        end = self._starts[i2] if i2 < len(self._starts) else self.body_end
        chunk = self.data[start:end]
        decoded = None
        if not self.prefix:
            decoded = fast_rows(b"<sheetData>" + chunk + b"</sheetData>", self.view.decoder)
        if decoded is None:
            decoded = self._decode_slow(chunk)
        for n in self.numbers[i1:i2]:
            self._cache.setdefault(n, {})
        for n, cells in decoded:
            self._cache[n] = {
                c: v for c, v in cells.items() if not (v.is_empty and not v.is_formula)
            }

    def _decode_slow(self, chunk: bytes) -> list[tuple[int, dict[int, CellValue]]]:
        """The streaming reader, for sheets not in the canonical shape (prefixes)."""
        root = _ROOT.search(self.head)
        open_tag = root.group(0) if root else b"<worksheet>"
        root_name = b"worksheet" if root is None else root.group(1) + b"worksheet"
        p = self.prefix
        xml = (
            open_tag + b"<" + p + b"sheetData>" + chunk + b"</" + p + b"sheetData></"
            + root_name + b">"
        )  # fmt: skip
        decode = self.view.decoder.decode
        return [(n, {r.col: decode(r) for r in raws}) for n, raws in iter_sheet_rows(xml)]

    def last_row_in_columns(self, first_col: int, last_col: int, *, upto: int) -> int | None:
        """The last row <= `upto` holding a value in columns first_col..last_col, found by
        walking the skeleton backwards and looking only at those rows' cell addresses (no
        decoding): exact for a tracker whose neighbours hold values in other columns."""
        value = re.compile(rb"<" + re.escape(self.prefix) + rb"(?:v|is)>")
        i = bisect.bisect_right(self.numbers, upto) - 1
        while i >= 0:
            if self._valued[i]:
                start = self._starts[i]
                end = self._starts[i + 1] if i + 1 < len(self._starts) else self.body_end
                for m in _CELL_HEAD.finditer(self.data, start, end):
                    if m.group(2):
                        continue
                    col = column_index(m.group(1).decode())
                    if first_col <= col <= last_col:
                        close = self.data.find(b"</" + self.prefix + b"c>", m.end(), end)
                        stop = end if close < 0 else close
                        if value.search(self.data, m.end(), stop) is not None:
                            return self.numbers[i]
            i -= 1
        return None

    # -- what surrounds the cells --------------------------------------------------------
    @cached_property
    def dimension(self) -> CellRange | None:
        """The sheet's ``<dimension>`` (the used range as the writer saw it), if any."""
        m = _DIMENSION.search(self.head)
        if m is None:
            return None
        try:
            return CellRange.parse(m.group(1).decode())
        except ValueError:
            return None

    @cached_property
    def merges(self) -> tuple[CellRange, ...]:
        """Merged cell ranges (they follow sheetData in the part)."""
        return sheet_merges(self.tail)

    @cached_property
    def column_attrs(self) -> dict[int, dict[str, str]]:
        """Column index -> its ``<col>`` attributes (width, hidden, style...), for the
        columns a ``<cols>`` element describes (ranges up to the last used column)."""
        out: dict[int, dict[str, str]] = {}
        limit = (self.dimension.max_col if self.dimension else 0) + 64
        for attrs in _COL.findall(self.head):
            found = {k.decode(): v.decode() for k, v in _ATTR.findall(attrs)}
            try:
                lo, hi = int(found["min"]), int(found["max"])
            except (KeyError, ValueError):
                continue
            for col in range(lo, min(hi, max(limit, lo)) + 1):
                out[col] = found
        return out

    def hidden(self, col: int) -> bool:
        """The column is hidden (``<col hidden="1">``, also what a collapsed outline does)."""
        return self.column_attrs.get(col, {}).get("hidden") in ("1", "true")


def sheet_merges(sheet_xml: bytes) -> tuple[CellRange, ...]:
    """The merged cell ranges of a sheet part (or of its part after sheetData)."""
    tail_at = sheet_xml.rfind(b"sheetData>")
    out = []
    for ref in _MERGE.findall(sheet_xml, max(tail_at, 0)):
        try:
            out.append(CellRange.parse(ref.decode()))
        except ValueError:
            continue
    return tuple(out)


def pivot_areas(view: WorkbookView, sheet: SheetInfo) -> list[CellRange]:
    """Where the sheet's pivot tables are (their ``<location ref>``): summaries, never
    trackers, and never part of one."""
    out = []
    for rel in view.package.rels(sheet.part):
        if rel.type.endswith("/pivotTable") and not rel.external and view.package.has(rel.target):
            m = _LOCATION.search(view.package.read(rel.target))
            if m:
                try:
                    out.append(CellRange.parse(m.group(1).decode()))
                except ValueError:
                    continue
    return out


__all__ = ["Rows", "SheetScan", "pivot_areas", "sheet_merges"]
