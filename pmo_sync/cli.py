"""The `pmo-sync` command line.

Exit codes: 0 ok; 1 a sync left conflicts or errors; 2 a usage or configuration error.

Paths follow one rule (docs/configuration.md): a path given on the command line is
relative to the current directory, as with every other command-line tool; a path
written in the configuration file is relative to that file's folder (Config.resolve).
When `init` writes a command-line path into a new configuration, it is rewritten
relative to the configuration's folder, so both rules name the same file.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connectors.excel.template import write_template
from mappings.config import Config, load_config
from mappings.errors import ConfigError, MappingsError
from mappings.mapping import builtin_mapping_names, load_mapping
from pmo_sync import __version__
from pmo_sync.checks import Finding, run_checks
from pmo_sync.progress import CycleProgress
from sync.conflict_text import shown_values
from sync.errors import StateStoreError, SyncError
from sync.plan import RECORD_FIELD
from sync.store import Conflict, StateStore, store_location_problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="pmo-sync",
    help="Keep a PMO's Excel workbooks and its teams' Jira projects consistent.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="Configuration file", envvar="PMO_SYNC_CONFIG")
]


def _version(value: bool) -> None:
    if value:
        console.print(f"pmo-sync {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version")
    ] = False,
) -> None:
    """Keep a PMO's Excel workbooks and its teams' Jira projects consistent."""


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(code)


CONFIG_TEMPLATE = """\
# pmo-sync configuration, written by `pmo-sync init`. See config.example.toml in the
# pmo-sync repository for every key. Secrets are never written here: set the token in
# the environment variable named by token_env, or in the OS keyring.

[jira]
url = "{url}"
deployment = "auto"
{email_line}token_env = "PMO_SYNC_JIRA_TOKEN"

