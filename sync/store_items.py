"""The portfolio: every in-scope item as last read from Jira or copied from a workbook,
for reports, formulas and the next quiet cycle (mixed into ``StateStore``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sync.store_schema import LESSON_TEXT, _ts, dump_values, load_values

_WEIGHTS = {"summary": 4.0, "recommendation": 2.0, "tags": 2.0}  # bm25 column weights
_LESSON_HITS = (
    "SELECT i.sync_id, i.jira_key, i.project, i.record, bm25(lessons_fts, {weights}), "
    "snippet(lessons_fts, -1, '[', ']', '...', 48) FROM lessons_fts "
    "JOIN items i ON i.rowid = lessons_fts.rowid WHERE lessons_fts MATCH ? {where}"
    "ORDER BY bm25(lessons_fts, {weights})"
)


class LessonQueryError(ValueError):
    """A lesson search the full-text index cannot run (bad query syntax, no index)."""


class PortfolioItems:
    """The portfolio half of the state store."""

    _db: sqlite3.Connection
    _cache: dict[tuple[str, str, str], dict[str, Any]]
    clock: Callable[[], datetime]
    _cached: Callable[[str, str, str], dict[str, Any] | None]  # StateStore's cache check

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
        self._cache.pop(("versions", pair, entity), None)

    def drop_items(self, pair: str, entity: str, sync_ids: list[str]) -> None:
        self._db.executemany(
            "DELETE FROM items WHERE pair=? AND entity=? AND sync_id=?",
            [(pair, entity, s) for s in sync_ids],
        )
        cached = self._cache.get(("items", pair, entity), {})
        for sync_id in sync_ids:
            cached.pop(sync_id, None)
        self._cache.pop(("versions", pair, entity), None)

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
            return list(self.items_by_id(entity, pair).values())
        return self._load_items(entity, pair)

    def items_by_id(self, entity: str, pair: str) -> Mapping[str, dict[str, Any]]:
        """A pair's items of one entity by sync id: the store's own copy, kept decoded
        between cycles (read it, never change it), so a cycle that reads it costs nothing
        however many items there are."""
        cached = self._cached("items", pair, entity)
        if cached is None:
            cached = {str(r["sync_id"]): r for r in self._load_items(entity, pair)}
            self._cache[("items", pair, entity)] = cached
        return cached

    def item_versions(self, entity: str, pair: str) -> Mapping[str, Any]:
        """Issue key -> the ``updated`` of the version stored (None when unknown): what an
        incremental read must beat. Kept until the items change (read, never change)."""
        items = self.items_by_id(entity, pair)  # also forgets both when another process wrote
        cached = self._cache.get(("versions", pair, entity))
        if cached is None:
            cached = {str(v["key"]): v.get("updated") for v in items.values() if v.get("key")}
            self._cache[("versions", pair, entity)] = cached
        return cached

    def search_lessons(
        self, text: str, project: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Lessons of every pair whose text matches ``text`` (SQLite FTS5 query syntax:
        words, "a phrase", AND/OR/NOT, prefix*), best first (bm25; the summary weighs
        most), each lesson once: key, project, summary, recommendation, snippet, score.
        With the trigram index (SQLite 3.34+) a word or phrase matches wherever its
        characters appear, which finds Chinese text, but needs 3 or more characters.

        Raises:
            LessonQueryError: the query is not valid FTS5 syntax, or is too short.
        """
        row = self._db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'lessons_fts'"
        ).fetchone()
        if row is None:
            raise LessonQueryError("this SQLite has no FTS5, so lessons cannot be searched")
        if "trigram" in row[0] and len(text.strip().strip('"*')) < 3:
            raise LessonQueryError(
                f"search for {text!r}: give 3 or more characters (the index matches any "
                "3 characters, so 数据迁移 finds 数据迁移测试 but 迁移 alone finds nothing)"
            )
        weights = ", ".join(str(_WEIGHTS.get(name, 1.0)) for name in LESSON_TEXT)
        where, params = "", [text]
        if project is not None:
            where, params = "AND i.project = ? ", [text, project.strip().upper()]
        query = _LESSON_HITS.format(weights=weights, where=where)
        hits: dict[str, dict[str, Any]] = {}
        try:
            for sync_id, key, found_in, record, score, snippet in self._db.execute(query, params):
                if sync_id in hits:  # the same lesson synced by two pairs: its best hit
                    continue
                values = load_values(record)
                hits[sync_id] = {
                    "key": key,
                    "project": found_in,
                    "summary": values.get("summary"),
                    "recommendation": values.get("recommendation"),
                    "snippet": snippet,
                    "score": round(-score, 6),  # bm25 is lower for better: shown higher
                    "sync_id": sync_id,
                }
                if len(hits) >= limit:
                    break
        except sqlite3.OperationalError as exc:
            raise LessonQueryError(
                f'cannot search for {text!r}: {exc}; a search is words, "a phrase", '
                "AND / OR / NOT between them, or a prefix* (quote text holding - : ( or ^)"
            ) from None
        return list(hits.values())

    def _load_items(self, entity: str | None, pair: str | None) -> list[dict[str, Any]]:
        return list(read_items(self._db, entity, pair).values())


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
