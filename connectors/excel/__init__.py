"""Excel connector: lossless, fast read and surgical write of real PMO workbooks.

Reading streams the sheet XML (no workbook model is built); writing patches only the
cells that change inside the sheet's XML part and copies every other zip entry's
compressed bytes unchanged, so charts, pivots, slicers, extLst content and cached
formula values survive. See the module docstrings for the why of each piece.
"""

from __future__ import annotations

from .cells import CellValue
from .errors import (
    ExcelError,
    LiveExcelUnavailable,
    MissingColumns,
    SheetNotOwned,
    TrackerNotFound,
    UnsupportedEdit,
    WorkbookChanged,
    WorkbookEncrypted,
    WorkbookLocked,
    WorkbookUnreadable,
)
from .fingerprint import Fingerprint
from .headers import normalise_header
from .locate import TrackerLocation, locate_tracker
from .reader import TrackerData, TrackerRow, read_tracker

__all__ = [
    "CellValue",
    "ExcelError",
    "Fingerprint",
    "LiveExcelUnavailable",
    "MissingColumns",
    "SheetNotOwned",
    "TrackerData",
    "TrackerLocation",
    "TrackerNotFound",
    "TrackerRow",
    "UnsupportedEdit",
    "WorkbookChanged",
    "WorkbookEncrypted",
    "WorkbookLocked",
    "WorkbookUnreadable",
    "locate_tracker",
    "normalise_header",
    "read_tracker",
]
