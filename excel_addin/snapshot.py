"""The synced portfolio as the worksheet functions see it: one read-only snapshot of the
state store's ``items`` table in memory, and the answers given from it.

A workbook full of ``=PMO_OPEN_RISKS(A2)`` recalculates thousands of formulas at once,
so nothing here touches the network. The snapshot is kept until the store file changes
(its size or modification time, or its write-ahead log's). It indexes the items by key,
project and entity, and remembers every answer it gave (``Snapshot.memo``: the function
and its arguments -> the value, or the error, which is raised afresh each time): a warm
lookup is one dictionary look-up. Tables are remembered as tuples and handed out as new
lists, so a caller cannot alter the next answer.

Staleness: a ``StoreView(max_staleness=s)`` looks at the store file (two ``stat``
calls, and the config when the store path comes from it) at most once every ``s``
seconds of ``time.monotonic``: a recalculation burst of thousands of formulas costs one
look, and a store written by a sync is seen by the first call made ``s`` seconds or
more after the previous look. The add-in's portfolio (``functions.PORTFOLIO``) uses
``ADDIN_MAX_STALENESS`` (0.5 s); the default, 0, looks on every call; ``expire()``
makes the next call look whatever the interval.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from excel_addin.metrics import MetricError
from sync.store_items import read_items

if TYPE_CHECKING:
    from mappings.config import Config

ADDIN_MAX_STALENESS = 0.5  # seconds; the add-in's portfolio looks at the store this often


def configured() -> Config | None:
    """The config the add-in reads (PMO_SYNC_CONFIG, else ./pmo-sync.toml), or None when
    there is none; loaded again only when the file changes."""
    path = Path(os.environ.get("PMO_SYNC_CONFIG", "pmo-sync.toml"))
    try:
        stat = path.stat()
    except OSError:
        return None
    return _load_config(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load_config(path: str, _mtime_ns: int, _size: int) -> Config:
    from mappings.config import load_config

    return load_config(Path(path))


def default_store_path() -> Path:
    """PMO_SYNC_STATE_STORE, else the config's sync.state_store, else the default."""
    explicit = os.environ.get("PMO_SYNC_STATE_STORE")
    if explicit:
        return Path(explicit)
    loaded = configured()
    if loaded is not None:
        return loaded.resolve(loaded.sync.state_store)
    return Path(".pmo-sync/state.db")


def _signature(path: Path) -> tuple[Any, ...]:
    name = os.fspath(path)
    parts: list[Any] = [name]
    for candidate in (name, name + "-wal"):
        try:
            stat = os.stat(candidate)
            # An empty log is no log: readers create one, and must not look like writers.
            parts.append((stat.st_size, stat.st_mtime_ns) if stat.st_size else None)
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


