"""A quiet cycle: what lets a cycle in which nothing changed finish at a constant cost.

The last settled cycle left both sides agreeing and recorded the workbook's stamp (size
and modification time). When the workbook still has that stamp and Jira's incremental
view brought nothing, there is nothing to plan: the cycle records its cursors and a
repeat of the previous snapshot and ends, without opening the workbook. Which trackers
can sync (both id columns present) is remembered per stamp in the runner's per-pair
memo, so even that header read is skipped while the file is unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from connectors.excel.errors import MissingColumns, TableOutOfStep, TrackerNotFound
from connectors.excel.records import tracker_id_columns
from mappings.config import SyncPair
from mappings.mapping import EntityMapping
from sync.excel_apply import QUIET
from sync.jira_side import CURSOR, JiraSide
from sync.jira_view import JiraView
from sync.outcome import CycleResult
from sync.store import StateStore

TRACKER_ERRORS = (TrackerNotFound, TableOutOfStep, MissingColumns)
"""A tracker that cannot be read as the mapping says: refused alone, the pair's other
trackers still sync. (An unreadable or locked workbook still stops the whole pair.)"""


class QuietCycle:
    """PairSync's quiet-cycle steps (a mixin: PairSync holds the state)."""

    workbook: Path
    store: StateStore
    pair: SyncPair
    entities: list[EntityMapping]
    jira: JiraSide
    memo: dict[str, Any]
    _refused: dict[str, str]

    def _workbook_stamp(self) -> str:
        stat = os.stat(self.workbook)
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    def _workbook_untouched(self) -> bool:
        """The workbook is as the last settled cycle (no errors, not stopped) left it."""
        try:
            return self.store.cursor(self.pair.name, "_cycle", QUIET) == self._workbook_stamp()
        except OSError:
            return False

    def _nothing_new(self, views: Mapping[str, JiraView]) -> bool:
        """Jira showed no change, and no resolution or journaled create is waiting."""
        if any(
            v.fresh or v.full_read or v.problems or v.deferred or v.dropped for v in views.values()
        ):
            return False
        for entity in self.entities:
            if self.store.pending_resolutions(self.pair.name, entity.type):
                return False
            if self.store.intents(self.pair.name, entity.type):
                return False
        return True

    def _quiet(self, result: CycleResult) -> CycleResult:
        """Finish a cycle in which nothing changed on either side, at a constant cost:
        the last settled cycle left both sides agreeing, so there is nothing to plan."""
        result.open_conflicts = len(self.store.open_conflicts(self.pair.name))
        with self.store.transaction():
            for entity, view in self.jira.last_views.items():
                if view.cursor is not None:
                    self.store.set_cursor(self.pair.name, entity, CURSOR, view.cursor.isoformat())
                for name, value in view.marks.items():
                    self.store.set_cursor(self.pair.name, entity, name, value)
            self.store.repeat_snapshot(result.cycle_id, self.pair.name)
            self.store.finish_cycle(
                result.cycle_id,
                result.outcome,
                {
                    "counts": {},
                    "errors": [],
                    "open_conflicts": result.open_conflicts,
                    "quiet": True,
                },
            )
        return result

    def _syncable(self) -> list[EntityMapping]:
        """Entities whose tracker has both id columns (others are refused in _plan).
        Only the header is read: a quiet cycle must not parse a workbook that pmo-sync
        itself just wrote."""
        try:
            stamp: str | None = self._workbook_stamp()
        except OSError:
            stamp = None
        known = self.memo.get("syncable")
        if stamp is not None and known is not None and known[0] == stamp:
            types, refused = known[1], known[2]
            self._refused.update(refused)
            return [e for e in self.entities if e.type in types]
        found, refused = [], {}
        for entity in self.entities:
            try:
                ids = tracker_id_columns(self.workbook, entity)
            except TRACKER_ERRORS as exc:  # this tracker alone is refused; the others sync
                refused[entity.type] = f"{entity.type}: {exc}"
                continue
            if {"key", "sync_id"} <= set(ids):
                found.append(entity)
        self._refused.update(refused)
        if stamp is not None:
            self.memo["syncable"] = (stamp, {e.type for e in found}, refused)
        return found
