"""The daemon's scheduling loop, with a fake cycle and a fake clock, and for real."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from filelock import FileLock

from mappings.config import Schedule
from mappings.errors import ConfigError
from sandbox import running_sandbox
from sync.daemon import Daemon, DaemonLocked, JsonLogFormatter
from sync.schedule import backoff_seconds, next_run
from sync.status import read_status

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


class FakeClock:
    """Time that moves only when the daemon waits."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class FakeStop(threading.Event):
    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0)
        self.clock.now += timedelta(seconds=timeout or 0)
        return self.is_set()


def ok(name, stop):
    return SimpleNamespace(outcome="ok", counts={"excel_write": 1}, open_conflicts=0, all_errors=[])


def test_interval_and_cron_schedules_and_jitter_bounds():
    rng = random.Random(7)
    every = Schedule(interval="15m", jitter_seconds=0)
    assert next_run(every, T0) == T0 + timedelta(minutes=15)
    jittered = Schedule(interval="15m", jitter_seconds=30)
    for _ in range(50):
        delay = (next_run(jittered, T0, rng) - T0).total_seconds()
        assert 900 <= delay <= 930
    cron = Schedule(interval=None, cron="0 7 * * 1-5", jitter_seconds=0)
    friday_noon = datetime(2026, 11, 27, 12, 0).astimezone()
    monday = next_run(cron, friday_noon)
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 7, 0)
    with pytest.raises(ValueError, match="timezone"):
        next_run(every, datetime(2026, 1, 1))


def test_a_bad_cron_is_refused_before_starting(tmp_path):
    with pytest.raises(ValueError, match="not a valid cron"):
        Schedule(cron="61 * * * *")  # refused when the configuration loads
    for unchecked in (
        Schedule.model_construct(cron="61 * * * *"),  # built without validation
        Schedule.model_construct(interval="0s"),
    ):
        with pytest.raises(ConfigError, match=r"not a valid cron|at least 1s"):
            Daemon(
                ["a"],
                ok,
                schedule=unchecked,
                lock_path=tmp_path / "l",
                status_path=tmp_path / "s",
            )


def test_backoff_doubles_and_is_capped():
    assert [backoff_seconds(n, 30, 200) for n in range(6)] == [0, 30, 60, 120, 200, 200]


def test_a_failing_pair_backs_off_while_the_other_keeps_its_schedule(tmp_path):
    clock = FakeClock()
    stop = FakeStop(clock)
    calls: list[tuple[str, datetime]] = []

    def cycle(name, _stop):
        calls.append((name, clock()))
        if name == "broken":
            raise OSError("workbook is locked by another program")
        return ok(name, _stop)

    daemon = Daemon(
        ["broken", "good"],
        cycle,
        schedule=Schedule(interval="1m", jitter_seconds=0),
        lock_path=tmp_path / "daemon.lock",
        status_path=tmp_path / "status.json",
        stop=stop,
        clock=clock,
        backoff_base=120,
        max_backoff=480,
        max_cycles=40,
    )
    assert daemon.run() == 1  # stopped by --max-cycles after "broken" failed again
    good = [t for n, t in calls if n == "good"]
    broken = [t for n, t in calls if n == "broken"]
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(good)][:3] == [60] * 3
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(broken)]
    assert gaps[:3] == [120, 240, 480]  # doubling, then capped
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["state"] == "stopped"
    assert status["pairs"]["broken"]["consecutive_failures"] == len(broken)
    assert "locked" in status["pairs"]["broken"]["errors"][-1]
    assert status["pairs"]["good"]["last_outcome"] == "ok"


def test_only_one_daemon_per_state_store(tmp_path):
    lock = FileLock(tmp_path / "daemon.lock")
    with lock:
        daemon = Daemon(
            ["a"],
            ok,
            schedule=Schedule(interval="1m"),
            lock_path=tmp_path / "daemon.lock",
            status_path=tmp_path / "s.json",
        )
        with pytest.raises(DaemonLocked, match="another pmo-sync daemon is running"):
            daemon.run()


