"""Fixtures of the foundation suite: the shared real workbooks and the sandbox."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import SandboxServer, running_sandbox


@pytest.fixture
def raid_log(tmp_path: Path, real_raid_log: Path) -> Path:
    """A private copy of the shared real RAID log (tests never write the shared one)."""
    return Path(shutil.copy2(real_raid_log, tmp_path / "raid_log.xlsx"))


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxServer]:
    with running_sandbox(mode="cloud", seed="demo") as server:
        yield server
