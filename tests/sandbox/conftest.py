"""Fixtures for the sandbox's own tests: running servers, jira clients, raw HTTP, ../shared."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.testing import (  # noqa: F401  (fixtures, registered by name)
    api,
    jira_for,
    make_jira,
    sandbox_any,
    sandbox_cloud,
    sandbox_dc,
)

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


@pytest.fixture(scope="session")
def shared() -> Callable[..., Path]:
    """Locate a file under ../shared: ``shared("reference", "jira", "x.json")``."""
    return shared_path
