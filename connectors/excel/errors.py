"""Errors raised by the Excel connector.

Every message names the workbook (and sheet or table where relevant) and says what the
user must do next, because the people who read them are PMO staff, not developers.

    ExcelError
    ├── WorkbookUnreadable     not an xlsx/xlsm package, corrupt zip or XML
    │   └── WorkbookEncrypted  an OLE/CFB file: password-protected or legacy .xls
    ├── TrackerNotFound        no such table / sheet / header row
    ├── TableOutOfStep         a table whose header cells are not its column names
    │                          (rows moved by a tool that does not update tables)
    ├── MissingColumns         required headers absent (lists the headers found)
    ├── WorkbookChanged        the file changed since it was read (someone saved it)
    ├── WorkbookLocked         the file is open in Excel (owner file or sharing violation)
    ├── UnsupportedEdit        a change this connector refuses to make (formula cell,
    │   │                      table with a totals row, content below a table, ...)
    │   └── UnstorableText     text with a character no workbook can store (also a
    │                          ValueError: the caller must clean the text first)
    ├── SheetNotOwned          replace_owned_sheet on a sheet pmo-sync did not create
    └── LiveExcelUnavailable   no running Excel reachable through xlwings
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class ExcelError(Exception):
    """Base class of every error raised by `connectors.excel`."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None


class WorkbookUnreadable(ExcelError):
    """The file is not a readable xlsx/xlsm package; it was left untouched."""


class WorkbookEncrypted(WorkbookUnreadable):
    """The file is an OLE compound file (encrypted workbook or legacy .xls)."""


class TrackerNotFound(ExcelError):
    """The table, sheet or header row the caller asked for does not exist."""


class TableOutOfStep(ExcelError):
    """An Excel table whose first row does not hold its column names.

    Excel keeps the two equal; a tool that inserts or deletes rows without updating
    the table (openpyxl's ``delete_rows``) leaves the table's range where it was while
    the cells move, so a data row sits where the header should be. Reading it would
    take that row for the header (and lose it); writing would add to a table Excel
    has to repair. Not a TrackerNotFound: the tracker is there, but damaged."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        table: str = "",
        expected: Sequence[str] = (),
        found: Sequence[object] = (),
    ) -> None:
        super().__init__(message, path=path)
        self.table = table
        self.expected = list(expected)
        self.found = list(found)


class MissingColumns(ExcelError):
    """Required columns are not among the tracker's headers."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        missing: Sequence[str] = (),
        found: Sequence[str] = (),
    ) -> None:
        super().__init__(message, path=path)
        self.missing = list(missing)
        self.found = list(found)


class WorkbookChanged(ExcelError):
    """The workbook on disk no longer matches the fingerprint taken when it was read."""


class WorkbookLocked(ExcelError):
    """The workbook is open in Excel (owner file present or the replace was refused)."""


class UnsupportedEdit(ExcelError):
    """A requested change that would damage the workbook, so it is refused."""


class UnstorableText(UnsupportedEdit, ValueError):
    """Text holding NUL, a lone surrogate, U+FFFE or U+FFFF: no workbook can store it.

    Refused rather than escaped, because none of the escapes reads back (see
    ``strings.py``); nothing is written. It is a ValueError too, because the fix is the
    caller's: the sync layer replaces such characters before it writes."""


class SheetNotOwned(ExcelError):
    """The sheet exists but was not created by pmo-sync, so it is not replaced."""


class LiveExcelUnavailable(ExcelError):
    """Writing into a workbook open in Excel is impossible here (no reachable Excel)."""