@dataclass
class Snapshot:
    """The portfolio as the store held it at one moment, indexed for lookups.

    The index lists are shared: read them, never alter them.
    """

    items: list[dict[str, Any]]
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_project: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_sync: datetime | None = None
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    path: Path | None = None
    by_entity: dict[str | None, list[dict[str, Any]]] = field(default_factory=dict)
    by_project_entity: dict[tuple[str, str | None], list[dict[str, Any]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_entity: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        by_both: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
        for item in self.items:
            entity = item.get("_entity")
            by_entity[entity].append(item)
            if item.get("key"):
                self.by_key[str(item["key"]).upper()] = item
            if item.get("project"):
                project = str(item["project"]).upper()
                by_project[project].append(item)
                by_both[(project, entity)].append(item)
        self.by_project = dict(by_project)
        self.by_entity = dict(by_entity)
        self.by_project_entity = dict(by_both)


@dataclass(frozen=True)
class _Failure:
    """A remembered error: raised again as a new MetricError on every call."""

    code: Any
    message: str


def _key_of(name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The memo key of a call. Text and blanks stand for themselves (equal text, equal
    answer); anything else by its type and repr, so that 1, 1.0 and True, which compare
    equal but read differently (``str``, error messages), never share an answer, and
    lists from ranges can be keys."""
    for arg in args:
        if arg.__class__ is not str and arg is not None:
            return (name, tuple(_typed(a) for a in args))
    return (name, args)


def _typed(value: Any) -> Any:
    if value is None or value.__class__ is str:
        return value
    return (value.__class__, repr(value))


def remembered(snap: Snapshot, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` once per snapshot and key, its MetricError included."""
    try:
        found = snap.memo[key]
    except KeyError:
        try:
            found = compute()
        except MetricError as exc:
            found = _Failure(exc.code, str(exc))
        snap.memo[key] = found
    if found.__class__ is _Failure:
        raise MetricError(found.code, found.message)
    return found


def _memo(method: Any) -> Any:
    """Answers are remembered per snapshot: a sheet asks the same question many times.
    For answers that are immutable (numbers, text, dates, shared read-only objects)."""
    name = method.__name__

    def cached(self: Any, *args: Any) -> Any:
        # The warm path of every lookup formula: snapshot(), _key_of() and remembered()
        # inlined (each call saved is a tenth of a warm call's time).
        snap = self._snapshot
        if snap is None or self._clock() >= self._due:
            snap = self.snapshot()
        for arg in args:
            if arg.__class__ is not str and arg is not None:
                key = (name, tuple(_typed(a) for a in args))
                break
        else:
            key = (name, args)
        try:
            found = snap.memo[key]
        except KeyError:
            try:
                found = method(self, *args)
            except MetricError as exc:
                found = _Failure(exc.code, str(exc))
            snap.memo[key] = found
        if found.__class__ is _Failure:
            raise MetricError(found.code, found.message)
        return found

    cached.__name__ = name
    cached.__qualname__ = method.__qualname__
    cached.__doc__ = method.__doc__
    cached.__wrapped__ = method  # type: ignore[attr-defined]
    return cached


def _table_memo(method: Any) -> Any:
    """As ``_memo`` for tables (a list of rows): remembered as tuples, every call gets
    new lists, so a caller (Excel's spill, a test) can never alter the next answer."""
    name = method.__name__

    def frozen(self: Any, *args: Any) -> tuple[tuple[Any, ...], ...]:
        return tuple(tuple(row) for row in method(self, *args))

    def cached(self: Any, *args: Any) -> list[list[Any]]:
        snap = self.snapshot()
        rows = remembered(snap, _key_of(name, args), lambda: frozen(self, *args))
        return [list(row) for row in rows]

    cached.__name__ = name
    cached.__qualname__ = method.__qualname__
    cached.__doc__ = method.__doc__
    cached.__wrapped__ = method  # type: ignore[attr-defined]
    return cached


class StoreView:
    """One state store, looked at no more often than ``max_staleness``.

    ``max_staleness``: seconds (of ``clock``, ``time.monotonic`` unless given) during
    which the store is not looked at again after a look; 0 looks on every call. A change
    to the store is seen by the first call at least that long after the previous look.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        max_staleness: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.max_staleness = float(max_staleness)
        self._clock = clock
        self._snapshot: Snapshot | None = None
        self._signature: tuple[Any, ...] | None = None
        self._due = float("-inf")  # clock time of the next look at the store
        self._config: Config | None = None
        self._config_due = float("-inf")

    @property
    def store_path(self) -> Path:
        return self.path or default_store_path()

    def expire(self) -> None:
        """Look at the store (and the config) on the next call, whatever the interval:
        after a refresh this process made, say."""
        self._due = self._config_due = float("-inf")

    def config(self) -> Config | None:
        """``configured()``, looked at no more often than the store."""
        now = self._clock()
        if now >= self._config_due:
            self._config = configured()
            self._config_due = now + self.max_staleness
        return self._config

    def snapshot(self) -> Snapshot:
        """The store's current snapshot (as of the last look, at most ``max_staleness``
        seconds ago); loaded again when the store changed."""
        now = self._clock()
        if self._snapshot is not None and now < self._due:
            return self._snapshot
        path = self.store_path
        signature = _signature(path)
        if self._snapshot is not None and signature == self._signature:
            self._due = now + self.max_staleness
            return self._snapshot
        if signature[1] is None:
            raise MetricError("#N/A", f"no synced portfolio at {path}: run `pmo-sync sync` first")
        snap = _load(path)
        # Changed while loading: keep the data for now, but load again next time.
        if _signature(path) == signature:
            self._signature, self._due = signature, now + self.max_staleness
        else:
            self._signature, self._due = None, float("-inf")
        self._snapshot = snap
        return snap


def _load(path: Path) -> Snapshot:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise MetricError("#N/A", f"cannot open the state store {path}: {exc}") from None
    try:
        found = read_items(db)  # the portfolio: each issue once
        finished = db.execute(
            "SELECT MAX(finished_at) FROM cycles WHERE outcome IN ('ok', 'conflicts', 'errors')"
        ).fetchone()[0]
    except sqlite3.Error as exc:
        raise MetricError(
            "#N/A", f"{path} is not a pmo-sync state store with a synced portfolio ({exc})"
        ) from None
    finally:
        db.close()
    items = [{**values, "_entity": entity} for (entity, _), values in found.items()]
    last = datetime.fromisoformat(finished).astimezone().replace(tzinfo=None) if finished else None
    return Snapshot(items, last_sync=last, path=path)
