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


def _login(server: SandboxServer, user: str, password: bool) -> tuple[str | None, str | None]:
    """(login, secret) for Basic auth, or (None, PAT) for Bearer, for ``user``."""
    if user not in ("api", "viewer"):
        raise ValueError(f"user must be 'api' or 'viewer', not {user!r}")
    c = server.credentials
    viewer = user == "viewer"
    if server.mode == "cloud":
        return (c.viewer_email, c.viewer_api_token) if viewer else (c.email, c.api_token)
    if password:
        return (c.viewer_username, c.viewer_password) if viewer else (c.username, c.password)
    return None, c.viewer_token if viewer else c.token


def make_jira(
    server: SandboxServer, *, user: str = "api", password: bool = False, **kwargs: Any
) -> JIRA:
    """A real ``jira.JIRA`` client for ``server``, logged in as the API user.

    ``user="viewer"`` logs in the read-only user instead (browse only: writes are refused as
    Jira refuses them); ``password=True`` uses Data Center's Basic username + password
    instead of the PAT. Retries are off (``max_retries=0``) so tests see raw faults instead
    of the client's own retry loop, and the PyPI update check is off so tests stay offline.
    """
    options = {"check_update": False, **kwargs.pop("options", {})}
    login, secret = _login(server, user, password)
    kwargs.setdefault("max_retries", 0)
    if login is not None:
        return JIRA(server.url, basic_auth=(login, secret), options=options, **kwargs)
    return JIRA(server.url, token_auth=secret, options=options, **kwargs)


def auth_headers(
    server: SandboxServer, user: str = "api", *, password: bool = False
) -> dict[str, str]:
    """The Authorization header of the API user (or ``"viewer"``) for this server's mode."""
    login, secret = _login(server, user, password)
    if login is not None:
        req = requests.Request("GET", server.url, auth=(login, secret or "")).prepare()
        return {"Authorization": req.headers["Authorization"]}
    return {"Authorization": f"Bearer {secret}"}


def call(
    server: SandboxServer,
    method: str,
    path: str,
    *,
    api: str = "3",
    auth: bool = True,
    user: str = "api",
    **kwargs: Any,
) -> requests.Response:
    """A raw HTTP request to ``/rest/api/{api}/{path}`` (kwargs go to ``requests``);
    ``user="viewer"`` sends it as the read-only user."""
    headers = {**(auth_headers(server, user) if auth else {}), **kwargs.pop("headers", {})}
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
