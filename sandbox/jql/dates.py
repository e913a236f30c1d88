"""JQL date values: absolute formats, relative periods and date functions, in a user's zone.

Jira resolves ``updated``/``created`` operands to minute precision in the searching user's
time zone; date-only fields (due date, date pickers) compare by calendar day.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.jql.errors import JqlError
from sandbox.timetracking import parse_duration

_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_PERIOD = re.compile(r"^\s*([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$")
_PART = re.compile(r"(\d+)\s*([wdhm])")
_UNITS = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
MINUTE_MS = 60_000

DATE_FUNCTIONS = {
    "now",
    "startofday",
    "endofday",
    "startofweek",
    "endofweek",
    "startofmonth",
    "endofmonth",
    "startofyear",
    "endofyear",
}


def invalid_date(value: str, field: str) -> JqlError:
    """Jira's message for a date it cannot read."""
    return JqlError(
        f"Date value '{value}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
        "format e.g. '-5d', '4w 2d'."
    )


def period_minutes(text: str) -> int | None:
    """Minutes in a relative period such as ``-15m``, ``-2d``, ``4w 2d`` (None if not one)."""
    m = _PERIOD.match(text)
    if not m:
        return None
    total = sum(int(n) * _UNITS[u] for n, u in _PART.findall(m.group(2)))
    return -total if m.group(1) == "-" else total


def floor_minute(ms: int) -> int:
    """Truncate epoch ms to the minute (every zone offset is a whole number of minutes)."""
    return ms - ms % MINUTE_MS


def literal_to_ms(text: str, field: str, tz: ZoneInfo, now_ms: int) -> int:
    """An absolute or relative date literal as epoch ms (minute precision)."""
    minutes = period_minutes(text)
    if minutes is not None:
        return floor_minute(now_ms + minutes * MINUTE_MS)
    for fmt in _FORMATS:
        try:
            dt = datetime.strptime(text.strip(), fmt).replace(tzinfo=tz)
        except ValueError:
            continue
        return int(dt.timestamp() * 1000)
    raise invalid_date(text, field)


def function_to_ms(name: str, args: tuple[str, ...], field: str, tz: ZoneInfo, now_ms: int) -> int:
    """``now()``, ``startOfDay(-1d)`` and friends as epoch ms in the user's zone."""
    low = name.lower()
    now = datetime.fromtimestamp(now_ms / 1000, tz)
    if low == "now":
        return floor_minute(now_ms)
    shift = 0
    if args:
        shift_text = args[0]
        if re.fullmatch(r"[-+]?\d+", shift_text):
            shift_text += {"day": "d", "week": "w"}.get(
                low[-3:] if low.endswith("day") else "", "d"
            )
        minutes = period_minutes(shift_text)
        if minutes is None:
            raise JqlError(f"Invalid argument '{args[0]}' for function '{name}'.")
        shift = minutes
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if low in ("startofday", "endofday"):
        start = day
        end = day + timedelta(days=1)
    elif low in ("startofweek", "endofweek"):
        start = day - timedelta(days=(day.weekday() + 1) % 7)  # Jira weeks start on Sunday
        end = start + timedelta(days=7)
    elif low in ("startofmonth", "endofmonth"):
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    elif low in ("startofyear", "endofyear"):
        start = day.replace(month=1, day=1)
        end = start.replace(year=start.year + 1)
    else:
        raise JqlError(f"Unable to find JQL function '{name}({', '.join(args)})'.")
    chosen = start if low.startswith("start") else end - timedelta(minutes=1)
    chosen = chosen + timedelta(minutes=shift)
    return int(chosen.timestamp() * 1000)


def duration_seconds(text: str, field: str) -> int:
    """A time tracking duration (``2d``, ``3h 30m``, a bare number of minutes) in seconds."""
    seconds = parse_duration(text)
    if seconds is None:
        raise JqlError(
            f"The value '{text}' for field '{field}' is invalid - please specify a positive "
            "duration format."
        )
    return seconds


def ms_to_date(ms: int, tz: ZoneInfo) -> str:
    """The calendar day (yyyy-MM-dd) of an instant in the user's zone."""
    return datetime.fromtimestamp(ms / 1000, tz).strftime("%Y-%m-%d")
