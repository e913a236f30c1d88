"""Test helpers for suites that use the sandbox: fixtures, a ``jira`` client, raw HTTP.

Use from any test suite, e.g. in a ``conftest.py``::

    from sandbox.testing import sandbox_cloud, sandbox_dc, make_jira  # noqa: F401

(or list ``"sandbox.testing"`` in the root conftest's ``pytest_plugins``). Only test code
imports this module, so the product never needs pytest at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from jira import JIRA

from sandbox.server import SandboxServer, running_sandbox


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
    """The Authorization header of the API user for this server's mode."""
    creds = server.credentials
    if server.mode == "cloud":
        req = requests.Request("GET", server.url, auth=(creds.email, creds.api_token)).prepare()
        return {"Authorization": req.headers["Authorization"]}
    return {"Authorization": f"Bearer {creds.token}"}


def call(
    server: SandboxServer,
    method: str,
    path: str,
    *,
    api: str = "3",
    auth: bool = True,
    **kwargs: Any,
) -> requests.Response:
    """A raw HTTP request to ``/rest/api/{api}/{path}`` (kwargs go to ``requests``)."""
    headers = {**(auth_headers(server) if auth else {}), **kwargs.pop("headers", {})}
    url = f"{server.url}/rest/api/{api}/{path}"
    kwargs.setdefault("timeout", 10)
    return requests.request(method, url, headers=headers, **kwargs)


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
    """A demo-seeded sandbox; the test runs once per deployment mode."""
    with running_sandbox(mode=request.param, seed="demo") as server:
        yield server


@pytest.fixture
def jira_for() -> Callable[..., JIRA]:
    """Build a ``jira.JIRA`` client for a server: ``jira_for(server)``."""
    return make_jira


@pytest.fixture
def api() -> Callable[..., requests.Response]:
    """Raw HTTP: ``api(server, "GET", "issue/ALPHA-1", api="2", params=...)``."""
    return call
