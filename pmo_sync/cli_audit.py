"""`pmo-sync audit`: the PMO's policy checked over the synced portfolio, per project.

Also the hook that records an audit after every `pmo-sync sync` and daemon cycle (the
configuration's ``[sync] policy``), so compliance is kept over time in the state store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from compliance.audit import AuditResult, audit_store, remember
from compliance.policy import BUILTIN, Policy, PolicyError, load_policy
from mappings.config import Config
from pmo_sync.cli import ConfigOption, _config, _fail, _store_path, app, console
from sync.errors import StateStoreError
from sync.store import StateStore

log = logging.getLogger("pmo_sync.audit")
EXIT_BREACHES = 1


def configured_policy(loaded: Config, override: str | None = None) -> Policy | None:
    """The policy a configuration names (None: auditing is off), or ``override``."""
    where = override if override is not None else loaded.sync.policy
    if not where:
        return None
    if where == BUILTIN:
        return load_policy(BUILTIN)
    return load_policy(loaded.resolve(Path(where)))


def record_audit(
    loaded: Config, store: StateStore, site: Callable[[], Any] | None = None
) -> AuditResult | None:
    """After a cycle: audit the portfolio and keep the result (and, with ``[sync]
    breach_notes``, tell Jira through the site ``site()`` gives). A policy that does not
    load, or a note Jira refuses, is logged: it never fails the sync that just succeeded."""
    try:
        policy = configured_policy(loaded)
    except PolicyError as exc:
        log.error("%s", exc)
        return None
    if policy is None:
        return None
    result = audit_store(store, policy, at=store.clock())
    with store.transaction():
        remember(store, result)
    if loaded.sync.compliance_sheet:
        _compliance_sheets(loaded, result)
    if loaded.sync.breach_notes != "off" and site is not None:
        from compliance.jira_notes import tell_jira

        tell_jira(result, store, site().http, loaded.sync.breach_notes)
    return result


def _compliance_sheets(loaded: Config, result: AuditResult) -> None:
    """The "PMO Compliance" sheet of every pair's workbook. One that cannot be written
    (open in Excel, saved meanwhile, missing) is skipped with a warning and written after
    a later audit: it never fails the sync, nor keeps the other pairs' sheets back."""
    from compliance.workbook_sheet import SHEET, write_compliance_sheet
    from connectors.excel.errors import ExcelError

    for pair in loaded.pairs:
        try:
            write_compliance_sheet(
                loaded.resolve(pair.workbook),
                list(pair.projects),
                result,
                loaded.sync.backups_to_keep,
            )
        except (ExcelError, OSError, ValueError) as exc:
            log.warning("%s: the %s sheet was not written: %s", pair.name, SHEET, exc)
        except Exception:  # a workbook the writer cannot read (damaged): shown, not fatal
            log.exception("%s: the %s sheet was not written", pair.name, SHEET)


@app.command()
def audit(
    config: ConfigOption = Path("pmo-sync.toml"),
    project: Annotated[str | None, typer.Option(help="Only this project (its key)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    policy: Annotated[
        str | None,
        typer.Option(help="A policy file, or builtin:pmo (default: the configuration's)"),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Audit as of this date (YYYY-MM-DD)")
    ] = None,
) -> None:
    """Check the PMO policy over the synced portfolio (no Jira request): a compliance
    score per project and every breach, with whom to tell.

    Exit code 1 when a breach of severity "error" exists (for cron and CI).
    """
    loaded = _config(config)
    try:
        chosen = configured_policy(loaded, policy if policy is not None else None)
    except PolicyError as exc:
        raise _fail(str(exc)) from None
    if chosen is None:
        raise _fail("no policy: [sync] policy is empty; give --policy builtin:pmo or a file")
    try:
        today = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise _fail(f"--as-of {as_of!r}: give a date as YYYY-MM-DD") from None
    store_path = _store_path(loaded)
    if not store_path.exists():
        raise _fail(f"no state store at {store_path}: run `pmo-sync sync` first")
    try:
        with StateStore(store_path, read_only=True) as store:
            result = audit_store(store, chosen, today=today, project=project)
    except StateStoreError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        console.print_json(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        _print(result, chosen)
    if result.has_errors:
        raise typer.Exit(EXIT_BREACHES)


def _print(result: AuditResult, policy: Policy) -> None:
    scores = Table(title=f"Compliance with {policy.source} as of {result.today.isoformat()}")
    for name in ("project", "score", "checks", "errors", "warnings", "info"):
        scores.add_column(name, justify="left" if name == "project" else "right")
    for key in sorted(result.projects):
        p = result.projects[key]
        mine = result.breaches_of(key)
        count = {s: sum(b.severity == s for b in mine) for s in ("error", "warning", "info")}
        shown = "-" if p.score is None else f"{p.score:.0%}"
        scores.add_row(key, shown, str(p.checks), *(str(count[s]) for s in count))
    console.print(scores)
    if not result.breaches:
        console.print("no breaches")
        return
    breaches = Table(title=f"{len(result.breaches)} breach(es)")
    for name in ("severity", "item", "rule", "why", "tell"):
        breaches.add_column(name)
    for b in result.breaches:
        breaches.add_row(b.severity, f"{b.key} {_short(b.summary)}", b.rule, b.why, b.who or "-")
    console.print(breaches)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
