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

from connectors.excel.errors import ExcelError
from mapper.proposal import LOW_CONFIDENCE, Proposal
from mapper.render import checked_mapping, render_mapping
from mappings.errors import ConfigError, MappingsError
from mappings.model import ENTITY_TYPES
from pmo_sync.id_columns import add_identity_columns
from pmo_sync.map_edit import confirm, show_preview, show_tracker

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
            confirm(console, tracker, site)
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
    consent = request.add_id_columns
    if consent is None and request.yes:
        consent = True
    added = add_identity_columns(
        workbook,
        out,
        checked_mapping(out.read_text("utf-8"), str(out)),
        console,
        consent=consent,
        hint=f"pmo-sync map {workbook} --add-id-columns --force",
    )
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
