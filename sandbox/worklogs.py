"""Worklogs: add, update and delete logged work, adjusting the remaining estimate as Jira does.

Worklogs live in the issue's ``worklog`` field as plain records (so saving and search's
before-images need nothing new). Each write recomputes ``timespent``, moves ``timeestimate``
by the ``adjustEstimate`` rule, bumps ``updated`` and adds a changelog entry with the
``timespent``/``timeestimate`` changes and a ``WorklogId`` item, as Jira records logged work.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox import render, timetracking
from sandbox.errors import JiraError
from sandbox.model import ChangeGroup, ChangeItem, FieldDef, Issue
from sandbox.store import Store

ADJUST_MODES = ("auto", "new", "leave", "manual")
_COMMENT_FD = FieldDef("comment", "Comment", "richtext", "string")


def records(issue: Issue) -> list[dict[str, Any]]:
    """The issue's worklog records (oldest first)."""
    return list(issue.fields.get("worklog") or [])


def find(issue: Issue, wid: str) -> dict[str, Any]:
    """One worklog record, or Jira's 404."""
    for rec in records(issue):
        if rec["id"] == str(wid):
            return rec
    raise JiraError(404, f"Cannot find worklog with id: {wid}.")


def remaining_after(
    mode: str | None,
    remaining: int | None,
    delta: int,
    *,
    new_estimate: str | None,
    amount: str | None,
    amount_name: str,
) -> int | None:
    """The remaining estimate after logging ``delta`` more seconds (negative: less).

    ``auto`` moves it by ``delta`` (never below zero), ``new`` sets ``new_estimate``,
    ``manual`` moves it by ``amount`` (``reduceBy`` or ``increaseBy``), ``leave`` keeps it.
    """
    mode = (mode or "auto").lower()
    if mode not in ADJUST_MODES:
        raise JiraError(
            400,
            None,
            {"adjustEstimate": f"The value '{mode}' is not valid: use new, leave, manual or auto."},
        )
    if mode == "leave":
        return remaining
    if mode == "new":
        seconds = timetracking.parse_duration(new_estimate)
        if seconds is None:
            raise JiraError(400, None, {"newEstimate": "You must supply a valid new estimate."})
        return seconds
    if mode == "manual":
        seconds = timetracking.parse_duration(amount)
        if seconds is None:
            raise JiraError(
                400,
                None,
                {amount_name: f"You must supply a valid amount of time for '{amount_name}'."},
            )
        delta = seconds if delta >= 0 else -seconds
    return max(0, (remaining or 0) - delta)


def _write(
    store: Store,
    issue: Issue,
    author: str,
    new_records: list[dict[str, Any]],
    remaining: int | None,
    worklog_from: str | None,
    worklog_to: str | None,
) -> None:
    """Store the new worklog list and log what it changed, in one ``updated`` bump."""
    with store.lock:
        before = copy.deepcopy(issue)
        when = store.now_ms()
        spent = sum(r["time_spent"] for r in new_records) if new_records else None
        items: list[ChangeItem] = []
        for fid, new in (("timeestimate", remaining), ("timespent", spent)):
            old = issue.fields.get(fid)
            if old != new:
                items.append(
                    ChangeItem(
                        fid,
                        fid,
                        "jira",
                        None if old is None else str(old),
                        None if old is None else str(old),
                        None if new is None else str(new),
                        None if new is None else str(new),
                    )
                )
                issue.fields[fid] = new
        if worklog_from is not None or worklog_to is not None:
            items.append(
                ChangeItem(
                    "WorklogId",
                    "WorklogId",
                    "jira",
                    worklog_from,
                    worklog_from,
                    worklog_to,
                    worklog_to,
                )
            )
        issue.fields["worklog"] = new_records
        if items:
            issue.changelog.append(ChangeGroup(store._entity_id(), author, when, items))
        store._bump(issue, when)
        store._remember(issue.id, before)


def add(
    store: Store,
    issue: Issue,
    author: str,
    *,
    seconds: int,
    started: int,
    comment: dict[str, Any] | None,
    visibility: dict[str, str] | None,
    remaining: int | None,
) -> dict[str, Any]:
    """Log ``seconds`` of work; ``remaining`` is the already adjusted estimate."""
    with store.lock:
        now = store.now_ms()
        rec = {
            "id": store._entity_id(),
            "author": author,
            "update_author": author,
            "comment": comment,
            "started": started,
            "time_spent": seconds,
            "created": now,
            "updated": now,
            "visibility": visibility,
        }
        _write(store, issue, author, [*records(issue), rec], remaining, None, rec["id"])
        return find(issue, rec["id"])


def update(
    store: Store,
    issue: Issue,
    wid: str,
    author: str,
    changes: dict[str, Any],
    remaining: int | None,
) -> dict[str, Any]:
    """Change a worklog's time, start, comment or visibility."""
    with store.lock:
        new_records = []
        for rec in records(issue):
            if rec["id"] == wid:
                rec = {**rec, **changes, "update_author": author, "updated": store.now_ms()}
            new_records.append(rec)
        _write(store, issue, author, new_records, remaining, None, None)
        return find(issue, wid)


def delete(store: Store, issue: Issue, wid: str, author: str, remaining: int | None) -> None:
    """Remove a worklog."""
    with store.lock:
        kept = [r for r in records(issue) if r["id"] != wid]
        _write(store, issue, author, kept, remaining, wid, None)


def worklog_json(issue: Issue, rec: dict[str, Any], ctx: render.Ctx) -> dict[str, Any]:
    """One worklog (Worklog schema): comment as wiki (v2) or ADF (v3)."""
    from sandbox import values

    users = ctx.catalog.users
    out: dict[str, Any] = {
        "self": ctx.rest(f"issue/{issue.id}/worklog/{rec['id']}"),
        "author": render.user_json(users.get(rec["author"]), ctx),
        "updateAuthor": render.user_json(users.get(rec["update_author"]), ctx),
    }
    if rec.get("comment"):
        out["comment"] = values.render_value(_COMMENT_FD, rec["comment"], ctx, lambda _: None)
    out.update(
        {
            "created": render.format_datetime(rec["created"], ctx.tz),
            "updated": render.format_datetime(rec["updated"], ctx.tz),
            "started": render.format_datetime(rec["started"], ctx.tz),
            "timeSpent": timetracking.format_duration(rec["time_spent"]),
            "timeSpentSeconds": rec["time_spent"],
            "id": rec["id"],
            "issueId": str(issue.id),
        }
    )
    if rec.get("visibility"):
        out["visibility"] = dict(rec["visibility"])
    return out


def embedded_page(issue: Issue, ctx: render.Ctx) -> dict[str, Any]:
    """The issue's ``worklog`` field: the first 20 worklogs and the total, as Jira embeds."""
    recs = records(issue)
    shown = recs[: timetracking.EMBEDDED_WORKLOGS]
    return {
        "startAt": 0,
        "maxResults": timetracking.EMBEDDED_WORKLOGS,
        "total": len(recs),
        "worklogs": [worklog_json(issue, r, ctx) for r in shown],
    }
