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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.errors import StateStoreError
from sync.store_audits import Audits
from sync.store_conflicts import ConflictsAndAudit
from sync.store_items import PortfolioItems
from sync.store_records import BaseEntry, CycleEntry, Intent
from sync.store_schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    _dt,
    _ts,
    dump_values,
    load_values,
)
from sync.store_snapshots import Snapshots


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


class StateStore(Snapshots, ConflictsAndAudit, PortfolioItems, Audits):
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

    def project_details(self) -> dict[str, dict[str, str]]:
        """Project key -> name and lead, as the last full read of each pair found them."""
        found: dict[str, dict[str, str]] = {}
        rows = self._db.execute(
            "SELECT value FROM cursors WHERE entity='_projects' AND name='details'"
        )
        for (value,) in rows:
            found.update(json.loads(value or "{}"))
        return found

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
