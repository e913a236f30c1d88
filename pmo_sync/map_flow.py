"""The conversation of `pmo-sync map` (and `init --from-workbook`): show, confirm, write.

Kept apart from the command's option parsing so `init --from-workbook` and the tests run
the same steps. The order protects the workbook: the proposal is shown, confirmed (or
edited), previewed through the proposed mapping, and written as a mapping file that has
been validated; only then, with consent, are the identity columns added to the
workbook (through the lossless writer, with a backup), and the pair to the configuration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm, Prompt
from rich.table import Table

from connectors.excel.errors import ExcelError
from mapper.evidence import FieldGuess
from mapper.proposal import LOW_CONFIDENCE, Proposal, TrackerProposal
from mapper.render import checked_mapping, render_mapping
from mappings.errors import ConfigError, MappingsError
from mappings.model import ENTITY_TYPES

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
SYNCED = [e for e in ENTITY_TYPES if e != "project"]


@dataclass
class MapRequest:
    workbook: Path
    out: Path | None = None
    config: Path | None = None
    projects: list[str] = field(default_factory=list)
    pair: str | None = None
    yes: bool = False
    as_json: bool = False
    add_id_columns: bool | None = None
    offline: bool = False
    force: bool = False
    jira_url: str | None = None  # init --from-workbook writes a new config with these
    email: str | None = None
    new_config: bool = False  # write ``config`` afresh (init) instead of adding a pair to it


class MapStop(Exception):
    """The flow cannot go on; the message says why and what to do (exit code 2)."""


def run_map(request: MapRequest, console: Console) -> int:
    """Run the whole flow; returns the exit code."""
    try:
        return _run(request, console)
    except MapStop as exc:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE


def _run(request: MapRequest, console: Console) -> int:
    from mapper.propose import preview, propose

    workbook = request.workbook
    if not workbook.is_file():
        raise MapStop(
            f"{workbook} is {'a folder' if workbook.is_dir() else 'not there'}: give the path "
            "of an .xlsx or .xlsm workbook"
        )
    site, site_name, projects = _site(request, console)
    try:
        proposal = propose(workbook, site=site, site_name=site_name)
    except ExcelError as exc:
        raise MapStop(str(exc)) from None
    if request.as_json:
        print(json.dumps(proposal.to_json(), ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    if not proposal.trackers:
        why = "; ".join(f"{s}: {w}" for s, w in proposal.skipped) or "the workbook is empty"
        raise MapStop(
            f"no tracker found in {workbook.name} ({why}). A tracker is a header row (a row "
            "of column titles) with rows of data under it, or an Excel table"
        )
    for tracker in proposal.trackers:
        show_tracker(console, tracker)
        if not request.yes:
            _confirm(console, tracker, site)
    if not proposal.chosen:
        raise MapStop("no tracker was kept, so there is nothing to map")
    preview(proposal)
    for tracker in proposal.chosen:
        show_preview(console, tracker)
    out = request.out or workbook.with_name(f"{workbook.stem}.mapping.toml")
    text = render_mapping(proposal)
    try:
        checked_mapping(text, str(out))
    except MappingsError as exc:  # a bug of the proposer: never write such a file
        raise MapStop(f"the proposed mapping does not load, nothing was written: {exc}") from None
    if out.exists() and not request.force:
        raise MapStop(f"{out} already exists; pass --force to overwrite it, or --out another file")
    out.write_text(text, "utf-8")
    console.print(f"wrote {out}", highlight=False)
    added = _identity_columns(request, console, proposal, out)
    _pair(request, console, proposal, out, projects)
    return EXIT_OK if added else EXIT_PROBLEMS


def _site(request: MapRequest, console: Console) -> tuple[Any, str | None, list[str]]:
    """The Jira site of the configuration (None offline), its URL, and the projects."""
    projects = list(request.projects)
    if request.offline:
        return None, None, projects
    if request.new_config and request.jira_url:
        return _new_site(request, console, projects)
    if request.config is None:
        return None, None, projects
    from connectors.jira import JiraError
    from connectors.jira.site import open_configured_site
    from mappings.config import load_config

    if not request.config.exists():
        return None, None, projects
    try:
        loaded = load_config(request.config)
    except ConfigError as exc:
        raise MapStop(str(exc)) from None
    if not projects and loaded.pairs:
        projects = list(loaded.pairs[0].projects)
    try:
        site = open_configured_site(loaded.jira)
    except (JiraError, ConfigError) as exc:
        console.print(
            f"[yellow]Jira not reachable ({escape(str(exc))}): fields are proposed without "
            "checking them; run `pmo-sync check` once it is[/yellow]"
        )
        return None, None, projects
    site.users.configure(loaded.people, loaded.sync.unknown_people)
    return site, loaded.jira.url, projects


def _new_site(
    request: MapRequest, console: Console, projects: list[str]
) -> tuple[Any, str | None, list[str]]:
    """The site `init --from-workbook` is given, when its token is at hand."""
    from connectors.jira import JiraError
    from connectors.jira.site import open_configured_site
    from mappings.config import JiraSite

    try:
        site = open_configured_site(JiraSite(url=str(request.jira_url), email=request.email))
    except (JiraError, ConfigError, ValueError) as exc:
        console.print(
            f"[yellow]Jira not reachable ({escape(str(exc))}): fields are proposed without "
            "checking them; run `pmo-sync check` once it is[/yellow]"
        )
        return None, None, projects
    return site, str(request.jira_url), projects


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


def _confirm(console: Console, tracker: TrackerProposal, site: Any) -> None:
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
        raise MapStop("internal: the tracker's survey is not kept")
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


def _identity_columns(request: MapRequest, console: Console, proposal: Proposal, out: Path) -> bool:
    """Add the Jira Key and hidden Sync ID columns where a tracker lacks them, with the
    person's consent. False when a tracker still lacks them (it cannot sync yet)."""
    from connectors.excel import Fingerprint
    from connectors.excel.addcolumns import add_columns
    from connectors.excel.records import locate_entity

    spec = checked_mapping(out.read_text("utf-8"), str(out))
    complete = True
    for entity in spec.entities:
        if entity.jira is None:
            continue
        try:
            location = locate_entity(proposal.workbook, entity)
        except ExcelError as exc:
            console.print(f"[red]{escape(entity.type)}:[/red] {escape(str(exc))}", highlight=False)
            complete = False
            continue
        wanted = [
            header
            for header in (entity.excel.key_column, entity.excel.sync_id_column)
            if location.header_for(header) is None
        ]
        if not wanted:
            continue
        where = f"{entity.type} ({location.table or location.sheet})"
        consent = request.add_id_columns
        if consent is None:
            consent = (
                True
                if request.yes
                else Confirm.ask(
                    f"Add the columns {', '.join(map(repr, wanted))} to {where}? pmo-sync keeps "
                    "each row's Jira key and its own id there (the Sync ID column is hidden); a "
                    "backup is kept",
                    default=True,
                )
            )
        if not consent:
            console.print(
                f"[yellow]{where} has no {' or '.join(map(repr, wanted))} column: it cannot "
                f"sync until they exist (`pmo-sync map {proposal.workbook} --add-id-columns`)"
                "[/yellow]"
            )
            complete = False
            continue
        hidden = tuple(h for h in wanted if h == entity.excel.sync_id_column)
        try:
            result = add_columns(
                proposal.workbook,
                location,
                headers=wanted,
                hidden=hidden,
                expected=Fingerprint.of_file(proposal.workbook),
            )
        except ExcelError as exc:  # this tracker stays as it was; the others go on
            console.print(
                f"[red]{escape(where)}: the columns were not added, the workbook is "
                f"unchanged:[/red] {escape(str(exc))}",
                highlight=False,
            )
            complete = False
            continue
        console.print(f"added {', '.join(map(repr, wanted))} to {where}", highlight=False)
        if entity.excel.columns and result.added_columns:
            _widen_pin(out, entity.type, entity.excel.columns, result.added_columns.values())
    return complete


