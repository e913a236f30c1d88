"""The sandbox's public surface is what its package exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import sandbox


def test_exports() -> None:
    for name in ("SandboxServer", "Faults", "running_sandbox", "main"):
        assert name in sandbox.__all__
        assert hasattr(sandbox, name)


def test_binds_loopback_only() -> None:
    with pytest.raises(ValueError):
        sandbox.SandboxServer(host="0.0.0.0")


def test_running_sandbox_starts_and_stops() -> None:
    import requests

    with sandbox.running_sandbox(mode="cloud") as server:
        assert server.url.startswith("http://127.0.0.1:")
        r = requests.get(f"{server.url}/rest/api/2/serverInfo", timeout=5)
        assert r.status_code == 200
        url = server.url
    try:
        requests.get(f"{url}/rest/api/2/serverInfo", timeout=1)
        stopped = False
    except requests.ConnectionError:
        stopped = True
    assert stopped


def test_missing_shared_skips_locally_and_fails_on_ci(
    shared: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        shared("no-such-file.json")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        shared("no-such-file.json")
