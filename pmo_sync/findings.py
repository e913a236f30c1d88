"""One line of `pmo-sync check`'s report, shared by the check modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class Finding:
    """One line of the check report."""

    level: Level
    subject: str
    message: str


__all__ = ["Finding", "Level"]
