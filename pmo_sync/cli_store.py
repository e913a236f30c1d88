"""`pmo-sync sync`, `daemon`, `status`, `conflicts`, `resolve`, `log`: the commands that run
cycles or read what they left in the state store. Registered on the app of pmo_sync.cli."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from mappings.errors import ConfigError, MappingsError
from mappings.mapping import load_mapping
from pmo_sync.cli import (
    EXIT_PROBLEMS,
    ConfigOption,
    _config,
    _fail,
    _open_store,
    _print_rows,
    _store_path,
    app,
    console,
)
from pmo_sync.progress import CycleProgress
from sync.conflict_text import shown_values
from sync.errors import StateStoreError, SyncError
from sync.plan import RECORD_FIELD
from sync.store import StateStore
from sync.store_records import Conflict


@app.command()
def conflicts(
    config: ConfigOption = Path("pmo-sync.toml"),
    pair: Annotated[str | None, typer.Option(help="Only this sync pair")] = None,
) -> None:
    """List open conflicts: fields edited differently in Jira and in Excel."""
    store = _open_store(config)
    if store is None:
        return
    with store:
        found = store.open_conflicts(pair)
    if not found:
        console.print("no open conflicts")
        return
    table = Table("#", "pair", "record", "field", "base", "jira", "excel", "detected")
    _print_rows(
        table,
        [
            [
                str(c.id),
                c.pair,
                c.jira_key or c.sync_id[:8],
                c.field,
                *_conflict_cells(c),
                c.detected_at.strftime("%Y-%m-%d %H:%M"),
            ]
            for c in found
        ],
    )
    raise typer.Exit(EXIT_PROBLEMS)


def _conflict_cells(conflict: Conflict) -> list[str]:
    """Base, Jira and Excel for the table: a field's values as Python shows them (so text
    and numbers differ visibly); a whole record's sides as what happened to it there."""
    shown = shown_values(conflict)
    if conflict.field == RECORD_FIELD:
        return [str(value) for value in shown]
    return [repr(value) for value in shown]


@app.command("log")
def audit_log(
    config: ConfigOption = Path("pmo-sync.toml"),
    pair: Annotated[str | None, typer.Option(help="Only this sync pair")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many changes")] = 50,
) -> None:
    """Show the audit trail: every change pmo-sync applied, newest first."""
    store = _open_store(config)
    if store is None:
        return
    with store:
        entries = store.audit_log(pair, limit)
    if not entries:
        console.print("no changes recorded yet")
        return
    table = Table("when", "cycle", "pair", "record", "field", "old", "new", "direction")
    _print_rows(
        table,
        [
            [
                e.at.strftime("%Y-%m-%d %H:%M:%S") if e.at else "",
                e.cycle_id,
                e.pair,
                e.jira_key or e.sync_id[:8],
                e.field,
                repr(e.old),
                repr(e.new),
                e.direction,
            ]
            for e in entries
        ],
    )


@app.command()
def sync(
    config: ConfigOption = Path("pmo-sync.toml"),
    pair: Annotated[list[str], typer.Option(help="Only this pair (repeatable)")] = [],  # noqa: B006
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what a cycle would do; change nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan/outcome as JSON")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Read the whole Jira scope, not just recent changes")
    ] = False,
) -> None:
    """Run one two-way sync cycle for every pair (or the given ones) and exit.

    Exit code 1 when the cycle left conflicts or errors (for cron and CI).
    """
    from pmo_sync.sync_output import print_result, results_json
    from sync.runner import Runner, left_problems

    loaded = _config(config)
    try:
        runner = Runner(loaded)
    except (StateStoreError, SyncError) as exc:
        raise _fail(str(exc)) from None
    progress = CycleProgress(console) if console.is_terminal and not as_json else None
    runner.progress = progress
    try:
        with progress or nullcontext():
            results = runner.run(
                pair,
                dry_run=dry_run,
                full=full,
                on_result=None if as_json else lambda r: print_result(console, r),
            )
        if not dry_run:
            from pmo_sync.cli_audit import record_audit
            from report.resource_load import refresh_resource_load

            record_audit(loaded, runner.store, lambda: runner.site)
            refresh_resource_load(loaded, runner.store)
    except SyncError as exc:
        raise _fail(str(exc)) from None
    finally:
        runner.close()
    if as_json:
        console.print_json(results_json(results))
    if any(left_problems(r.outcome) for r in results):
        raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def resolve(
    conflict: Annotated[int, typer.Argument(help="Conflict number (see pmo-sync conflicts)")],
    use: Annotated[str | None, typer.Option(help="Keep the 'jira' or the 'excel' value")] = None,
    value: Annotated[
        str | None, typer.Option(help="Write this value to both sides instead")
    ] = None,
    config: ConfigOption = Path("pmo-sync.toml"),
) -> None:
    """Resolve a conflict; the next sync writes the chosen value to both sides."""
    from mappings.config import SyncPair
    from sync.resolve import resolve as settle

    if (use is None) == (value is None) or (use is not None and use not in ("jira", "excel")):
        raise _fail("give exactly one of --use jira, --use excel or --value VALUE")
    loaded = _config(config)
    try:
        with StateStore(loaded.resolve(loaded.sync.state_store)) as store:
            found = store.conflict(conflict)
            pair: SyncPair | None = next(
                (p for p in loaded.pairs if found and p.name == found.pair), None
            )
            mapping = load_mapping(pair.mapping, loaded.base_dir) if pair else None
            message = settle(
                store, conflict, "value" if value is not None else use, value, mapping=mapping
            )
    except (SyncError, MappingsError) as exc:
        raise _fail(str(exc)) from None
    console.print(message, highlight=False)