def test_stop_during_a_cycle_ends_the_loop_after_it(tmp_path):
    stop = threading.Event()
    seen = []

    def cycle(name, event):
        seen.append(name)
        event.set()  # as if SIGTERM arrived during this cycle
        return ok(name, event)

    Daemon(
        ["a", "b"],
        cycle,
        schedule=Schedule(interval="1m"),
        lock_path=tmp_path / "l",
        status_path=tmp_path / "s.json",
        stop=stop,
    ).run()
    assert seen == ["a"]
    assert FileLock(tmp_path / "l", timeout=0).acquire()  # released


def test_status_file_missing_corrupt_and_dead_process(tmp_path):
    from sync.errors import SyncError

    with pytest.raises(SyncError, match="has not run"):
        read_status(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SyncError, match="not a readable"):
        read_status(tmp_path / "bad.json")
    (tmp_path / "dead.json").write_text(json.dumps({"pid": 2**22 + 12345, "state": "idle"}))
    assert read_status(tmp_path / "dead.json")["state"].startswith("not running")


def test_json_logs_are_one_object_per_line():
    import logging

    record = logging.LogRecord("pmo_sync.daemon", logging.INFO, "", 0, "cycle %s", ("ok",), None)
    record.pair = "alpha"
    line = json.loads(JsonLogFormatter().format(record))
    assert line["message"] == "cycle ok" and line["pair"] == "alpha" and line["level"] == "info"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics are POSIX")
