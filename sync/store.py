"""The state store: the last synced base of every record, conflicts and the audit trail.

SQLite in WAL mode, so the Excel add-in can read it while a sync writes. The schema is
versioned (``PRAGMA user_version``) and moved forward by an explicit chain of
migrations, never rebuilt: a store is the memory of what both sides agreed on, and
losing it would turn every later difference into a conflict.

Values are stored as JSON with tagged dates, times and UUIDs, so a base read back is
equal to the canonical values it was written from.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sync.errors import StateStoreError


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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]
"""Migration i moves a store from version i to i + 1. Only ever append to this list."""

SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class BaseEntry:
    """What both sides held for a record after its last successful sync."""

    sync_id: str
    jira_key: str | None
    values: dict[str, Any]
    synced_at: datetime


@dataclass(frozen=True)
class Conflict:
    """A field edited differently on both sides, waiting for a person."""

    id: int
    pair: str
    entity: str
    sync_id: str
    jira_key: str | None
    field: str
    base: Any
    jira: Any
    excel: Any
    jira_updated: datetime | None
    excel_seen: datetime | None
    detected_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One applied change."""

    cycle_id: str
    pair: str
    entity: str
    sync_id: str
    jira_key: str | None
    field: str
    old: Any
    new: Any
    direction: str
    at: datetime | None = None


@dataclass(frozen=True)
class Intent:
    """A side effect written down before it was attempted (the intent journal)."""

    id: int
    cycle_id: str
    pair: str
    entity: str
    sync_id: str
    kind: str
    payload: Any
    created_at: datetime


@dataclass(frozen=True)
class CycleEntry:
    """One sync cycle of one pair: when, how it ended, what it counted."""

    id: str
    pair: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str  # running (or crashed), ok, conflicts, errors, failed
    stats: Any


@dataclass(frozen=True)
class SnapshotTotal:
    """One line of a cycle's portfolio snapshot, summed over projects."""

    cycle_id: str
    at: datetime
    entity: str
    status: str | None
    level: str | None
    count: int
    score_sum: float | None


def _now() -> datetime:
    return datetime.now(UTC)


_POINT_ELSEWHERE = "point sync.state_store at a file in a folder this user can write"


