"""Fixtures shared by the report tests."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def local_zone() -> Iterator[Any]:
    """``local_zone("EST5EDT,M3.2.0,M11.1.0")``: the computer's own time zone (TZ) for
    the test, restored afterwards."""
    before = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()
