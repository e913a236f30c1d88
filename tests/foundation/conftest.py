"""Fixtures of the foundation suite: the shared real workbooks and the sandbox."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import SandboxServer, running_sandbox

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def need(path: Path, what: str) -> Path:
    """Skip when a prerequisite is absent on a user's clone; fail under CI."""
    if not path.exists():
        reason = f"{what} not found at {path}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required when CI is set)")
        pytest.skip(reason)
    return path


@pytest.fixture
def raid_log(tmp_path: Path) -> Path:
    source = need(SHARED / "fixtures" / "workbooks" / "raid_log.xlsx", "shared raid_log.xlsx")
    return Path(shutil.copy2(source, tmp_path / "raid_log.xlsx"))


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxServer]:
    with running_sandbox(mode="cloud", seed="demo") as server:
        yield server
