"""The state store's schema and value encoding: the migrations that move a store forward
(``PRAGMA user_version``), and JSON with tagged dates, times and UUIDs, so a value read
back is equal to the canonical value it was written from."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, UUID):
        return {"$uuid": str(value)}
    raise TypeError(f"cannot store {type(value).__name__} values")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((tag, text),) = obj.items()
        if tag == "$datetime":
            return datetime.fromisoformat(text)
        if tag == "$date":
            return date.fromisoformat(text)
        if tag == "$uuid":
            return UUID(text)
    return obj


def dump_values(values: Any) -> str:
    """Canonical values as JSON text (sorted keys, so equal values give equal text)."""
    return json.dumps(values, default=_encode, sort_keys=True, ensure_ascii=False)


def load_values(text: str | None) -> Any:
    return None if text is None else json.loads(text, object_hook=_decode)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Statements one by one: executescript() would COMMIT the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE records (
            pair TEXT NOT NULL, entity TEXT NOT NULL, sync_id TEXT NOT NULL,
            jira_key TEXT, base TEXT NOT NULL, synced_at TEXT NOT NULL,
            PRIMARY KEY (pair, entity, sync_id));
        CREATE INDEX records_by_key ON records (pair, jira_key);
        CREATE TABLE cursors (
            pair TEXT NOT NULL, entity TEXT NOT NULL, name TEXT NOT NULL, value TEXT,
            PRIMARY KEY (pair, entity, name));
        CREATE TABLE conflicts (
            id INTEGER PRIMARY KEY, pair TEXT NOT NULL, entity TEXT NOT NULL,
            sync_id TEXT NOT NULL, jira_key TEXT, field TEXT NOT NULL,
            base TEXT, jira TEXT, excel TEXT, jira_updated TEXT, excel_seen TEXT,
            detected_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT);
        CREATE INDEX conflicts_open ON conflicts (pair, resolved_at);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY, cycle_id TEXT NOT NULL, at TEXT NOT NULL,
            pair TEXT NOT NULL, entity TEXT NOT NULL, sync_id TEXT NOT NULL, jira_key TEXT,
            field TEXT NOT NULL, old TEXT, new TEXT, direction TEXT NOT NULL);
        CREATE INDEX audit_by_pair ON audit (pair, id);
        """,
    )


def _v2(db: sqlite3.Connection) -> None:
    """The intent journal, the cycle history and the portfolio the add-in reads."""
    _run_script(
        db,
        """
        CREATE TABLE intents (
            id INTEGER PRIMARY KEY, cycle_id TEXT NOT NULL, pair TEXT NOT NULL,
            entity TEXT NOT NULL, sync_id TEXT NOT NULL, kind TEXT NOT NULL,
            payload TEXT, created_at TEXT NOT NULL);
        CREATE INDEX intents_by_pair ON intents (pair, entity);
        CREATE TABLE cycles (
            id TEXT PRIMARY KEY, pair TEXT NOT NULL, started_at TEXT NOT NULL,
            finished_at TEXT, outcome TEXT NOT NULL, stats TEXT);
        CREATE INDEX cycles_by_pair ON cycles (pair, started_at);
        CREATE TABLE items (
            pair TEXT NOT NULL, entity TEXT NOT NULL, sync_id TEXT NOT NULL,
            jira_key TEXT, project TEXT, record TEXT NOT NULL, seen_at TEXT NOT NULL,
            PRIMARY KEY (pair, entity, sync_id));
        CREATE INDEX items_by_project ON items (entity, project);
        CREATE INDEX items_by_key ON items (jira_key);
        CREATE TABLE snapshots (
            cycle_id TEXT NOT NULL, at TEXT NOT NULL, pair TEXT NOT NULL,
            entity TEXT NOT NULL, project TEXT, status TEXT, level TEXT,
            count INTEGER NOT NULL);
        CREATE INDEX snapshots_by_time ON snapshots (entity, at);
        ALTER TABLE conflicts ADD COLUMN applied_at TEXT;
        """,
    )


def _v3(db: sqlite3.Connection) -> None:
    """Snapshots keep the sum of the counted items' scores (a portfolio's risk exposure
    over time); older snapshots read as 0, which the trend treats as unknown."""
    db.execute("ALTER TABLE snapshots ADD COLUMN score_sum REAL")


def _v4(db: sqlite3.Connection) -> None:
    """Compliance audits: per audit and project, the score and the breaches, kept so
    compliance can be reported over time."""
    _run_script(
        db,
        """
        CREATE TABLE audits (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, project TEXT NOT NULL,
            checks INTEGER NOT NULL, passed INTEGER NOT NULL, breaches TEXT NOT NULL);
        CREATE INDEX audits_by_project ON audits (project, at);
        """,
    )


LESSON_TEXT = ("summary", "description", "recommendation", "tags", "phase", "category")
"""The lesson fields `pmo-sync lessons search` searches, in the FTS table's column order."""


def fts_tokenizer() -> str:
    """trigram when this SQLite has it (3.34+): it matches any 3 or more characters, so
    Chinese and Japanese text, which has no spaces between words, is found by a phrase of
    it; unicode61 (whole words, CJK runs as one word) on older SQLite."""
    return "trigram" if sqlite3.sqlite_version_info >= (3, 34, 0) else "unicode61"


def _v5(db: sqlite3.Connection) -> None:
    """Full-text search over lessons: an FTS5 index of the lesson items' text, its rowid
    the item's, kept in step with the items table by triggers (saved, edited, dropped).
    Without FTS5 in this SQLite the store still works; only lesson search is missing."""
    columns = ", ".join(LESSON_TEXT)
    try:
        tokenize = f"tokenize = '{fts_tokenizer()}'"
        db.execute(f"CREATE VIRTUAL TABLE lessons_fts USING fts5({columns}, {tokenize})")
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc):
            return
        raise
    values = ", ".join(f"json_extract(new.record, '$.{c}')" for c in LESSON_TEXT)
    insert = (
        f"INSERT INTO lessons_fts (rowid, {columns}) SELECT new.rowid, {values} "
        "WHERE new.entity = 'lesson';"
    )
    delete = "DELETE FROM lessons_fts WHERE rowid = old.rowid;"
    for event, when, body in (
        ("INSERT", "new.entity = 'lesson'", insert),
        ("UPDATE", "old.entity = 'lesson' OR new.entity = 'lesson'", f"{delete} {insert}"),
        ("DELETE", "old.entity = 'lesson'", delete),
    ):
        statement = (
            f"CREATE TRIGGER lessons_fts_{event.lower()} AFTER {event} ON items "
            f"WHEN {when} BEGIN {body} END"
        )
        db.execute(statement)  # not _run_script: a trigger's body holds semicolons
    old_values = values.replace("new.record", "record")
    db.execute(
        f"INSERT INTO lessons_fts (rowid, {columns}) SELECT rowid, {old_values} FROM items "
        "WHERE entity = 'lesson'"
    )


def _v6(db: sqlite3.Connection) -> None:
    """Breach notes told to Jira (a comment or a label per issue and rule), so each is
    written once and taken back when the breach is resolved."""
    _run_script(
        db,
        """
        CREATE TABLE breach_notes (
            jira_key TEXT NOT NULL, rule TEXT NOT NULL, kind TEXT NOT NULL,
            note_id TEXT, at TEXT NOT NULL, PRIMARY KEY (jira_key, rule, kind));
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]
"""Migration i moves a store from version i to i + 1. Only ever append to this list."""

SCHEMA_VERSION = len(MIGRATIONS)


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
