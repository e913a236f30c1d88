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
from pathlib import Path
from typing import Annotated

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
from sync.errors import StateStoreError
from sync.store import StateStore, store_location_problem

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
policy = "builtin:pmo"  # the PMO policy audited after every cycle (a file of your own, or "")
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
    from_workbook: Annotated[
        Path | None,
        typer.Option(
            "--from-workbook",
            help="Map this existing workbook instead (as `pmo-sync map` does) and write a "
            "configuration whose pair uses the proposed mapping",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --from-workbook: accept the proposal")
    ] = False,
) -> None:
    """Write a configuration file and, on request, a fresh tracker workbook.

    --workbook and a --mapping file are read from the current directory, like every
    path on the command line, and written into the configuration relative to its folder.
    """
    if from_workbook is not None:
        from pmo_sync.map_flow import MapRequest, run_map

        if config.exists() and not force:
            raise _fail(f"{config} already exists; pass --force to overwrite it")
        request = MapRequest(
            workbook=from_workbook,
            config=config,
            projects=list(project),
            yes=yes,
            force=force,
            jira_url=jira_url,
            email=email,
            new_config=True,
        )
        raise typer.Exit(run_map(request, console))
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
    findings = run_checks(loaded, jira=not offline, report=print_finding, config_path=config)
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


def _config(config: Path) -> Config:
    try:
        return load_config(config)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


# The other commands live in modules of their own; importing them registers them on `app`.
from pmo_sync import cli_audit, cli_lessons, cli_map, cli_report, cli_store  # noqa: E402, F401
