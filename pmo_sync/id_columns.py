"""The two identity columns a tracker needs: `Jira Key` and a hidden `Sync ID`.

pmo-sync recognises the rows it synced by them. `pmo-sync map` adds them to a workbook
it has just mapped; `pmo-sync add-id-columns` adds them to the trackers of a configured
pair. Both go through the lossless writer (a backup kept, nothing else in the file
changed) and only with the person's consent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from connectors.excel import Fingerprint
from connectors.excel.addcolumns import add_columns
from connectors.excel.errors import ExcelError
from connectors.excel.records import locate_entity
from mappings.mapping import MappingSpec


def add_identity_columns(
    workbook: Path,
    mapping_file: Path | None,
    spec: MappingSpec,
    console: Console,
    *,
    consent: bool | None,
    hint: str,
) -> bool:
    """Add the Jira Key and hidden Sync ID columns where a tracker of ``spec`` lacks them.

    Args:
        mapping_file: the mapping's file, whose pinned column ranges are widened over the
            new columns (None for a built-in mapping, which pins none).
        consent: True adds, False does not, None asks for each tracker.
        hint: the command that adds them later, said when they are not added.

    Returns False when a tracker still lacks them (it cannot sync yet)."""
    complete = True
    for entity in spec.entities:
        if entity.jira is None:
            continue
        try:
            location = locate_entity(workbook, entity)
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
        agreed = consent
        if agreed is None:
            agreed = Confirm.ask(
                f"Add the columns {', '.join(map(repr, wanted))} to {where}? pmo-sync keeps "
                "each row's Jira key and its own id there (the Sync ID column is hidden); a "
                "backup is kept",
                default=True,
            )
        if not agreed:
            console.print(
                f"[yellow]{escape(where)} has no {' or '.join(map(repr, wanted))} column: it "
                f"cannot sync until they exist (`{escape(hint)}` adds them)[/yellow]"
            )
            complete = False
            continue
        hidden = tuple(h for h in wanted if h == entity.excel.sync_id_column)
        try:
            result = add_columns(
                workbook,
                location,
                headers=wanted,
                hidden=hidden,
                expected=Fingerprint.of_file(workbook),
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
        if entity.excel.columns and result.added_columns and mapping_file is not None:
            widen_pin(
                mapping_file, entity.type, entity.excel.columns, result.added_columns.values()
            )
            console.print(
                f"widened the columns of {where} in {mapping_file} over them", highlight=False
            )
    return complete


def widen_pin(mapping: Path, entity: str, columns: str, added: Any) -> None:
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
