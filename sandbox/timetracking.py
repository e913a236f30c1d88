"""Time tracking: Jira's duration strings, the time tracking fields, and how to show them.

Jira stores estimates and time spent as seconds and writes them as ``1w 2d 3h 30m`` with a
working day of 8 hours and a week of 5 days (its defaults; a bare number means minutes). The
internal state is three plain fields on the issue, ``timeoriginalestimate``, ``timeestimate``
(remaining) and ``timespent`` (the sum of the worklogs), so search, sorting and the
changelog treat them like any other field; ``timetracking``, the ``aggregate*`` fields and
the embedded ``worklog`` page are computed from them when an issue is rendered.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.errors import JiraError
from sandbox.model import FieldDef, Issue

if TYPE_CHECKING:  # render imports the catalog, which imports this module
    from sandbox import render

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 8 * HOUR  # Jira's default working day
WEEK = 5 * DAY  # and working week
_UNITS = {"w": WEEK, "d": DAY, "h": HOUR, "m": MINUTE, "": MINUTE}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([wdhm]?)\s*", re.IGNORECASE)
EMBEDDED_WORKLOGS = 20  # the issue's ``worklog`` field carries at most this many
COMPUTED_KINDS = frozenset({"timetracking", "aggregate", "worklog"})

# Which stored field each aggregate field sums (no sub-tasks here, so it is the field itself).
AGGREGATES = {
    "aggregatetimespent": "timespent",
    "aggregatetimeoriginalestimate": "timeoriginalestimate",
    "aggregatetimeestimate": "timeestimate",
}
# JQL and /field names of the stored fields.
CLAUSE_NAMES: dict[str, list[str]] = {
    "timespent": ["timespent"],
    "timeoriginalestimate": ["originalEstimate", "timeoriginalestimate"],
    "timeestimate": ["remainingEstimate", "timeestimate"],
    "aggregatetimespent": [],
    "aggregatetimeoriginalestimate": [],
    "aggregatetimeestimate": [],
    "timetracking": [],
    "worklog": [],
}


def fields() -> list[FieldDef]:
    """The time tracking system fields, as ``/field`` publishes them."""
    f = FieldDef

    def seconds(fid: str, name: str) -> FieldDef:
        return f(fid, name, "seconds", "number", system=fid, orderable=False)

    def aggregate(fid: str, name: str) -> FieldDef:
        return f(fid, name, "aggregate", "number", system=fid, orderable=False, searchable=False)

    return [
        f(
            "timetracking",
            "Time tracking",
            "timetracking",
            "timetracking",
            system="timetracking",
            navigable=False,
        ),
        seconds("timeoriginalestimate", "Original Estimate"),
        seconds("timeestimate", "Remaining Estimate"),
        seconds("timespent", "Time Spent"),
        aggregate("aggregatetimeoriginalestimate", "Σ Original Estimate"),
        aggregate("aggregatetimeestimate", "Σ Remaining Estimate"),
        aggregate("aggregatetimespent", "Σ Time Spent"),
        f(
            "worklog",
            "Log Work",
            "worklog",
            "array",
            items="worklog",
            system="worklog",
            navigable=False,
        ),
    ]


def parse_duration(raw: Any) -> int | None:
    """Seconds in a Jira duration (``3h 30m``, ``1.5d``, ``90`` minutes); None if invalid."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        return None
    text, pos, total = raw.strip(), 0, 0.0
    while pos < len(text):
        m = _PART.match(text, pos)
        if m is None or m.end() == pos:
            return None
        total += float(m.group(1)) * _UNITS[m.group(2).lower()]
        pos = m.end()
    return round(total)


def format_duration(seconds: int | None) -> str | None:
    """Jira's pretty form: ``1w 2d 3h 30m`` (``0m`` for nothing)."""
    if seconds is None:
        return None
    parts = []
    rest = int(seconds)
    for unit, size in (("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MINUTE)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return " ".join(parts) or "0m"


def parse_timetracking(fd: FieldDef, raw: Any) -> dict[str, int | None]:
    """The ``timetracking`` field as clients set it: ``{"originalEstimate": "2d",
    "remainingEstimate": "1d"}`` (either may be left out); 400 with Jira's keys if invalid."""
    if not isinstance(raw, dict):
        raise JiraError(400, None, {fd.id: "Operation value must be an object"})
    out: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for key, error_key, label in (
        ("originalEstimate", "timetracking_originalestimate", "original estimate"),
        ("remainingEstimate", "timetracking_remainingestimate", "remaining estimate"),
    ):
        if key not in raw:
            continue
        if raw[key] in (None, ""):
            out[key] = None
            continue
        seconds = parse_duration(raw[key])
        if seconds is None:
            errors[error_key] = f"The {label} specified is not valid."
        else:
            out[key] = seconds
    if errors:
        raise JiraError(400, None, errors)
    return out


def expand_changes(changes: dict[str, Any], issue: Issue | None) -> None:
    """Turn a parsed ``timetracking`` change into the stored estimate fields, in place.

    As in Jira, setting only the original estimate also sets the remaining one while no work
    has been logged (or none was set), and ``"timetracking": null`` clears both estimates.
    """
    if "timetracking" not in changes:
        return
    given = changes.pop("timetracking")
    current = issue.fields if issue is not None else {}
    if given is None:
        changes["timeoriginalestimate"] = None
        changes["timeestimate"] = None
        return
    if "originalEstimate" in given:
        changes["timeoriginalestimate"] = given["originalEstimate"]
    if "remainingEstimate" in given:
        changes["timeestimate"] = given["remainingEstimate"]
    elif "originalEstimate" in given and (
        not current.get("timespent") or current.get("timeestimate") is None
    ):
        changes["timeestimate"] = given["originalEstimate"]


def timetracking_json(issue: Issue) -> dict[str, Any]:
    """The TimeTrackingDetails of an issue (empty when nothing is estimated or logged)."""
    out: dict[str, Any] = {}
    for stored, name in (
        ("timeoriginalestimate", "originalEstimate"),
        ("timeestimate", "remainingEstimate"),
        ("timespent", "timeSpent"),
    ):
        seconds = issue.fields.get(stored)
        if seconds is not None:
            out[name] = format_duration(seconds)
            out[f"{name}Seconds"] = seconds
    return out


def render_field(fd: FieldDef, issue: Issue, ctx: render.Ctx) -> Any:
    """A computed field's JSON: ``timetracking``, an ``aggregate*`` sum, or ``worklog``."""
    if fd.kind == "timetracking":
        return timetracking_json(issue)
    if fd.kind == "aggregate":
        return issue.fields.get(AGGREGATES.get(fd.id, ""))
    from sandbox import worklogs  # worklogs builds on this module

    return worklogs.embedded_page(issue, ctx)


def parse_started(raw: Any, default_ms: int) -> int:
    """A worklog's ``started`` (``2026-01-17T09:30:00.000+0000``) as epoch ms; 400 if bad."""
    if raw is None:
        return default_ms
    if isinstance(raw, str):
        for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
            try:
                return int(datetime.strptime(raw, fmt).timestamp() * 1000)
            except ValueError:
                continue
    raise JiraError(400, None, {"started": f"Could not parse the start date '{raw}'."})
