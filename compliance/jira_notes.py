"""Breaches told where project managers work: a comment or a label on the Jira issue.

Off by default (``[sync] breach_notes``). With ``"comment"`` each breach (issue x rule)
gets one comment, written once, never again while the breach stands, and deleted when
the breach is resolved; with ``"label"`` an issue carries the label ``pmo-breach`` while it
has any breach. The store remembers what was told (``breach_notes``), so a quiet cycle
writes nothing.

Written once even across a crash: a comment carries a marker naming its rule, and before
posting one the issue's comments are read; a comment with the marker that a process died
before recording is adopted, not posted again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.audit import AuditResult, Breach

log = logging.getLogger("pmo_sync.audit")
LABEL = "pmo-breach"
KINDS = ("comment", "label")


def marker(rule: str) -> str:
    return f"(pmo-sync policy rule {rule})"


def comment_text(breach: Breach) -> str:
    """What the comment says (plain text; the writer escapes it for wiki markup)."""
    return (
        f"PMO policy: {breach.title}. {breach.why}. This comment goes away once it is "
        f"resolved. {marker(breach.rule)}"
    )


@dataclass
class NotesPlan:
    """What to tell Jira and what to take back, from the audit and what was told."""

    add: list[Breach] = field(default_factory=list)
    remove: list[tuple[str, str, str | None]] = field(default_factory=list)  # key, rule, id


def _is_issue(breach: Breach) -> bool:
    return breach.entity != "project" and "-" in breach.key


def plan_notes(
    breaches: Iterable[Breach], told: dict[tuple[str, str], str | None], kind: str
) -> NotesPlan:
    """Comments: one per (issue, rule). Labels: one per issue (rule "*")."""
    plan = NotesPlan()
    now: dict[tuple[str, str], Breach] = {}
    for breach in breaches:
        if _is_issue(breach):
            now.setdefault((breach.key, breach.rule if kind == "comment" else "*"), breach)
    plan.add = [b for k, b in now.items() if k not in told]
    plan.remove = [
        (key, rule, note) for (key, rule), note in told.items() if (key, rule) not in now
    ]
    return plan


@dataclass
class NotesOutcome:
    added: int = 0
    removed: int = 0
    errors: list[str] = field(default_factory=list)


def tell_jira(result: AuditResult, store: Any, http: Any, kind: str) -> NotesOutcome:
    """Apply the plan through ``http`` (the Jira connector's ``JiraHttp``)."""
    from connectors.jira.transport import JiraRequestError
    from connectors.jira.wiki import from_plain

    plan = plan_notes(result.breaches, store.breach_notes(kind), kind)
    outcome = NotesOutcome()
    for breach in plan.add:
        try:
            if kind == "comment":
                note = _existing_comment(http, breach) or _post_comment(http, breach, from_plain)
                with store.transaction():
                    store.save_breach_note(breach.key, breach.rule, kind, note)
            else:
                http.put(f"issue/{breach.key}", {"update": {"labels": [{"add": LABEL}]}})
                with store.transaction():
                    store.save_breach_note(breach.key, "*", kind, None)
            outcome.added += 1
        except JiraRequestError as exc:
            outcome.errors.append(f"{breach.key}: telling Jira about {breach.rule}: {exc}")
    for key, rule, note in plan.remove:
        try:
            if kind == "comment" and note:
                http.delete(f"issue/{key}/comment/{note}")
            elif kind == "label":
                http.put(f"issue/{key}", {"update": {"labels": [{"remove": LABEL}]}})
        except JiraRequestError as exc:
            if exc.status != 404:  # 404: the issue or comment is gone already
                outcome.errors.append(f"{key}: taking back the note on {rule}: {exc}")
                continue
        with store.transaction():
            store.drop_breach_note(key, rule, kind)
        outcome.removed += 1
    for error in outcome.errors:
        log.warning("%s", error)
    return outcome


def _existing_comment(http: Any, breach: Breach) -> str | None:
    """A comment with this rule's marker that an earlier process posted but did not live
    to record."""
    answer = http.get(f"issue/{breach.key}/comment", params={"maxResults": 100}) or {}
    for comment in answer.get("comments", []):
        if marker(breach.rule) in str(comment.get("body", "")).replace("\\", ""):
            return str(comment.get("id"))
    return None


def _post_comment(http: Any, breach: Breach, from_plain: Any) -> str:
    made = http.post(f"issue/{breach.key}/comment", {"body": from_plain(comment_text(breach))})
    return str((made or {}).get("id", ""))