@app.command()
def daemon(
    config: ConfigOption = Path("pmo-sync.toml"),
    json_logs: Annotated[
        bool, typer.Option("--json-logs", help="One JSON object per log line")
    ] = False,
    max_cycles: Annotated[
        int | None, typer.Option(help="Stop after this many cycles (for testing)", min=1)
    ] = None,
) -> None:
    """Run sync cycles for every pair on the configured schedule until stopped.

    One daemon per state store. SIGINT/SIGTERM finish the current record and exit 0.
    With --max-cycles the exit code is `pmo-sync sync`'s: 1 when the last cycle of a
    pair failed or left conflicts or errors.
    """
    import logging

    from sync.daemon import Daemon, DaemonLocked, configure_logging
    from sync.runner import Runner, select_pairs
    from sync.status import lock_path_for, status_path_for

    loaded = _config(config)
    store_path = _store_path(loaded)
    try:
        runner = Runner(loaded)
    except (StateStoreError, SyncError) as exc:
        raise _fail(str(exc)) from None
    configure_logging(
        as_json=json_logs, level=logging.INFO, file=loaded.resolve(loaded.sync.log_file)
    )
    pairs = {p.name: p for p in select_pairs(loaded)}

    from pmo_sync.cli_audit import record_audit
    from report.resource_load import refresh_resource_load

    def run_cycle(name: str, stop: Any) -> Any:
        result = runner.run_pair(pairs[name], stop=stop)
        record_audit(loaded, runner.store, lambda: runner.site)  # compliance after every cycle
        refresh_resource_load(loaded, runner.store)  # with [sync] resource_load_sheet
        return result

    try:
        worker = Daemon(
            list(pairs),
            run_cycle,
            schedule=loaded.sync.schedule,
            lock_path=lock_path_for(store_path),
            status_path=status_path_for(store_path),
            max_cycles=max_cycles,
        )
        code = worker.run()
    except (DaemonLocked, ConfigError) as exc:
        raise _fail(str(exc)) from None
    finally:
        runner.close()
    raise typer.Exit(code)


@app.command()
def status(config: ConfigOption = Path("pmo-sync.toml")) -> None:
    """Show what the daemon last did: per pair, the last and next cycle and its outcome."""
    from sync.status import read_status, status_path_for, status_table

    loaded = _config(config)
    try:
        found = read_status(status_path_for(_store_path(loaded)))
    except SyncError as exc:
        raise _fail(str(exc), EXIT_PROBLEMS) from None
    console.print(status_table(found))
    for name, pair in sorted(found.get("pairs", {}).items()):
        for error in pair.get("errors", []):
            console.print(f"  [red]{escape(name)}[/red] {escape(error)}")
