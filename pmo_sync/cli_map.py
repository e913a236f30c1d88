"""`pmo-sync template`, `map` and `add-id-columns`: getting a workbook ready to sync.

A fresh tracker from a mapping (`template`), a mapping proposed for a workbook the PMO
already has (`map`, also behind `init --from-workbook`), and the two identity columns a
tracker needs (`add-id-columns`). Registered on the app of pmo_sync.cli.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from connectors.excel.template import write_template
from mappings.errors import MappingsError
from mappings.mapping import load_mapping
from pmo_sync.cli import ConfigOption, _config, _fail, app, console


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")],
    mapping: Annotated[
        str, typer.Option(help="builtin:NAME or a mapping file")
    ] = "builtin:raid_log",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file")] = False,
) -> None:
    """Write a fresh tracker workbook laid out as a mapping says (one tracker per entity,
    drop-down lists from the value maps, the Jira Key and hidden Sync ID columns)."""
    try:
        spec = load_mapping(mapping, Path.cwd())
    except MappingsError as exc:
        raise _fail(str(exc)) from None
    try:
        write_template(spec, path, overwrite=force)
    except FileExistsError as exc:
        raise _fail(str(exc)) from None
    console.print(f"wrote {path} ({', '.join(e.type for e in spec.entities)})", highlight=False)


@app.command("map")
def map_workbook(
    workbook: Annotated[Path, typer.Argument(help="The PMO's workbook (.xlsx or .xlsm)")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Mapping file to write (default: beside the workbook)"),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="A configuration: its Jira site checks the fields, and the pair is added to it",
        ),
    ] = None,
    project: Annotated[
        list[str], typer.Option(help="Jira project key of the pair (repeatable)")
    ] = [],  # noqa: B006
    pair: Annotated[str | None, typer.Option(help="Name of the pair to add")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept the proposal as it is")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the proposal as JSON and write nothing")
    ] = False,
    add_id_columns: Annotated[
        bool | None,
        typer.Option(
            "--add-id-columns/--no-add-id-columns",
            help="Add the Jira Key and hidden Sync ID columns where a tracker lacks them "
            "(default: ask; yes with --yes)",
        ),
    ] = None,
    offline: Annotated[bool, typer.Option(help="Do not ask Jira, even with --config")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing mapping file")] = False,
) -> None:
    """Propose a mapping for a workbook the PMO already has: its trackers, each column's
    field (headers in any language, checked against the values and drop-down lists) and,
    with a configuration, the Jira fields; then write it, add the identity columns and the
    pair (after you confirm, or at once with --yes)."""
    from pmo_sync.map_flow import MapRequest, run_map

    request = MapRequest(
        workbook=workbook,
        out=out,
        config=config,
        projects=list(project),
        pair=pair,
        yes=yes,
        as_json=as_json,
        add_id_columns=add_id_columns,
        offline=offline,
        force=force,
    )
    raise typer.Exit(run_map(request, console))


@app.command("add-id-columns")
def add_id_columns(
    config: ConfigOption = Path("pmo-sync.toml"),
    pair: Annotated[list[str], typer.Option(help="Only this pair (repeatable)")] = [],  # noqa: B006
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Add them without asking")] = False,
) -> None:
    """Add the Jira Key and hidden Sync ID columns to every tracker of the configured
    pairs that lacks them (through the lossless writer, a backup kept)."""
    from mappings.mapping import BUILTIN_PREFIX
    from pmo_sync.id_columns import add_identity_columns
    from sync.errors import SyncError
    from sync.runner import select_pairs

    loaded = _config(config)
    try:
        pairs = select_pairs(loaded, pair)
    except SyncError as exc:
        raise _fail(str(exc)) from None
    complete = True
    for chosen in pairs:
        try:
            spec = load_mapping(chosen.mapping, loaded.base_dir)
        except MappingsError as exc:
            raise _fail(str(exc)) from None
        mapping_file = None
        if not chosen.mapping.startswith(BUILTIN_PREFIX):
            mapping_file = loaded.resolve(Path(chosen.mapping))
        complete &= add_identity_columns(
            loaded.resolve(chosen.workbook),
            mapping_file,
            spec,
            console,
            consent=True if yes else None,
            hint=f"pmo-sync add-id-columns --config {config}",
        )
    raise typer.Exit(0 if complete else 1)
