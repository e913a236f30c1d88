"""Portfolio snapshots: the counts after every cycle that reports draw trends from
(mixed into ``StateStore``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from sync.store_records import SnapshotTotal
from sync.store_schema import _ts


class Snapshots:
    """The snapshot half of the state store."""

    _db: sqlite3.Connection
    clock: Callable[[], datetime]

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
