"""`pmo-sync lessons search`: the PMO's knowledge base, its past projects' lessons, searched
across every pair and project in the state store. Registered on the app of pmo_sync.cli.

The search runs on the store's SQLite FTS5 index, which every cycle keeps in step with the
synced lessons. With SQLite 3.34 or newer the index is a trigram one: a word or phrase is
found wherever its characters appear, so Chinese or Japanese text (no spaces between
words) is found by any phrase of it; a search needs 3 or more characters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pmo_sync.cli import ConfigOption, _fail, _open_store, _print_rows, app, console
from sync.store_items import LessonQueryError

lessons_app = typer.Typer(
    help="The lessons learned of past projects: the PMO's knowledge base.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(lessons_app, name="lessons")


@lessons_app.command()
def search(
    text: Annotated[
        str,
        typer.Argument(
            help='Words (all must match), "a phrase", AND / OR / NOT, prefix*; 3 or more '
            "characters (数据迁移 finds 数据迁移演练)"
        ),
    ],
    config: ConfigOption = Path("pmo-sync.toml"),
    project: Annotated[str | None, typer.Option(help="Only this Jira project's lessons")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many lessons at most")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON")] = False,
) -> None:
    """Search the lessons of every synced project, best match first."""
    store = _open_store(config)
    if store is None:  # nothing synced yet (said on the console)
        return
    with store:
        try:
            hits = store.search_lessons(text, project=project, limit=limit)
        except LessonQueryError as exc:
            raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    if not hits:
        where = f" in {project.upper()}" if project else ""
        console.print(f"no lessons{where} match {text!r}", highlight=False)
        return
    table = Table("key", "project", "lesson", "recommendation", "match")
    _print_rows(
        table,
        [
            [
                hit["key"] or hit["sync_id"][:8],
                hit["project"] or "",
                hit["summary"] or "",
                hit["recommendation"] or "",
                hit["snippet"] or "",
            ]
            for hit in hits
        ],
    )
