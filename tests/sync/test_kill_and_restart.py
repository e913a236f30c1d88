"""A `pmo-sync sync` process killed with SIGKILL mid-cycle, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from sandbox import running_sandbox


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_cycle_then_restart_finishes_the_work(tmp_path, world_factory):
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server)
        assert world.cycle().outcome == "ok"
        risks = [r.record for r in world.rows("risk").rows]
        for n, risk in enumerate(risks):
            world.edit_row("risk", risk.key, mitigation=f"plan {n}")
        world.runner.close()
        server.faults.latency(400, method="PUT")
        env = {**os.environ, "PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or ""}
        before = len(server.request_log)
        process = subprocess.Popen(
            [sys.executable, "-m", "pmo_sync", "sync", "--config", str(tmp_path / "pmo-sync.toml")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not any(r.method == "PUT" for r in server.request_log[before:]):
            assert time.monotonic() < deadline, "the cycle never reached its Jira writes"
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.02)
        time.sleep(0.5)  # one or two edits landed, the rest not yet
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        server.faults.clear()
        landed = sum(r.method == "PUT" for r in server.request_log[before:])
        assert 1 <= landed < len(risks)

        restarted = world_factory(tmp_path, server, keep_workbook=True)
        result = restarted.cycle()
        assert result.outcome == "ok", result.all_errors
        for n, risk in enumerate(risks):
            assert restarted.jira("risk", risk.key).mitigation == f"plan {n}"
            assert restarted.row("risk", risk.key).record.mitigation == f"plan {n}"
        assert restarted.cycle().counts == {}
        (killed, *_) = [c for c in restarted.store.cycles("alpha") if c.outcome == "running"]
        assert killed.finished_at is None  # the killed cycle shows as such in the history
        restarted.runner.close()
