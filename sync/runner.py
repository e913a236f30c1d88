"""Running cycles for the pairs of a configuration: one Jira site, one state store.

Pairs are isolated: a pair whose workbook is missing or locked, whose mapping is bad,
which names entities or fields its mapping lacks, or whose cycle hits an error is
reported with its reason, and the other pairs still sync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from connectors.excel.errors import ExcelError
from connectors.jira.errors import JiraError
from connectors.jira.site import JiraSiteContext, open_configured_site
from mappings.config import Config, SyncPair
from mappings.errors import MappingsError
from mappings.mapping import MappingSpec, load_mapping
from mappings.pair_checks import check_pair, pair_problems
from sync.cycle import PairSync
from sync.errors import SyncError
from sync.jira_side import JiraSide
from sync.outcome import CycleResult
from sync.store import StateStore

CYCLE_LOCK_WAIT = 300.0
CLEAN_OUTCOMES = frozenset({"ok"})
"""Outcomes after which nothing waits for a person. Any other (conflicts, errors, a
pair that failed) makes `pmo-sync sync` and a `daemon --max-cycles` run exit 1, so cron
and CI notice."""
log = logging.getLogger("pmo_sync.sync")


def left_problems(outcome: str) -> bool:
    """Whether a cycle with this outcome left conflicts or errors (exit code 1)."""
    return outcome not in CLEAN_OUTCOMES


@dataclass
class PairFailure:
    """A pair whose cycle could not run at all."""

    pair: str
    error: str

    outcome = "failed"


def select_pairs(config: Config, names: Sequence[str] = ()) -> list[SyncPair]:
    pairs = list(config.pairs)
    if not names:
        return pairs
    known = {p.name: p for p in pairs}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SyncError(
            f"no pair named {', '.join(unknown)} in the configuration (pairs: "
            f"{', '.join(known) or 'none'})"
        )
    return [known[n] for n in names]


def state_store_path(config: Config) -> Path:
    return config.resolve(config.sync.state_store)


class Runner:
    """Opens the site and the store once, then runs cycles pair by pair."""

    def __init__(
        self,
        config: Config,
        *,
        site: JiraSiteContext | None = None,
        store: StateStore | None = None,
    ) -> None:
        self.config = config
        self.progress: Callable[[str, int, int | None], None] | None = None
        self._site = site
        self._people_set = False
        self.store = store or StateStore(state_store_path(config))
        self._pruned = False
        self._mappings: dict[tuple[str, str, Any], MappingSpec] = {}  # parsed once per file
        self._memos: dict[str, dict[str, Any]] = {}  # per pair, kept between its cycles

    @property
    def site(self) -> JiraSiteContext:
        if self._site is None:
            self._site = open_configured_site(self.config.jira)
        if not self._people_set:
            self._site.users.configure(self.config.people, self.config.sync.unknown_people)
            self._people_set = True
        return self._site

    def mapping_of(self, pair: SyncPair) -> MappingSpec:
        """The pair's mapping, refused (PairMappingError) when the pair names entities or
        policy fields it does not have: a misspelt name must fail the pair, not sync
        nothing and report success."""
        key = (pair.name, pair.mapping, _mapping_stamp(pair.mapping, self.config.base_dir))
        mapping = self._mappings.get(key) if key[2] is not None else None
        if mapping is None:
            mapping = load_mapping(pair.mapping, self.config.base_dir)
            check_pair(pair, mapping)
            if key[2] is not None:
                self._mappings[key] = mapping
        return mapping

    def pair_sync(self, pair: SyncPair) -> PairSync:
        mapping = self.mapping_of(pair)
        jira = JiraSide(
            self.site, mapping, pair, self.store, scope_check=self.config.sync.scope_check
        )
        memo = self._memos.setdefault(pair.name, {})
        return PairSync(
            self.config, pair, mapping, self.store, jira, progress=self.progress, memo=memo
        )

    def run_pair(
        self,
        pair: SyncPair,
        *,
        dry_run: bool = False,
        full: bool = False,
        stop: threading.Event | None = None,
    ) -> CycleResult:
        """One cycle, never interleaved with another process's cycle on the same store
        (the daemon, a cron `pmo-sync sync`, the Excel refresh button)."""
        lock = FileLock(self.store.path.with_name("cycle.lock"), timeout=CYCLE_LOCK_WAIT)
        try:
            with lock:
                if not dry_run and not self._pruned:
                    self._forget_unconfigured_pairs()
                return self.pair_sync(pair).run(dry_run=dry_run, full=full, stop=stop)
        except Timeout:
            raise SyncError(
                f"another pmo-sync cycle has held {lock.lock_file} for {CYCLE_LOCK_WAIT:.0f} s; "
                "try again when it has finished"
            ) from None

    def _forget_unconfigured_pairs(self) -> None:
        """A pair renamed or removed from the configuration leaves the portfolio that
        reports and formulas read (its bases stay, should it come back)."""
        configured: dict[str, set[str] | None] = {}
        for pair in self.config.pairs:
            try:
                mapping = load_mapping(pair.mapping, self.config.base_dir)
            except MappingsError:
                configured[pair.name] = None  # its own cycle reports the mapping
                continue
            if pair_problems(pair, mapping):
                # A misspelt entity must not drop the pair's items from the portfolio;
                # its own cycle fails and says why.
                configured[pair.name] = None
                continue
            wanted = set(pair.entities or ())
            configured[pair.name] = {
                e.type for e in mapping.entities if not wanted or e.type in wanted
            }
        with self.store.transaction():
            dropped = self.store.drop_unconfigured_items(configured)
        for name, count in dropped.items():
            log.info(
                "%s is no longer in the configuration: its %d portfolio items left the "
                "reports and formulas",
                name,
                count,
            )
        self._pruned = True

    def run(
        self,
        names: Sequence[str] = (),
        *,
        dry_run: bool = False,
        full: bool = False,
        stop: threading.Event | None = None,
        on_result: Callable[[CycleResult | PairFailure], None] | None = None,
    ) -> list[CycleResult | PairFailure]:
        results: list[CycleResult | PairFailure] = []
        for pair in select_pairs(self.config, names):
            if stop is not None and stop.is_set():
                break
            try:
                result: CycleResult | PairFailure = self.run_pair(
                    pair, dry_run=dry_run, full=full, stop=stop
                )
            except (SyncError, MappingsError, ExcelError, JiraError, OSError, ValueError) as exc:
                result = PairFailure(pair.name, str(exc))
            except Exception as exc:
                result = PairFailure(pair.name, f"{type(exc).__name__}: {exc}")
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    def close(self) -> None:
        self.store.close()


def _mapping_stamp(name: str, base_dir: Path) -> Any:
    """What tells that a mapping changed: nothing for a built-in one, a file's size and
    modification time (None when it cannot be read: then it is parsed every cycle, and
    its error reported)."""
    if name.startswith("builtin:"):
        return "builtin"
    path = Path(name)
    if not path.is_absolute():
        path = base_dir / path
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)
