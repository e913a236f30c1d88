"""The command line: starts fast with the demo seed, prints URL and credentials, stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sandbox.cli import build_parser

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str], float]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if "press Ctrl+C" in line:
            break
    return proc, lines, time.perf_counter() - started


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    return proc.returncode, out


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_cli_starts_with_demo_seed_quickly(mode: str, tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "state.json"
    proc, lines, elapsed = _start(
        "--port", str(port), "--mode", mode, "--seed", "demo", "--data", str(data)
    )
    try:
        text = "\n".join(lines)
        assert f"http://127.0.0.1:{port}" in text
        assert elapsed < 2.0, f"startup took {elapsed:.2f}s"
        if mode == "cloud":
            assert "email: pmo-bot@example.com" in text and "api token: sandbox-token" in text
            auth = {"auth": ("pmo-bot@example.com", "sandbox-token")}
        else:
            assert "token: sandbox-pat" in text
            auth = {"headers": {"Authorization": "Bearer sandbox-pat"}}
        r = requests.get(f"http://127.0.0.1:{port}/rest/api/2/issue/ALPHA-1", timeout=5, **auth)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
        assert r.json()["key"] == "ALPHA-1"
        r = requests.put(
            f"http://127.0.0.1:{port}/rest/api/2/issue/ALPHA-1",
            timeout=5,
            json={"fields": {"summary": "persisted"}},
            **auth,
        )
        assert r.status_code == 204
    finally:
        code, _ = _stop(proc)
    assert code == 0
    saved = json.loads(data.read_text())
    assert any(i["fields"]["summary"] == "persisted" for i in saved["issues"])


def test_cli_faults_and_bad_arguments() -> None:
    port = _free_port()
    proc, _lines, _ = _start(
        "--port", str(port), "--seed", "none", "--fault", "503:count=1", "--latency-ms", "10"
    )
    try:
        url = f"http://127.0.0.1:{port}/rest/api/2/serverInfo"
        assert requests.get(url, timeout=5).status_code == 503
        assert requests.get(url, timeout=5).status_code == 200
    finally:
        _stop(proc)
    bad = subprocess.run(
        [sys.executable, "-m", "sandbox", "--fault", "nonsense", "--port", "0"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert bad.returncode == 2 and "unknown fault" in bad.stderr


def test_parser_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.port, args.mode, args.seed, args.search_lag) == (8080, "cloud", "demo", 0.0)
