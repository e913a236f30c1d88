"""Classify Excel number formats: date, datetime, time, percent, text or plain number.

Excel stores dates as numbers; only the cell's number format says a number is a date.
So the reader needs this to return dates as dates, and the writer to know whether a
target cell already displays dates.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
# Locale-dependent built-ins (East Asian date/time formats) are dates too.
_BUILTIN_DATE_IDS = set(range(14, 18)) | set(range(27, 32)) | {36} | set(range(50, 59))
_BUILTIN_DATETIME_IDS = {22}
_BUILTIN_TIME_IDS = set(range(18, 22)) | {32, 33, 34, 35, 45, 46, 47}
DEFAULT_DATE_FORMAT_ID = 14  # locale short date
DEFAULT_DATETIME_FORMAT_ID = 22


class FormatKind(Enum):
    GENERAL = "general"
    NUMBER = "number"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    TEXT = "text"


_STRIP_RE = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKET_RE = re.compile(r"\[[^\]]*\]")


@lru_cache(maxsize=1024)
def classify_code(code: str) -> FormatKind:
    """Kind of a format code such as 'dd/mm/yyyy', '0.0%' or '[h]:mm'."""
    if not code or code.strip().lower() == "general":
        return FormatKind.GENERAL
    section = code.split(";", 1)[0]
    elapsed = bool(re.search(r"\[(h+|m+|s+)\]", section, re.IGNORECASE))
    cleaned = _BRACKET_RE.sub("", _STRIP_RE.sub("", section)).lower()
    if cleaned.strip() == "@":
        return FormatKind.TEXT
    has_date = any(ch in cleaned for ch in "dy") or (
        "m" in cleaned and "h" not in cleaned and ":" not in cleaned and "s" not in cleaned
    )
    has_time = elapsed or "h" in cleaned or "s" in cleaned or ":" in cleaned
    if "e+" in cleaned or "e-" in cleaned:
        return FormatKind.NUMBER
    if has_date and has_time:
        return FormatKind.DATETIME
    if has_date:
        return FormatKind.DATE
    if has_time:
        return FormatKind.TIME
    if "%" in cleaned:
        return FormatKind.PERCENT
    return FormatKind.NUMBER


def classify(fmt_id: int, code: str | None) -> FormatKind:
    """Kind of number format `fmt_id`, whose code is `code` when it is a custom one."""
    if code is None:
        if fmt_id in _BUILTIN_DATE_IDS:
            return FormatKind.DATE
        if fmt_id in _BUILTIN_DATETIME_IDS:
            return FormatKind.DATETIME
        if fmt_id in _BUILTIN_TIME_IDS:
            return FormatKind.TIME
        code = BUILTIN_FORMATS.get(fmt_id, "General")
    return classify_code(code)


def is_dateish(kind: FormatKind) -> bool:
    return kind in (FormatKind.DATE, FormatKind.DATETIME, FormatKind.TIME)
