"""Excel connector: lossless, fast read and surgical write of real PMO workbooks.

Reading streams the sheet XML (no workbook model is built); writing patches only the
cells that change inside the sheet's XML part and copies every other zip entry's
compressed bytes unchanged, so charts, pivots, slicers, extLst content and cached
formula values survive. See the module docstrings for the why of each piece.
"""

from __future__ import annotations

from .addcolumns import add_columns
from .cells import CellValue
from .diff import PackageDiff, cell_diff, package_diff
from .errors import (
    ExcelError,
    LiveExcelUnavailable,
    MissingColumns,
    SheetNotOwned,
    TableOutOfStep,
    TrackerNotFound,
    UnstorableText,
    UnsupportedEdit,
    WorkbookChanged,
    WorkbookEncrypted,
    WorkbookLocked,
    WorkbookUnreadable,
)
from .fingerprint import Fingerprint
from .headers import normalise_header
from .live import BookLike, LiveWriter, XlwingsLiveWriter
from .locate import TrackerLocation, TrackerPins, locate_tracker
from .owned import OWNED_NAME, is_owned, owned_sheet_shows, refresh_owned_sheet, replace_owned_sheet
from .patch import CellWrite, PatchResult, RowAppend, WorkbookPatch
from .reader import TrackerData, TrackerRow, read_tracker
from .survey import SkippedSheet, SurveyColumn, SurveyTracker, WorkbookSurvey, survey_workbook
from .writer import apply_patch, render_patch

__all__ = [
    "OWNED_NAME",
    "BookLike",
    "CellValue",
    "CellWrite",
    "ExcelError",
    "Fingerprint",
    "LiveExcelUnavailable",
    "LiveWriter",
    "MissingColumns",
    "PackageDiff",
    "PatchResult",
    "RowAppend",
    "SheetNotOwned",
    "SkippedSheet",
    "SurveyColumn",
    "SurveyTracker",
    "TableOutOfStep",
    "TrackerData",
    "TrackerLocation",
    "TrackerNotFound",
    "TrackerPins",
    "TrackerRow",
    "UnstorableText",
    "UnsupportedEdit",
    "WorkbookChanged",
    "WorkbookEncrypted",
    "WorkbookLocked",
    "WorkbookPatch",
    "WorkbookSurvey",
    "WorkbookUnreadable",
    "XlwingsLiveWriter",
    "add_columns",
    "apply_patch",
    "cell_diff",
    "is_owned",
    "locate_tracker",
    "normalise_header",
    "owned_sheet_shows",
    "package_diff",
    "read_tracker",
    "refresh_owned_sheet",
    "render_patch",
    "replace_owned_sheet",
    "survey_workbook",
]
