"""`pmo-sync daemon`: cycles on a schedule for every pair, until told to stop.

- One daemon per state store: an exclusive file lock next to the store, taken without
  waiting, so two daemons can never interleave cycles on the same bases.
- Pairs are isolated: a pair that raises (workbook missing or locked, Jira down, bad
  mapping) is logged and retried with exponential backoff; the others keep their slots.
- SIGINT/SIGTERM set a stop event: the running cycle finishes the record it is on,
  skips the rest, and the daemon exits cleanly (code 0). A second signal exits at once.
- Stopped by ``max_cycles`` (a scripted or CI run), the exit code is the one
  `pmo-sync sync` would give: 1 when the last cycle of some pair failed or left
  conflicts or errors, else 0; otherwise such a run could not tell success from failure.
- A status file (JSON, replaced atomically) tells `pmo-sync status` what happened.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from mappings.config import Schedule
from sync.errors import SyncError
from sync.runner import left_problems
from sync.schedule import backoff_seconds, check_schedule, next_run

log = logging.getLogger("pmo_sync.daemon")

RECENT_ERRORS = 5


class DaemonLocked(SyncError):
    """Another daemon holds the state store."""


@dataclass
class PairStatus:
    """What the daemon knows about one pair, as written to the status file."""

    next_run: str
    last_started: str | None = None
    last_finished: str | None = None
    last_outcome: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    open_conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    consecutive_failures: int = 0
    cycles: int = 0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def write_json_atomically(path: Path, data: Any) -> None:
    """Temp file + replace: a reader sees the old status or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(data, indent=2, default=str), "utf-8")
    os.replace(temp, path)


class Daemon:
    """The scheduling loop around a cycle function (which does the actual syncing)."""

    def __init__(
        self,
        pairs: Sequence[str],
        run_cycle: Callable[[str, threading.Event], Any],
        *,
        schedule: Schedule,
        lock_path: Path,
        status_path: Path,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
        backoff_base: float = 30.0,
        max_backoff: float = 3600.0,
        max_cycles: int | None = None,
    ) -> None:
        check_schedule(schedule)
        self.pairs = list(pairs)
        self.run_cycle = run_cycle
        self.schedule = schedule
        self.lock_path = Path(lock_path)
        self.status_path = Path(status_path)
        self.stop = stop or threading.Event()
        self.clock = clock
        self.rng = rng or random.Random()
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_cycles = max_cycles
        self.started = clock()
        self.state = "starting"
        now = clock()
        # The first cycle of every pair runs at once: a restarted daemon catches up.
        self.status = {name: PairStatus(next_run=_iso(now)) for name in self.pairs}
        self._due = {name: now for name in self.pairs}
        self._signals = 0

    # -- signals ----------------------------------------------------------------------------
    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._signals += 1
        if self._signals > 1:
            log.warning("second signal: exiting now")
            raise SystemExit(128 + signum)
        log.info("signal %s: finishing the current record, then stopping", signum)
        self.stop.set()

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> int:
        lock = FileLock(self.lock_path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise DaemonLocked(
                f"another pmo-sync daemon is running for this state store (lock file "
                f"{self.lock_path} is held); stop it first, or point this one at another "
                "sync.state_store"
            ) from None
        previous = self._install_signals()
        cycles = 0
        limit_reached = False
        try:
            self.state = "running"
            self._write_status()
            while not self.stop.is_set():
                for name in self._due_pairs():
                    if self.stop.is_set():
                        break
                    self._run_pair(name)
                    cycles += 1
                    if self.max_cycles is not None and cycles >= self.max_cycles:
                        limit_reached = True
                        self.stop.set()
                self.state = "idle"
                self._write_status()
                if self.stop.is_set():
                    break
                wait = (min(self._due.values()) - self.clock()).total_seconds()
                self.stop.wait(max(0.0, wait))
        finally:
            self.state = "stopped"
            self._write_status()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            lock.release()
        log.info("daemon stopped after %d cycle(s)", cycles)
        if not limit_reached or self._signals:
            return 0  # stopped on request: how the cycles went is in the status file
        return self.exit_code()

    def exit_code(self) -> int:
        """`pmo-sync sync`'s convention over the last cycle of every pair that ran: 1
        when one failed or left conflicts or errors, else 0."""
        unsettled = [
            name
            for name, status in self.status.items()
            if status.last_outcome is not None and left_problems(status.last_outcome)
        ]
        if unsettled:
            log.warning("last cycle not clean for %s: exit code 1", ", ".join(sorted(unsettled)))
            return 1
        return 0

    def _due_pairs(self) -> list[str]:
        now = self.clock()
        return sorted((n for n, due in self._due.items() if due <= now), key=self._due.get)

    def _run_pair(self, name: str) -> None:
        status = self.status[name]
        started = self.clock()
        status.last_started = _iso(started)
        self.state = "running"
        self._write_status()
        log.info("cycle started", extra={"pair": name})
        try:
            result = self.run_cycle(name, self.stop)
        except Exception as exc:
            status.consecutive_failures += 1
            status.last_outcome = "failed"
            status.errors = [*status.errors, f"{_iso(self.clock())} {exc}"][-RECENT_ERRORS:]
            delay = backoff_seconds(
                status.consecutive_failures, self.backoff_base, self.max_backoff
            )
            regular = next_run(self.schedule, started, self.rng)
            self._due[name] = max(regular, self.clock() + timedelta(seconds=delay))
            log.error(
                "cycle failed (%d in a row), retrying at %s: %s",
                status.consecutive_failures,
                _iso(self._due[name]),
                exc,
                extra={"pair": name},
            )
        else:
            status.consecutive_failures = 0
            status.last_outcome = str(getattr(result, "outcome", "ok"))
            status.counts = dict(getattr(result, "counts", {}) or {})
            status.open_conflicts = int(getattr(result, "open_conflicts", 0) or 0)
            errors = list(getattr(result, "all_errors", getattr(result, "errors", [])) or [])
            status.errors = [f"{_iso(self.clock())} {e}" for e in errors][-RECENT_ERRORS:]
            self._due[name] = next_run(self.schedule, started, self.rng)
            log.info(
                "cycle finished: %s %s, %d open conflict(s)",
                status.last_outcome,
                status.counts,
                status.open_conflicts,
                extra={"pair": name},
            )
        status.cycles += 1
        status.last_finished = _iso(self.clock())
        status.next_run = _iso(self._due[name])

    def _write_status(self) -> None:
        write_json_atomically(
            self.status_path,
            {
                "pid": os.getpid(),
                "state": self.state,
                "started_at": _iso(self.started),
                "updated_at": _iso(self.clock()),
                "lock": str(self.lock_path),
                "pairs": {name: asdict(s) for name, s in self.status.items()},
            },
        )


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, for log shippers (secrets are never logged anyway)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if hasattr(record, "pair"):
            entry["pair"] = record.pair
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    *, as_json: bool, level: int = logging.INFO, file: Path | None = None
) -> None:
    """Daemon logs to stderr, and to the configured log file when it can be written."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file is not None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.FileHandler(file, encoding="utf-8"))
        except OSError as exc:
            logging.getLogger("pmo_sync").warning("log file %s not writable: %s", file, exc)
    formatter: logging.Formatter = (
        JsonLogFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    root = logging.getLogger("pmo_sync")
    root.handlers.clear()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
