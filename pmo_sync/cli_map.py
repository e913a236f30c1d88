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
from pmo_sync.cli import _fail, app, console


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
