"""Convert between Python values and Excel cell contents.

Dates are serial numbers in Excel (days since 1899-12-30, or 1904-01-01 for Mac
workbooks with date1904). Text that a spreadsheet would interpret as a formula or a
DDE command (=, +, -, @, leading tab/CR) must be stored as literal text with a
quote-prefix style (CWE-1236), so it is detected here in one place.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from mappings.values import replace_unstorable

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
_FORMULA_TRIGGERS = "=+-@\uff1d"
_LEADING_CONTROL = "\t\r\n"

CellPython = str | int | float | bool | dt.date | dt.datetime | dt.time | None


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could treat `text` as a formula or DDE payload.

    Leading spaces are skipped because some spreadsheet apps ignore them before '=';
    a leading tab, CR or LF is itself treated as dangerous (CSV-injection payloads use
    them to hide the '=' from naive filters). Full-width '＝' is included because IMEs
    convert it.
    """
    if not text:
        return False
    if text[0] in _LEADING_CONTROL:
        return True
    stripped = text.lstrip(" \u00a0")
    return bool(stripped) and stripped[0] in _FORMULA_TRIGGERS


def from_serial(serial: float, *, date1904: bool, kind: str) -> dt.date | dt.datetime | dt.time:
    """Excel serial number to date/datetime/time according to the format kind."""
    if serial < 0:
        raise ValueError("negative serial numbers are not dates in Excel")
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    if kind == "time" and 0 <= serial < 1:
        seconds = round(serial * 86400)
        return (dt.datetime.min + dt.timedelta(seconds=seconds)).time()
    if not date1904 and serial < 60:
        serial += 1  # Excel's fictitious 1900-02-29: serials before it are off by one
    value = epoch + dt.timedelta(days=serial)
    value = _round_to_ms(value)
    if kind == "date" and value.time() == dt.time():
        return value.date()
    return value  # a date-formatted cell holding a time of day keeps it (faithful read)


def to_serial(value: dt.date | dt.datetime | dt.time, *, date1904: bool) -> float | int:
    """Date/datetime/time to an Excel serial number (int for plain dates)."""
    if isinstance(value, dt.time):
        return (
            value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        ) / 86400
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        delta = value - epoch
        serial: float = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
        if not date1904 and serial < 61:
            serial -= 1
        return int(serial) if serial == int(serial) and value.time() == dt.time() else serial
    days = (dt.datetime(value.year, value.month, value.day) - epoch).days
    if not date1904 and days < 61:
        days -= 1
    return days


def _round_to_ms(value: dt.datetime) -> dt.datetime:
    micro = value.microsecond
    rounded = round(micro / 1000) * 1000
    if rounded == 1_000_000:
        return value.replace(microsecond=0) + dt.timedelta(seconds=1)
    return value.replace(microsecond=rounded)


def number_text(value: int | float | Decimal) -> str:
    """Shortest exact text for a number in a <v> element."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{value!r} cannot be stored in an Excel cell")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def parse_number(text: str) -> int | float:
    """<v> text to int when it is integral text, else float."""
    try:
        return int(text)
    except ValueError:
        f = float(text)
        if f.is_integer() and "e" not in text.lower() and abs(f) < 1e15 and "." in text:
            # "5.0" written by some tools: keep as int only if it has no fraction digits
            frac = text.split(".", 1)[1]
            if frac.strip("0") == "":
                return int(f)
        return f


MAX_TEXT = 32_767  # Excel's limit on the characters (UTF-16 code units) in one cell
TRUNCATION_MARK = " …[truncated by pmo-sync]"


def utf16_length(text: str) -> int:
    """The length Excel counts: UTF-16 code units (an emoji outside the BMP counts two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut_utf16(text: str, units: int) -> str:
    """The longest prefix of ``text`` within ``units`` UTF-16 code units."""
    if text.isascii():
        return text[:units]
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return text[:index]
    return text


def _stored_length(text: str) -> int:
    """Characters the cell's XML holds: _xHHHH_ escapes (for control characters, and for
    a literal "_x0041_") count in full, and Excel's limit is checked on them too."""
    if len(text) * 7 <= MAX_TEXT:  # an escape is at most 7 characters per character
        return len(text)
    from .strings import escape_ooxml

    return len(escape_ooxml(text)) if "_x" in text or not text.isprintable() else len(text)


def _cut(text: str, units: int) -> str:
    """The longest prefix within ``units`` both as UTF-16 and as stored (escaped) text."""
    prefix = _cut_utf16(text, units)
    if _stored_length(prefix) <= units:
        return prefix
    low, high = 0, len(prefix)  # the stored length grows with the prefix: bisect
    while low < high:
        middle = (low + high + 1) // 2
        if _stored_length(prefix[:middle]) <= units:
            low = middle
        else:
            high = middle - 1
    return prefix[:low]


def storable_text(text: str) -> tuple[str, list[str]]:
    """``text`` as a cell can hold it, and what had to change (nothing: an empty list).

    Characters no workbook can store become U+FFFD; text past Excel's 32,767-unit cell
    limit is cut, with a visible mark. The caller that knows the value's origin (the sync
    engine) decides what the loss means; this only makes the cell possible."""
    changes = []
    text, found = replace_unstorable(text)  # XML 1.0 cannot carry them (other controls
    if found:  # survive as _xHHHH_ escapes)
        listed = ", ".join(found)
        changes.append(f"characters a workbook cannot store ({listed}) replaced by U+FFFD")
    length = utf16_length(text)
    if length > MAX_TEXT or _stored_length(text) > MAX_TEXT:
        text = _cut(text, MAX_TEXT - len(TRUNCATION_MARK)) + TRUNCATION_MARK
        changes.append(
            f"text of {length:,} characters is longer than an Excel cell holds "
            f"({MAX_TEXT:,}): cut, and marked {TRUNCATION_MARK.strip()!r}"
        )
    return text, changes


def fit_for_excel(value: object, where: str) -> tuple[object, str | None]:
    """`value` made storable in a cell, and a note when it had to be changed.

    Text is made storable (see ``storable_text``); dates before 1900 have no Excel serial
    and are written as ISO text (YYYY-MM-DD), which reads back as the same date; NaN and
    infinity have no Excel representation and raise ValueError naming the cell.
    """
    if isinstance(value, str):
        text, changes = storable_text(value)
        return text, (f"{where}: {'; '.join(changes)}" if changes else None)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ValueError(f"{where}: {value!r} cannot be stored in an Excel cell")
    if isinstance(value, dt.date) and value.year < 1900:
        return value.isoformat(), f"{where}: a date before 1900 is written as text"
    return value, None