def _widen_pin(mapping: Path, entity: str, columns: str, added: Any) -> None:
    """The tracker's pinned column range extended over the identity columns just added
    (the sync reads only the pinned columns). Edited with tomlkit, so the file's comments
    stay as written."""
    import tomlkit

    doc = tomlkit.parse(mapping.read_text("utf-8"))
    first = columns.split(":", 1)[0]
    last = max(added, key=lambda letter: (len(letter), letter))
    for table in doc["entity"]:  # type: ignore[union-attr]
        if table["type"] == entity:
            table["excel"]["columns"] = f"{first}:{last}"
    mapping.write_text(tomlkit.dumps(doc), "utf-8")


def _pair(
    request: MapRequest, console: Console, proposal: Proposal, mapping: Path, projects: list[str]
) -> None:
    """Add the pair to the configuration (or say how)."""
    from pmo_sync.cli import config_relative, render_config, render_pair

    name = request.pair or _pair_name(proposal)
    keys = projects or ["ALPHA"]
    target = request.config
    if target is not None and request.new_config:
        text = render_config(
            url=request.jira_url or "http://127.0.0.1:8080",
            email=request.email,
            workbook=config_relative(proposal.workbook, target),
            mapping=config_relative(mapping, target),
            projects=keys,
            pair=name,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
        console.print(
            f"wrote {target}; next: `pmo-sync check --config {target}`, then "
            f"`pmo-sync sync --config {target} --dry-run`",
            highlight=False,
        )
        return
    if target is None or not target.exists():
        text = render_pair(
            pair=name,
            workbook=str(proposal.workbook),
            mapping=str(mapping),
            projects=keys,
        )
        console.print("\nAdd this pair to your configuration (check its projects):")
        console.print(text, highlight=False, markup=False)
        return
    text = render_pair(
        pair=name,
        workbook=config_relative(proposal.workbook, target),
        mapping=config_relative(mapping, target),
        projects=keys,
    )
    existing = target.read_text("utf-8")
    if f'name = "{name}"' in existing:
        raise MapStop(f"{target} already has a pair named {name!r}: pass --pair another name")
    target.write_text(existing.rstrip("\n") + "\n" + text, "utf-8")
    console.print(
        f"added pair {name!r} to {target}; next: `pmo-sync check --config {target}`, then "
        f"`pmo-sync sync --config {target} --dry-run`",
        highlight=False,
    )


def _pair_name(proposal: Proposal) -> str:
    import re

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", proposal.workbook.stem).strip("-._")
    return stem or "workbook"


__all__ = ["LOW_CONFIDENCE", "MapRequest", "run_map", "show_tracker"]