def store_location_problem(path: Path) -> str | None:
    """Why no state store can be created or opened at ``path``, or None when nothing
    shows that it cannot (without writing anything, so read-only commands can ask too).

    SQLite says only "unable to open database file" for all of these, and mkdir raises
    a bare FileExistsError when a folder on the way is a file; the user needs to know
    which part of the configured path is wrong.
    """
    if path.is_dir():
        return (
            f"sync.state_store {path} is a folder; name a file in it instead, e.g. "
            f"{path / 'state.db'}"
        )
    folder = path.parent
    while not folder.exists():
        if folder.parent == folder:
            break
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        return (
            f"cannot create the state store {path}: {folder} is a file, not a folder; "
            f"move that file or {_POINT_ELSEWHERE}"
        )
    target = path if path.exists() else folder
    if target.exists() and not os.access(target, os.W_OK | (os.X_OK if target.is_dir() else 0)):
        what = "the state store" if target == path else "its folder"
        return (
            f"cannot write the state store {path}: {what} {target} is read-only for this "
            f"user; give the user write access or {_POINT_ELSEWHERE}"
        )
    return None


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class StateStore:
    """One SQLite state store (one per configuration; the daemon holds a file lock)."""

    def __init__(
        self, path: Path, *, read_only: bool = False, clock: Callable[[], datetime] = _now
    ) -> None:
        """``clock`` stamps cycles, bases, conflicts, the audit trail and snapshots (UTC);
        a replay of past weeks (the demo's history) passes its own."""
        self.path = Path(path)
        self.clock = clock
        if not read_only and (problem := store_location_problem(self.path)):
            raise StateStoreError(problem)
        try:
            if read_only:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
        except OSError as exc:  # the folder could not be made (a race, a vanished share)
            raise StateStoreError(
                f"cannot create the folder of the state store {self.path} ({exc.strerror or exc}); "
                f"{_POINT_ELSEWHERE}"
            ) from None
        except sqlite3.OperationalError as exc:
            # Cannot open or write (permissions, a read-only or vanished disk): the file
            # itself may be fine, so "restore it from a backup" would be wrong advice.
            raise StateStoreError(
                f"cannot open the state store {self.path} ({exc}); check that this user can "
                f"read and write it and its folder, or {_POINT_ELSEWHERE}"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise StateStoreError(
                f"{self.path} is not a usable pmo-sync state store ({exc}); restore it "
                "from a backup or point sync.state_store at a new file"
            ) from None
        if version > SCHEMA_VERSION:
            self._db.close()
            raise StateStoreError(
                f"{self.path} was written by a newer pmo-sync (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade pmo-sync"
            )
        if version < SCHEMA_VERSION:
            if read_only:
                raise StateStoreError(f"{self.path} needs a migration; run a sync first")
            self._migrate(version)
        # Bases and items decoded once and kept while no other connection writes: a
        # daemon's no-op cycle must not decode ten thousand JSON documents twice.
        self._cache: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._data_version: int | None = None

    def _migrate(self, version: int) -> None:
        with self.transaction():
            for step in MIGRATIONS[version:]:
                step(self._db)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._cache.clear()  # it may hold writes that were just rolled back
            raise
        self._db.execute("COMMIT")

    def _cached(self, kind: str, pair: str, entity: str) -> dict[str, Any] | None:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:  # another process wrote: forget what we hold
            self._cache.clear()
            self._data_version = version
        return self._cache.get((kind, pair, entity))

    # Bases ---------------------------------------------------------------------------

    def bases(self, pair: str, entity: str) -> dict[str, BaseEntry]:
        cached = self._cached("bases", pair, entity)
        if cached is None:
            rows = self._db.execute(
                "SELECT sync_id, jira_key, base, synced_at FROM records WHERE pair=? AND entity=?",
                (pair, entity),
            )
            cached = {
                sync_id: BaseEntry(sync_id, key, load_values(base), datetime.fromisoformat(at))
                for sync_id, key, base, at in rows
            }
            self._cache[("bases", pair, entity)] = cached
        return dict(cached)

    def save_base(
        self,
        pair: str,
        entity: str,
        sync_id: str,
        jira_key: str | None,
        values: Mapping[str, Any],
        synced_at: datetime | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO records (pair, entity, sync_id, jira_key, base, synced_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pair, entity, sync_id) DO UPDATE SET "
            "jira_key=excluded.jira_key, base=excluded.base, synced_at=excluded.synced_at",
            (
                pair,
                entity,
                sync_id,
                jira_key,
                dump_values(dict(values)),
                _ts(synced_at or self.clock()),
            ),
        )
        cached = self._cache.get(("bases", pair, entity))
        if cached is not None:
            cached[sync_id] = BaseEntry(sync_id, jira_key, dict(values), synced_at or self.clock())

    def forget(self, pair: str, entity: str, sync_id: str) -> None:
        self._db.execute(
            "DELETE FROM records WHERE pair=? AND entity=? AND sync_id=?", (pair, entity, sync_id)
        )
        self._cache.get(("bases", pair, entity), {}).pop(sync_id, None)

    # Cursors -------------------------------------------------------------------------

    def cursor(self, pair: str, entity: str, name: str) -> str | None:
        row = self._db.execute(
            "SELECT value FROM cursors WHERE pair=? AND entity=? AND name=?", (pair, entity, name)
        ).fetchone()
        return None if row is None else row[0]

    def cursors(self, pair: str, entity: str) -> dict[str, str | None]:
        rows = self._db.execute(
            "SELECT name, value FROM cursors WHERE pair=? AND entity=? ORDER BY name",
            (pair, entity),
        )
        return dict(rows.fetchall())

    def delete_cursor(self, pair: str, entity: str, name: str) -> None:
        self._db.execute(
            "DELETE FROM cursors WHERE pair=? AND entity=? AND name=?", (pair, entity, name)
        )

    def set_cursor(self, pair: str, entity: str, name: str, value: str | None) -> None:
        self._db.execute(
            "INSERT INTO cursors (pair, entity, name, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (pair, entity, name) DO UPDATE SET value=excluded.value",
            (pair, entity, name, value),
        )

    def unsettle(self, pair: str) -> None:
        """Make the next cycle of ``pair`` a full one (something changed in the store)."""
        self.set_cursor(pair, "_cycle", "settled_workbook", None)

    def repeat_snapshot(self, cycle_id: str, pair: str) -> None:
        """A cycle that changed nothing: its counts are the previous cycle's, copied."""
        row = self._db.execute("SELECT cycle_id FROM snapshots ORDER BY at DESC LIMIT 1").fetchone()
        if row is None:
            return
        self._db.execute(
            "INSERT INTO snapshots (cycle_id, at, pair, entity, project, status, level, count,"
            " score_sum) "
            "SELECT ?, ?, ?, entity, project, status, level, count, score_sum FROM snapshots "
            "WHERE cycle_id=?",
            (cycle_id, _ts(self.clock()), pair, row[0]),
        )

    def open_risk_trend(self) -> list[tuple[datetime, int]]:
        """Open risks in the whole portfolio after each cycle, oldest first.

        Each cycle snapshots the whole portfolio (each issue once), so a point is that
        snapshot's total, whichever pair's cycle took it.
        """
        rows = self._db.execute(
            "SELECT cycle_id, MIN(at), SUM(CASE WHEN entity='risk' AND "
            "(status IS NULL OR status != 'closed') THEN count ELSE 0 END) "
            "FROM snapshots GROUP BY cycle_id ORDER BY MIN(at)"
        )
        return [(datetime.fromisoformat(at), int(total)) for _, at, total in rows]

    def snapshot_totals(self) -> list[SnapshotTotal]:
        """Every cycle's snapshot summed over projects and pairs, oldest first: per entity,
        status and level, the count and the sum of scores (None before schema 3). Each
        cycle has an ``entity == "_cycle"`` line of count 0, so a cycle that found nothing
        is still a point."""
        rows = self._db.execute(
            "SELECT cycle_id, MIN(at) AS t, entity, status, level, SUM(count), SUM(score_sum) "
            "FROM snapshots "
            "GROUP BY cycle_id, entity, status, level ORDER BY t, cycle_id"
        )
        return [
            SnapshotTotal(c, datetime.fromisoformat(at), e, st, lv, int(n), score)
            for c, at, e, st, lv, n, score in rows
        ]

    def project_details(self) -> dict[str, dict[str, str]]:
        """Project key -> name and lead, as the last full read of each pair found them."""
        found: dict[str, dict[str, str]] = {}
        rows = self._db.execute(
            "SELECT value FROM cursors WHERE entity='_projects' AND name='details'"
        )
        for (value,) in rows:
            found.update(json.loads(value or "{}"))
        return found

    # Conflicts -----------------------------------------------------------------------

    def record_conflict(
        self,
        pair: str,
        entity: str,
        sync_id: str,
        jira_key: str | None,
        field: str,
        *,
        base: Any,
        jira: Any,
        excel: Any,
        jira_updated: datetime | None = None,
        excel_seen: datetime | None = None,
    ) -> int:
        """Record a conflict once; the same open conflict seen again keeps its id."""
        row = self._db.execute(
            "SELECT id, jira, excel FROM conflicts WHERE pair=? AND entity=? AND sync_id=? "
            "AND field=? AND resolved_at IS NULL",
            (pair, entity, sync_id, field),
        ).fetchone()
        values = (dump_values(base), dump_values(jira), dump_values(excel))
        if row is not None and (row[1], row[2]) == values[1:]:
            return int(row[0])  # seen again unchanged: keep when it was first seen
        if row is not None:
            self._db.execute(
                "UPDATE conflicts SET base=?, jira=?, excel=?, jira_updated=?, excel_seen=? "
                "WHERE id=?",
                (*values, _ts(jira_updated), _ts(excel_seen), row[0]),
            )
            return int(row[0])
        cursor = self._db.execute(
            "INSERT INTO conflicts (pair, entity, sync_id, jira_key, field, base, jira, excel,"
            " jira_updated, excel_seen, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pair,
                entity,
                sync_id,
                jira_key,
                field,
                *values,
                _ts(jira_updated),
                _ts(excel_seen),
                _ts(self.clock()),
            ),
        )
        return int(cursor.lastrowid or 0)

    def open_conflicts(self, pair: str | None = None) -> list[Conflict]:
        if pair is None:
            return self._conflicts("resolved_at IS NULL", ())
        return self._conflicts("resolved_at IS NULL AND pair=?", (pair,))

    def _conflicts(self, where: str, params: tuple[Any, ...]) -> list[Conflict]:
        query = (
            "SELECT id, pair, entity, sync_id, jira_key, field, base, jira, excel, "
            f"jira_updated, excel_seen, detected_at FROM conflicts WHERE {where} ORDER BY id"
        )
        return [
            Conflict(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                load_values(row[6]),
                load_values(row[7]),
                load_values(row[8]),
                _dt(row[9]),
                _dt(row[10]),
                datetime.fromisoformat(row[11]),
            )
            for row in self._db.execute(query, params)
        ]

    def resolve_conflict(self, conflict_id: int, value: Any) -> None:
        """Mark a conflict resolved with the value a person chose."""
        cursor = self._db.execute(
            "UPDATE conflicts SET resolved_at=?, resolution=? WHERE id=? AND resolved_at IS NULL",
            (_ts(self.clock()), dump_values(value), conflict_id),
        )
        if cursor.rowcount == 0:
            raise StateStoreError(f"no open conflict #{conflict_id}; see `pmo-sync conflicts`")

    def conflict(self, conflict_id: int) -> Conflict | None:
        for found in self._conflicts("id=?", (conflict_id,)):
            return found
        return None

    def pending_resolutions(self, pair: str, entity: str) -> dict[tuple[str, str], Any]:
        """(sync_id, field) -> chosen value, for resolved conflicts not yet written."""
        rows = self._db.execute(
            "SELECT sync_id, field, resolution FROM conflicts WHERE pair=? AND entity=? AND "
            "resolved_at IS NOT NULL AND applied_at IS NULL AND field NOT LIKE '(%' ORDER BY id",
            (pair, entity),
        )
        return {(sync_id, name): load_values(value) for sync_id, name, value in rows}

    def mark_applied(self, pair: str, entity: str, keys: list[tuple[str, str]]) -> None:
        self._db.executemany(
            "UPDATE conflicts SET applied_at=? WHERE pair=? AND entity=? AND sync_id=? AND "
            "field=? AND resolved_at IS NOT NULL AND applied_at IS NULL",
            [(_ts(self.clock()), pair, entity, sync_id, name) for sync_id, name in keys],
        )

    # Audit trail ---------------------------------------------------------------------

    def append_audit(self, entries: list[AuditEntry]) -> None:
        now = _ts(self.clock())
        self._db.executemany(
            "INSERT INTO audit (cycle_id, at, pair, entity, sync_id, jira_key, field, old, new,"
            " direction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.cycle_id,
                    _ts(e.at) or now,
                    e.pair,
                    e.entity,
                    e.sync_id,
                    e.jira_key,
                    e.field,
                    dump_values(e.old),
                    dump_values(e.new),
                    e.direction,
                )
                for e in entries
            ],
        )

    def audit_log(self, pair: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest applied changes first."""
        query = (
            "SELECT cycle_id, pair, entity, sync_id, jira_key, field, old, new, direction, at "
            "FROM audit"
        )
        params: tuple[Any, ...] = ()
        if pair is not None:
            query += " WHERE pair=?"
            params = (pair,)
        rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                load_values(r[6]),
                load_values(r[7]),
                r[8],
                datetime.fromisoformat(r[9]),
            )
            for r in rows
        ]

    # Intent journal --------------------------------------------------------------------

    def add_intent(
        self, cycle_id: str, pair: str, entity: str, sync_id: str, kind: str, payload: Any
    ) -> None:
        """Write down a side effect before performing it (for recovery after a crash)."""
        self._db.execute(
            "INSERT INTO intents (cycle_id, pair, entity, sync_id, kind, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (cycle_id, pair, entity, sync_id, kind, dump_values(payload), _ts(self.clock())),
        )

    def intents(self, pair: str, entity: str, kind: str | None = None) -> list[Intent]:
        query = (
            "SELECT id, cycle_id, sync_id, kind, payload, created_at FROM intents "
            "WHERE pair=? AND entity=?"
        )
        params: tuple[str, ...] = (pair, entity)
        if kind is not None:
            query += " AND kind=?"
            params = (*params, kind)
        return [
            Intent(
                r[0], r[1], pair, entity, r[2], r[3], load_values(r[4]), _dt(r[5]) or self.clock()
            )
            for r in self._db.execute(query + " ORDER BY id", params)
        ]

    def clear_intents(self, pair: str, entity: str, sync_ids: list[str], kind: str) -> None:
        self._db.executemany(
            "DELETE FROM intents WHERE pair=? AND entity=? AND sync_id=? AND kind=?",
            [(pair, entity, sync_id, kind) for sync_id in sync_ids],
        )

    # Cycles ----------------------------------------------------------------------------

    def begin_cycle(self, cycle_id: str, pair: str) -> None:
        self._db.execute(
            "INSERT INTO cycles (id, pair, started_at, outcome) VALUES (?, ?, ?, 'running')",
            (cycle_id, pair, _ts(self.clock())),
        )

    def finish_cycle(self, cycle_id: str, outcome: str, stats: Mapping[str, Any]) -> None:
        self._db.execute(
            "UPDATE cycles SET finished_at=?, outcome=?, stats=? WHERE id=?",
            (_ts(self.clock()), outcome, dump_values(dict(stats)), cycle_id),
        )

    def cycles(self, pair: str | None = None, limit: int = 20) -> list[CycleEntry]:
        """The newest cycles first (a cycle still 'running' after a crash shows as such)."""
        query = "SELECT id, pair, started_at, finished_at, outcome, stats FROM cycles"
        params: tuple[Any, ...] = ()
        if pair is not None:
            query += " WHERE pair=?"
            params = (pair,)
        rows = self._db.execute(query + " ORDER BY started_at DESC LIMIT ?", (*params, limit))
        return [
            CycleEntry(r[0], r[1], datetime.fromisoformat(r[2]), _dt(r[3]), r[4], load_values(r[5]))
            for r in rows
        ]

    # Portfolio items -------------------------------------------------------------------

    def save_items(self, pair: str, entity: str, records: list[Mapping[str, Any]]) -> None:
        """The current canonical record of synced items (what formulas and reports read)."""
        now = _ts(self.clock())
        self._db.executemany(
            "INSERT INTO items (pair, entity, sync_id, jira_key, project, record, seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pair, entity, sync_id) DO UPDATE SET "
            "jira_key=excluded.jira_key, project=excluded.project, record=excluded.record, "
            "seen_at=excluded.seen_at",
            [
                (
                    pair,
                    entity,
                    str(r["sync_id"]),
                    r.get("key"),
                    r.get("project"),
                    dump_values(dict(r)),
                    now,
                )
                for r in records
            ],
        )
        cached = self._cache.get(("items", pair, entity))
        if cached is not None:
            for r in records:
                cached[str(r["sync_id"])] = dict(r)

    def drop_items(self, pair: str, entity: str, sync_ids: list[str]) -> None:
        self._db.executemany(
            "DELETE FROM items WHERE pair=? AND entity=? AND sync_id=?",
            [(pair, entity, s) for s in sync_ids],
        )
        cached = self._cache.get(("items", pair, entity), {})
        for sync_id in sync_ids:
            cached.pop(sync_id, None)

    def drop_unconfigured_items(self, configured: Mapping[str, set[str] | None]) -> dict[str, int]:
        """Forget the portfolio items of pairs (or entities of a pair) no longer configured:
        reports and formulas would otherwise count them forever, or twice after a rename.
        ``configured``: pair -> its entity types (None: keep all of them). Bases stay, so a
        pair added back resumes (its first read is a full one). Returns what was dropped,
        as "pair" or "pair/entity" -> items."""
        stale: dict[tuple[str, str], int] = {}
        for pair, entity, count in self._db.execute(
            "SELECT pair, entity, COUNT(*) FROM items GROUP BY pair, entity"
        ):
            kept = configured.get(pair, set())
            if kept is not None and entity not in kept:
                stale[(pair, entity)] = count
        self._db.executemany(
            "DELETE FROM items WHERE pair=? AND entity=?", [list(k) for k in stale]
        )
        for pair, entity in stale:
            self._cache.pop(("items", pair, entity), None)
        for pair in {pair for pair, _ in stale if pair not in configured}:
            # Gone from the configuration: its projects' Jira details leave the report too.
            self._db.execute("DELETE FROM cursors WHERE pair=? AND entity='_projects'", (pair,))
        dropped: dict[str, int] = {}
        for (pair, entity), count in stale.items():
            name = pair if pair not in configured else f"{pair}/{entity}"
            dropped[name] = dropped.get(name, 0) + count
        return dropped

    def items(self, entity: str | None = None, pair: str | None = None) -> list[dict[str, Any]]:
        """A pair's items, or without a pair the portfolio: each issue once, however many
        pairs sync it (a RAID log and a change log may share change requests), as most
        recently read."""
        if entity is not None and pair is not None:
            cached = self._cached("items", pair, entity)
            if cached is None:
                cached = {str(r["sync_id"]): r for r in self._load_items(entity, pair)}
                self._cache[("items", pair, entity)] = cached
            return list(cached.values())
        return self._load_items(entity, pair)

    def _load_items(self, entity: str | None, pair: str | None) -> list[dict[str, Any]]:
        return list(read_items(self._db, entity, pair).values())

    def snapshot(self, cycle_id: str, pair: str) -> None:
        """Counts of the whole portfolio after a cycle of ``pair`` (each issue once, as
        most recently read), by entity, project, status and level, so reports draw trends
        (open risks over time) without replaying history. Counted inside SQLite: a
        100,000-issue portfolio is not decoded for it."""
        at = _ts(self.clock())
        self._db.execute(
            "INSERT INTO snapshots (cycle_id, at, pair, entity, project, status, level, count,"
            " score_sum) "
            "SELECT ?, ?, ?, entity, project, status, level, COUNT(*), TOTAL(score) FROM ("
            "  SELECT entity, project, json_extract(record, '$.status') AS status,"
            "    json_extract(record, '$.level') AS level,"
            "    json_extract(record, '$.score') AS score, ROW_NUMBER() OVER ("
            "      PARTITION BY entity, sync_id ORDER BY seen_at DESC) AS latest"
            "  FROM items) WHERE latest = 1 GROUP BY entity, project, status, level",
            (cycle_id, at, pair),
        )
        self._empty_snapshot(cycle_id, pair, at)

    def _empty_snapshot(self, cycle_id: str, pair: str, at: str) -> None:
        """A zero row, so a cycle is in the snapshots even when its pair holds nothing:
        the trend must fall to zero then, not keep the pair's last non-empty count."""
        self._db.execute(
            "INSERT INTO snapshots (cycle_id, at, pair, entity, project, status, level, count) "
            "VALUES (?, ?, ?, '_cycle', NULL, NULL, NULL, 0)",
            (cycle_id, at, pair),
        )


def read_items(
    db: sqlite3.Connection, entity: str | None = None, pair: str | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """(entity, sync id) -> values of the stored items. Without a pair this is the
    portfolio: an issue several pairs sync (a RAID log and a change log may share change
    requests) counts once, as most recently read. Also used by the add-in's read-only
    connection."""
    query, params = "SELECT entity, sync_id, record FROM items WHERE 1=1", []
    if entity is not None:
        query += " AND entity=?"
        params.append(entity)
    if pair is not None:
        query += " AND pair=?"
        params.append(pair)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, sync_id, record in db.execute(query + " ORDER BY seen_at", params):
        found.pop((kind, sync_id), None)  # re-insert: the order follows the latest read
        found[(kind, sync_id)] = load_values(record)
    return found
