"""`pmo-sync map` on the terminal: a tracker's proposal as a table, the person's choices
(keep, skip, another entity, a column to another field), and the preview of the first
rows. Split from map_flow.py, which runs the steps."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.prompt import Prompt
from rich.table import Table

from mapper.evidence import FieldGuess
from mapper.proposal import TrackerProposal
from mappings.model import ENTITY_TYPES

SYNCED = [e for e in ENTITY_TYPES if e != "project"]


class EditStop(Exception):
    """The tracker's survey is not at hand, so it cannot be re-assembled."""


def show_tracker(console: Console, tracker: TrackerProposal) -> None:
    """A tracker's proposal as a table: one line per column, with the reason."""
    entity = tracker.entity or "nothing (no entity fits)"
    if not tracker.accepted:  # a lookup list, a table of values: one line is enough
        headers = ", ".join(repr(c.header) for c in tracker.columns if c.header)
        console.print(
            f"\n{escape(tracker.where)} ({escape(headers)}): left out - {escape(tracker.reason)}",
            highlight=False,
        )
        return
    console.print(
        f"\n[bold]{escape(tracker.where)}[/bold], {tracker.rows} data row(s): "
        f"[bold]{escape(entity)}[/bold] ({tracker.confidence:.2f}) - {escape(tracker.reason)}"
    )
    table = Table("col", "header", "field", "conf.", "why")
    for column in tracker.columns:
        name = column.field or "-"
        mark = "?" if column.doubtful else ""
        why = column.reason
        if column.unknown_labels:
            why += f"; unknown labels: {', '.join(column.unknown_labels)}"
        table.add_row(
            column.letter,
            escape(column.header),
            escape(name + mark),
            f"{column.confidence:.2f}",
            escape(why),
        )
    console.print(table)
    for suggestion in tracker.suggestions:
        console.print(f"  Jira also has {escape(suggestion)}", highlight=False)


def confirm(console: Console, tracker: TrackerProposal, site: Any) -> None:
    """Let the person keep, skip or re-type the tracker, and fix single columns."""
    default = tracker.entity if tracker.accepted and tracker.entity else "skip"
    answer = Prompt.ask(
        f"Map {tracker.name!r} as? (Enter keeps {default}; 'skip' leaves it out; or one of "
        f"{', '.join(SYNCED)})",
        default=default,
        show_default=False,
    ).strip()
    if answer in ("skip", "n", "no", "-"):
        tracker.accepted = False
        return
    if answer == tracker.entity and not tracker.accepted:
        tracker.accepted = True  # the person takes in a tracker the proposal left out
        show_tracker(console, tracker)
    elif answer != tracker.entity:
        if answer not in ENTITY_TYPES:
            kept = f"{escape(answer)} is not an entity type; kept {default}"
            console.print(f"[yellow]{kept}[/yellow]")
        else:
            _retype(tracker, answer, site)
            show_tracker(console, tracker)
    while True:
        edit = Prompt.ask(
            "Change a column? (Enter: no; LETTER=FIELD, e.g. D=owner; LETTER=- leaves it out)",
            default="",
            show_default=False,
        ).strip()
        if not edit:
            return
        console.print(escape(_edit(tracker, edit, site)), highlight=False)


def _retype(tracker: TrackerProposal, entity: str, site: Any) -> None:
    from mapper.classify import classify_as

    guess = classify_as(_evidence(tracker), entity)
    _reassemble(tracker, entity, list(guess.fields), 1.0, f"{entity}, as you chose", site)
    tracker.accepted = True


def _edit(tracker: TrackerProposal, edit: str, site: Any) -> str:
    letter, _, name = edit.partition("=")
    letter, name = letter.strip().upper(), name.strip()
    column = next((c for c in tracker.columns if c.letter == letter), None)
    if column is None or not name:
        return f"no column {letter!r}: give LETTER=FIELD"
    fields = set(ENTITY_TYPES[tracker.entity or "risk"].model_fields) | {"key", "sync_id"}
    if name != "-" and name not in fields:
        return f"{name!r} is not a field of {tracker.entity}; fields: {', '.join(sorted(fields))}"
    guesses = []
    for c in tracker.columns:
        if c is column:
            guesses.append(FieldGuess(c.header, None if name == "-" else name, 1.0, "as you chose"))
        elif name != "-" and c.field == name:  # one column per field: the other lets go
            guesses.append(FieldGuess(c.header, None, 0.0, f"{name} is now column {letter}"))
        else:
            kept = tuple(c.alternatives)
            guesses.append(FieldGuess(c.header, c.field, c.confidence, c.reason, kept))
    _reassemble(tracker, tracker.entity, guesses, tracker.confidence, tracker.reason, site)
    return f"column {letter} {column.header!r} -> {name}"


def _reassemble(
    tracker: TrackerProposal,
    entity: str | None,
    guesses: list[FieldGuess],
    confidence: float,
    reason: str,
    site: Any,
) -> None:
    from mapper.propose import assemble

    surveyed = _surveyed(tracker)
    again = assemble(surveyed, entity, guesses, confidence, reason, site, _site_types(site))
    again.accepted = tracker.accepted
    tracker.__dict__.update(again.__dict__)


def _surveyed(tracker: TrackerProposal) -> Any:
    surveyed = getattr(tracker, "_surveyed", None)
    if surveyed is None:
        raise EditStop("internal: the tracker's survey is not kept")
    return surveyed


def _evidence(tracker: TrackerProposal) -> Any:
    from mapper.propose import evidence_of

    return evidence_of(_surveyed(tracker))


def _site_types(site: Any) -> list[str] | None:
    from mapper.propose import _issue_types

    return _issue_types(site)


def show_preview(console: Console, tracker: TrackerProposal) -> None:
    """The first rows as the sync will read them, and the rows it would reject."""
    if tracker.preview:
        names = list(tracker.preview[0])
        table = Table(*names, title=f"{tracker.name}: the first rows as pmo-sync reads them")
        for row in tracker.preview:
            table.add_row(*(escape(_short(row[n])) for n in names))
        console.print(table)
    for failure in tracker.failures[:20]:
        console.print(f"  [yellow]would be rejected[/yellow] {escape(failure)}", highlight=False)
    if len(tracker.failures) > 20:
        console.print(f"  ... and {len(tracker.failures) - 20} more rows", highlight=False)


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