def test_daemon_runs_cycles_against_the_sandbox_then_stops_on_sigterm(tmp_path, world_factory):
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server)
        world.runner.close()
        config = tmp_path / "pmo-sync.toml"
        config.write_text(
            config.read_text().replace(
                "[sync]\n", '[sync]\nschedule = { interval = "1s", jitter_seconds = 0 }\n'
            )
        )
        env = {**os.environ, "PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or ""}
        process = subprocess.Popen(
            [sys.executable, "-m", "pmo_sync", "daemon", "--config", str(config), "--json-logs"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        status_file = tmp_path / ".pmo-sync" / "daemon-status.json"
        deadline = time.monotonic() + 60
        risk_key = None
        while True:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the daemon did not run 3 cycles"
            try:
                status = json.loads(status_file.read_text())
            except (OSError, ValueError):
                status = {"pairs": {}}
            cycles = status["pairs"].get("alpha", {}).get("cycles", 0)
            if cycles >= 1 and risk_key is None:
                risk_key = world.rows("risk").rows[0].record.key
                server.store.human_edit(risk_key, {"Mitigation": "edited while the daemon runs"})
            if cycles >= 3:
                break
            time.sleep(0.1)
        second = subprocess.run(
            [sys.executable, "-m", "pmo_sync", "daemon", "--config", str(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 2 and "another pmo-sync daemon" in second.stderr
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        status = read_status(status_file)
        assert status["state"] == "stopped"
        assert status["pairs"]["alpha"]["last_outcome"] == "ok"
        assert FileLock(tmp_path / ".pmo-sync" / "daemon.lock", timeout=0).acquire()
        assert world.row("risk", risk_key).record.mitigation == "edited while the daemon runs"
        logged = [
            json.loads(line) for line in process.stderr.read().splitlines() if line.startswith("{")
        ]
        assert any(e["message"].startswith("cycle finished") for e in logged)
        shown = subprocess.run(
            [sys.executable, "-m", "pmo_sync", "status", "--config", str(config)],
            env={**env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert shown.returncode == 0 and "stopped" in shown.stdout and "alpha" in shown.stdout


def _one_shot(tmp_path, cycle, pairs=("a",), max_cycles=1):
    clock = FakeClock()
    return Daemon(
        list(pairs),
        cycle,
        schedule=Schedule(interval="1m", jitter_seconds=0),
        lock_path=tmp_path / "daemon.lock",
        status_path=tmp_path / "status.json",
        stop=FakeStop(clock),
        clock=clock,
        max_cycles=max_cycles,
    )


def _outcome(name):
    def cycle(pair, _stop):
        return SimpleNamespace(outcome=name, counts={}, open_conflicts=0, all_errors=[])

    return cycle


def _raises(pair, _stop):
    raise OSError("workbook is locked by another program")


@pytest.mark.parametrize(
    ("cycle", "code"),
    [(_outcome("conflicts"), 1), (_outcome("errors"), 1), (_raises, 1)],
    ids=["conflicts", "errors", "failed"],
)
def test_max_cycles_exits_like_sync_with_the_last_cycle_of_each_pair(tmp_path, cycle, code):
    assert _one_shot(tmp_path, cycle).run() == code


def test_the_exit_code_looks_at_the_last_cycle_of_every_pair(tmp_path):
    seen: list[str] = []

    def flaky(name, stop):
        seen.append(name)
        if name == "b" and seen.count("b") == 1:
            raise OSError("Jira is down")
        return ok(name, stop)

    # a ok, b failed: 1; then b's retry comes after a's next cycle, so 4 cycles end on
    # a ok, b ok: 0 (only the last cycle of each pair counts, not the history).
    assert _one_shot(tmp_path, flaky, pairs=("a", "b"), max_cycles=2).run() == 1
    seen.clear()
    assert _one_shot(tmp_path, flaky, pairs=("a", "b"), max_cycles=4).run() == 0
    assert seen.count("b") == 2


def test_a_daemon_stopped_by_a_signal_exits_0_even_after_a_failed_cycle(tmp_path):
    assert _one_shot(tmp_path, _raises, max_cycles=1).run() == 1  # stopped by the limit
    daemon: Daemon

    def failing_then_signalled(name, stop):
        daemon._on_signal(signal.SIGTERM, None)  # SIGTERM arrives during the cycle
        raise OSError("workbook is locked by another program")

    daemon = _one_shot(tmp_path, failing_then_signalled, max_cycles=1)
    assert daemon.run() == 0


def test_daemon_max_cycles_exit_code_from_the_command_line(tmp_path, world_factory):
    """`pmo-sync daemon --max-cycles 1` against the sandbox: 0 after a clean cycle, 1
    when the cycle of a pair failed (here: a pair naming an entity its mapping lacks)."""
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server)
        world.runner.close()
        config = tmp_path / "pmo-sync.toml"
        env = {**os.environ, "PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or ""}

        command = [sys.executable, "-m", "pmo_sync", "daemon", "--config", str(config)]

        def daemon_once() -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*command, "--max-cycles", "1"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        clean = daemon_once()
        assert clean.returncode == 0, clean.stderr
        assert "cycle finished: ok" in clean.stderr
        config.write_text(config.read_text() + 'entities = ["risk", "unicorn"]\n')
        failed = daemon_once()
        assert failed.returncode == 1, failed.stderr
        assert "'unicorn' not in mapping raid_log; its entities: risk" in failed.stderr
        assert "Traceback" not in failed.stderr
        status = read_status(tmp_path / ".pmo-sync" / "daemon-status.json")
        assert status["pairs"]["alpha"]["last_outcome"] == "failed"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [('interval = "0s"', "at least 1s"), ('cron = "61 * * * *"', "not a valid cron")],
)
def test_the_daemon_refuses_an_unrunnable_schedule_with_exit_2(tmp_path, line, fragment):
    config = tmp_path / "pmo-sync.toml"
    config.write_text(
        '[jira]\nurl = "http://127.0.0.1:9"\n\n[sync.schedule]\n'
        f'{line}\n\n[[pair]]\nname = "alpha"\nworkbook = "raid.xlsx"\nprojects = ["ALPHA"]\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "pmo_sync", "daemon", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and fragment in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / ".pmo-sync").exists()  # refused before opening anything
