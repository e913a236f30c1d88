"""A read session over one workbook: the package plus decoded styles and strings.

Locating a tracker and reading it share the same loaded package, shared strings and
style table, so a read costs one file read and one pass over the tracker's sheet.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

from lxml import etree

from .cells import CellDecoder, CellValue
from .errors import WorkbookUnreadable
from .fastsheet import fast_rows
from .package import Package, SheetInfo
from .sheetcells import iter_sheet_rows
from .strings import load_shared_strings
from .styles import StyleTable

_Rows = list[tuple[int, dict[int, CellValue]]]

# Below this many rows (e.g. the header scan) the streaming reader, which stops early,
# beats parsing the whole sheet at once.
FAST_PATH_MIN_ROWS = 200


class WorkbookView:
    """Typed, streaming access to the cells of a workbook read into memory."""

    def __init__(self, path: str | Path, *, package: Package | None = None) -> None:
        self.package = package or Package(path)
        self.path = self.package.path
        self._last_fast: tuple[tuple[object, ...], _Rows | None] | None = None

    @cached_property
    def styles(self) -> StyleTable:
        part = self.package.styles_part
        data = self.package.read(part) if part and self.package.has(part) else None
        return StyleTable(data, path=self.path)

    @cached_property
    def shared_strings(self) -> list[str]:
        part = self.package.shared_strings_part
        data = self.package.read(part) if part and self.package.has(part) else None
        try:
            return load_shared_strings(data)
        except etree.XMLSyntaxError as exc:
            raise WorkbookUnreadable(
                f"{self.path}: part {part} cannot be parsed ({exc}). The workbook is damaged; "
                "open it in Excel, let it repair the file, save it, and try again.",
                path=self.path,
            ) from exc

    @cached_property
    def decoder(self) -> CellDecoder:
        return CellDecoder(self.shared_strings, self.styles, date1904=self.package.date1904)

    def sheet_bytes(self, sheet: SheetInfo) -> bytes:
        return self.package.read(sheet.part)

    def rows(
        self,
        sheet: SheetInfo,
        *,
        min_row: int = 1,
        max_row: int | None = None,
        columns: set[int] | None = None,
    ) -> Iterator[tuple[int, dict[int, CellValue]]]:
        """Yield (row number, {column index: CellValue}) for stored rows."""
        decode = self.decoder.decode
        if max_row is None or max_row - min_row > FAST_PATH_MIN_ROWS:
            key = (sheet.part, min_row, max_row, frozenset(columns) if columns else None)
            if self._last_fast is not None and self._last_fast[0] == key:
                fast = self._last_fast[1]  # locate then read: one parse, not two
            else:
                fast = fast_rows(self.sheet_bytes(sheet), self.decoder, min_row=min_row,
                                 max_row=max_row, columns=columns)  # fmt: skip
                self._last_fast = (key, fast)
            if fast is not None:
                yield from fast
                return
        # A few rows near the top (a header): stream the part, inflating only its head.
        source = self.package.stream(sheet.part) if max_row is not None else None
        rows = iter_sheet_rows(
            source or self.sheet_bytes(sheet), min_row=min_row, max_row=max_row, columns=columns
        )
        try:
            for row_num, raws in rows:
                yield row_num, {raw.col: decode(raw) for raw in raws}
        except (etree.XMLSyntaxError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise WorkbookUnreadable(
                f"{self.path}: sheet {sheet.name!r} (part {sheet.part}) cannot be parsed "
                f"({exc}). The workbook is damaged; open it in Excel, let it repair the "
                "file, save it, and try again.",
                path=self.path,
            ) from exc
