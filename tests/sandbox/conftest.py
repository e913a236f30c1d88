"""Fixtures for the sandbox's own tests: running servers, jira clients, raw HTTP, ../shared."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from jira import JIRA

from sandbox import SandboxServer, running_sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skip when absent locally, fail when ``CI`` is set."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is absent: ../shared must sit next to the repository"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def make_jira(server: SandboxServer, **kwargs: Any) -> JIRA:
    """A real ``jira.JIRA`` client for ``server``, logged in as the API user.

    Retries are off (``max_retries=0``) so tests see raw faults instead of the client's own
    retry loop, and the PyPI update check is off so tests stay offline.
    """
    options = {"check_update": False, **kwargs.pop("options", {})}
    creds = server.credentials
    kwargs.setdefault("max_retries", 0)
    if server.mode == "cloud":
        return JIRA(
            server.url, basic_auth=(creds.email, creds.api_token), options=options, **kwargs
        )
    return JIRA(server.url, token_auth=creds.token, options=options, **kwargs)


def auth_headers(server: SandboxServer) -> dict[str, str]:
    """Authorization header for the API user, as ``requests`` would send it."""
    creds = server.credentials
    if server.mode == "cloud":
        req = requests.Request("GET", server.url, auth=(creds.email, creds.api_token)).prepare()
        return {"Authorization": req.headers["Authorization"]}
    return {"Authorization": f"Bearer {creds.token}"}


Call = Callable[..., requests.Response]


def call(
    server: SandboxServer,
    method: str,
    path: str,
    *,
    api: str = "3",
    auth: bool = True,
    **kwargs: Any,
) -> requests.Response:
    """A raw HTTP request to ``/rest/api/{api}/{path}``."""
    headers = {**(auth_headers(server) if auth else {}), **kwargs.pop("headers", {})}
    url = f"{server.url}/rest/api/{api}/{path}"
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


@pytest.fixture
def sandbox_cloud() -> Iterator[SandboxServer]:
    """A demo-seeded Cloud sandbox, fresh for each test."""
    with running_sandbox(mode="cloud", seed="demo") as server:
        yield server


@pytest.fixture
def sandbox_dc() -> Iterator[SandboxServer]:
    """A demo-seeded Data Center sandbox, fresh for each test."""
    with running_sandbox(mode="datacenter", seed="demo") as server:
        yield server


@pytest.fixture(params=["cloud", "datacenter"])
def sandbox_any(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """Each test runs once per deployment mode."""
    with running_sandbox(mode=request.param, seed="demo") as server:
        yield server


@pytest.fixture
def jira_for() -> Callable[..., JIRA]:
    """Build a ``jira.JIRA`` client for a server: ``jira_for(server)``."""
    return make_jira


@pytest.fixture
def api() -> Call:
    """Raw HTTP: ``api(server, "GET", "issue/ALPHA-1", api="2", params=...)``."""
    return call


@pytest.fixture(scope="session")
def shared() -> Callable[..., Path]:
    """Locate a file under ../shared: ``shared("reference", "jira", "x.json")``."""
    return shared_path
