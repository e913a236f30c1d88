"""Fingerprint of a workbook file: detects that a person saved it after we read it.

Size and mtime are cheap but can lie (same-size saves, copied timestamps); the sha256
is the authority. The writer compares all three before replacing the file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fingerprint:
    """What the workbook file looked like when it was read."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of_bytes(cls, path: str | Path, data: bytes) -> Fingerprint:
        """Fingerprint of `data`, which are the bytes just read from `path`."""
        try:
            mtime_ns = os.stat(path).st_mtime_ns
        except OSError:
            mtime_ns = 0
        return cls(size=len(data), mtime_ns=mtime_ns, sha256=hashlib.sha256(data).hexdigest())

    @classmethod
    def of_file(cls, path: str | Path) -> Fingerprint:
        """Fingerprint of the file as it is on disk now."""
        return cls.of_bytes(path, Path(path).read_bytes())

    def matches(self, other: Fingerprint) -> bool:
        """Same content; mtime is compared too so a touch-only save is still noticed."""
        return (
            self.size == other.size
            and self.sha256 == other.sha256
            and self.mtime_ns == other.mtime_ns
        )