[sync]
state_store = ".pmo-sync/state.db"
log_file = ".pmo-sync/pmo-sync.log"
conflict_policy = "manual"
"""
PAIR_TEMPLATE = """
[[pair]]
name = "{pair}"
workbook = "{workbook}"
mapping = "{mapping}"
projects = [{projects}]
"""


def render_config(
    *, url: str, email: str | None, workbook: str, mapping: str, projects: list[str], pair: str
) -> str:
    header = CONFIG_TEMPLATE.format(url=url, email_line=f'email = "{email}"\n' if email else "")
    return header + render_pair(pair=pair, workbook=workbook, mapping=mapping, projects=projects)


def config_relative(path: Path, config: Path) -> str:
    """A command-line path (relative to the current directory) as the configuration
    must spell it to name the same file (relative to the configuration's folder).

    Relative when possible, so a folder holding the configuration and its workbooks can
    be moved or shared; absolute across Windows drives, where no relative path exists.
    """
    target = path.absolute()
    try:
        return Path(os.path.relpath(target, config.absolute().parent)).as_posix()
    except ValueError:
        return target.as_posix()


def render_pair(*, pair: str, workbook: str, mapping: str, projects: list[str]) -> str:
    """One [[pair]] table, to append to a configuration."""
    return PAIR_TEMPLATE.format(
        pair=pair,
        workbook=workbook.replace("\\", "/"),
        mapping=mapping,
        projects=", ".join(f'"{p}"' for p in projects),
    )


@app.command()
def init(
    config: ConfigOption = Path("pmo-sync.toml"),
    jira_url: Annotated[str, typer.Option(help="Jira base URL")] = "http://127.0.0.1:8080",
    email: Annotated[str | None, typer.Option(help="Cloud account email")] = None,
    project: Annotated[list[str], typer.Option(help="Jira project key (repeatable)")] = ["ALPHA"],  # noqa: B006
    mapping: Annotated[
        str, typer.Option(help="builtin:NAME or a mapping file")
    ] = "builtin:raid_log",
    workbook: Annotated[
        Path | None,
        typer.Option(
            help="Workbook the pair syncs (default: raid_log.xlsx next to the configuration)"
        ),
    ] = None,
    create_workbook: Annotated[
        bool, typer.Option("--create-workbook", help="Also write a fresh workbook from the mapping")
    ] = False,
    force: Annotated[bool, typer.Option(help="Overwrite existing files")] = False,
) -> None:
    """Write a configuration file and, on request, a fresh tracker workbook.

    --workbook and a --mapping file are read from the current directory, like every
    path on the command line, and written into the configuration relative to its folder.
    """
    try:
        spec = load_mapping(mapping, Path.cwd())
    except MappingsError as exc:
        raise _fail(str(exc)) from None
    if config.is_dir():
        raise _fail(f"--config {config} is a folder; give the configuration file's path")
    if config.exists() and not force:
        raise _fail(f"{config} already exists; pass --force to overwrite it")
    target = workbook if workbook is not None else config.parent / "raid_log.xlsx"
    if target.is_dir():
        raise _fail(f"--workbook {target} is a folder; give the path of the .xlsx file")
    written_mapping = mapping
    if not mapping.startswith("builtin:"):
        written_mapping = config_relative(Path(mapping), config)
    text = render_config(
        url=jira_url,
        email=email,
        workbook=config_relative(target, config),
        mapping=written_mapping,
        projects=project,
        pair=f"{project[0].lower()}-{spec.name.replace('_', '-')}",
    )
    try:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(text, "utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {config}: {exc.strerror or exc}") from None
    console.print(f"wrote {config}")
    if create_workbook:
        try:
            write_template(spec, target, overwrite=force)
        except FileExistsError as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            raise _fail(f"cannot write the workbook {target}: {exc.strerror or exc}") from None
        console.print(f"wrote {target} ({', '.join(e.type for e in spec.entities)})")


_STYLE = {"ok": ("green", "ok"), "warning": ("yellow", "warn"), "error": ("red", "FAIL")}


def print_finding(finding: Finding) -> None:
    colour, label = _STYLE[finding.level]
    text = escape(f"{finding.subject}: {finding.message}")
    console.print(f"[{colour}]{label:>4}[/{colour}]  {text}", highlight=False)


@app.command()
def check(
    config: ConfigOption = Path("pmo-sync.toml"),
    offline: Annotated[bool, typer.Option(help="Skip the Jira checks")] = False,
) -> None:
    """Validate the configuration, mappings, workbooks and (when reachable) Jira fields."""
    try:
        loaded = load_config(config)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    console.print(f"config {config}: {len(loaded.pairs)} sync pair(s)")
    findings = run_checks(loaded, jira=not offline, report=print_finding)
    failed = sum(f.level == "error" for f in findings)
    warned = sum(f.level == "warning" for f in findings)
    console.print(f"{len(findings)} checks: {failed} failed, {warned} warnings")
    if failed:
        raise typer.Exit(EXIT_USAGE)


@app.command("mappings")
def list_mappings() -> None:
    """List the built-in mappings and the entity types and columns each one maps."""
    table = Table("mapping", "entity", "excel", "jira issue type", "fields")
    for name in builtin_mapping_names():
        spec = load_mapping(f"builtin:{name}")
        for entity in spec.entities:
            table.add_row(
                f"builtin:{name}",
                entity.type,
                entity.excel.table or entity.excel.sheet or "",
                ", ".join(entity.jira.issue_types) if entity.jira else "",
                str(len(entity.fields)),
            )
    console.print(table)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def sandbox(ctx: typer.Context) -> None:
    """Run the local Jira-compatible sandbox server (options: pmo-sync sandbox --help)."""
    from sandbox import main as sandbox_main

    raise typer.Exit(sandbox_main(list(ctx.args)))


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo writes its files")
    ] = Path("demo-output"),
) -> None:
    """Try pmo-sync with no Jira account and no Excel: sandbox + generated workbook."""
    from pmo_sync.demo import run_demo

    raise typer.Exit(run_demo(directory, console))


def _print_rows(table: Table, rows: list[list[str]]) -> None:
    """A table on a terminal; tab-separated lines when piped (nothing truncated)."""
    if console.is_terminal:  # a 40,000-character mitigation would fill the screen
        for row in rows:
            table.add_row(*(escape(_cut(cell)) for cell in row))
        console.print(table)
        return
    print("\t".join(str(c.header) for c in table.columns))
    for row in rows:
        print("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))


def _store_path(loaded: Config) -> Path:
    """The configured state store, refused (exit 2) when no store can be there: its
    folder is a file, it is a folder, or it is read-only (a read-only store that exists
    may still be read; opening it for writing then says why it cannot). Commands that
    only read the store ask too, so a wrong path is named instead of "nothing synced"."""
    from sync.runner import state_store_path

    path = state_store_path(loaded)
    problem = store_location_problem(path)
    if problem is not None and not (path.is_file() and os.access(path, os.R_OK)):
        raise _fail(problem)
    return path


def _cut(cell: str, limit: int = 200) -> str:
    return cell if len(cell) <= limit else f"{cell[: limit - 30]}... ({len(cell):,} characters)"


def _open_store(config: Path) -> StateStore | None:
    loaded = _config(config)
    path = _store_path(loaded)
    if not path.exists():
        console.print(f"no state store yet at {path}: nothing has been synced")
        return None
    try:
        return StateStore(path, read_only=True)
    except StateStoreError as exc:
        raise _fail(str(exc)) from None


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


def _config(config: Path) -> Config:
    try:
        return load_config(config)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


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

    def run_cycle(name: str, stop: Any) -> Any:
        return runner.run_pair(pairs[name], stop=stop)

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


@app.command()
def report(
    config: ConfigOption = Path("pmo-sync.toml"),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Report workbook to write (from the current folder)")
    ] = Path("pmo-status-report.xlsx"),
    since: Annotated[
        str | None,
        typer.Option(
            help="Compare with the report of this long ago: 12h, 7d, 2w "
            "(default: the previous report)"
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="xlsx, or pdf (also writes the xlsx; needs LibreOffice)")
    ] = "xlsx",
    into: Annotated[
        Path | None,
        typer.Option(
            help="Also refresh a 'PMO Dashboard' sheet inside this workbook (from the "
            "current folder)"
        ),
    ] = None,
) -> None:
    """Write the portfolio status report from the synced state store.

    --out and --into are read from the current directory, like every path given on the
    command line (only paths inside the configuration are read from its folder).
    """
    from report import generate
    from report.history import parse_since
    from report.pdf import ConverterMissing

    if output_format not in ("xlsx", "pdf"):
        raise _fail(f"--format {output_format!r}: use xlsx or pdf")
    if out.is_dir():
        raise _fail(
            f"--out {out} is a folder; give the report's file name, e.g. "
            f"{out / 'pmo-status-report.xlsx'}"
        )
    loaded = _config(config)
    store_path = _store_path(loaded)
    if not store_path.exists():
        raise _fail(f"no state store at {store_path}: run `pmo-sync sync` first")
    try:
        window = parse_since(since) if since else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    try:
        with StateStore(store_path) as store:
            result = generate(store, out, since=window, pdf=output_format == "pdf")
    except ConverterMissing as exc:
        raise _fail(str(exc), EXIT_PROBLEMS) from None
    except StateStoreError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        where = exc.filename or out
        raise _fail(f"cannot write {where}: {exc.strerror or exc}") from None
    figures = result.figures
    console.print(
        f"wrote {result.path}: {len(figures.projects)} project(s), "
        f"{sum(p.open_risk_total for p in figures.projects)} open risk(s), "
        f"{sum(d['count'] for d in figures.changes_by_decision.values()):.0f} change request(s)",
        highlight=False,
    )
    if result.pdf:
        console.print(f"wrote {result.pdf}", highlight=False)
    changes = result.changes
    if changes.baseline is not None:
        console.print(
            f"since {changes.baseline:%Y-%m-%d %H:%M}: {len(changes.new_risks)} new risk(s), "
            f"{len(changes.closed_risks)} closed, {len(changes.rag_changes)} RAG change(s)",
            highlight=False,
        )
    if into is not None:
        from connectors.excel.errors import ExcelError
        from report.dashboard import SHEET, refresh_dashboard

        try:
            refresh_dashboard(into, figures, loaded.sync.backups_to_keep)
        except (ExcelError, OSError) as exc:
            raise _fail(f"{SHEET} sheet not written: {exc}") from None
        console.print(f"refreshed the '{SHEET}' sheet in {into}", highlight=False)


addin_app = typer.Typer(
    help="The Excel add-in: PMO_ worksheet functions over the synced portfolio.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(addin_app, name="addin")


@addin_app.command("install")
def addin_install(config: ConfigOption = Path("pmo-sync.toml")) -> None:
    """Install the xlwings add-in into Excel and point it at the PMO functions."""
    from excel_addin.install import AddinUnavailable, install_addin

    loaded = _config(config)
    try:
        for line in install_addin(_store_path(loaded)):
            console.print(line, highlight=False)
    except AddinUnavailable as exc:
        raise _fail(str(exc)) from None


@addin_app.command("workbook")
def addin_workbook(
    path: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")],
    config: ConfigOption = Path("pmo-sync.toml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file")] = False,
) -> None:
    """Write a workbook with the add-in's settings sheet and example PMO_ formulas."""
    from excel_addin.install import write_addin_workbook

    loaded = _config(config)
    try:
        written = write_addin_workbook(path, _store_path(loaded), overwrite=force)
    except FileExistsError as exc:
        raise _fail(str(exc)) from None
    console.print(f"wrote {written}: open it in Excel with the xlwings add-in installed")
