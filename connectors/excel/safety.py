"""Replace a workbook safely: lock detection, fingerprint re-check, backup, atomic swap.

A person may have the workbook open or may save it while pmo-sync works. So the new
file is written beside the old one, flushed to disk, the old file is checked against
the fingerprint taken when it was read, a backup copy is kept, and only then is the new
file moved over the old one in one atomic rename. Any failure leaves the original.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from pathlib import Path

from .errors import WorkbookChanged, WorkbookLocked
from .fingerprint import Fingerprint

BACKUP_DIRNAME = ".pmo-sync/backups"


def owner_files(path: Path) -> list[Path]:
    """Lock files an office application creates beside an open workbook."""
    name = path.name
    candidates = [
        path.with_name("~$" + name),  # Excel, short names
        path.with_name("~$" + name[2:]),  # Excel replaces the first two characters
        path.with_name(".~lock." + name + "#"),  # LibreOffice
    ]
    return [c for c in dict.fromkeys(candidates) if c.exists()]


def check_not_open(path: Path) -> None:
    found = owner_files(path)
    if found:
        raise WorkbookLocked(
            f"{path}: the workbook is open in a spreadsheet application (lock file "
            f"{found[0].name} exists), so it was not overwritten. Close it and sync again "
            "(or let pmo-sync write through the running Excel on Windows/macOS).",
            path=path,
        )


def check_unchanged(path: Path, expected: Fingerprint) -> Fingerprint:
    """The current fingerprint; WorkbookChanged if it differs from `expected`."""
    try:
        current = Fingerprint.of_file(path)
    except FileNotFoundError as exc:
        raise WorkbookChanged(
            f"{path}: the workbook was moved or deleted since pmo-sync read it; nothing was "
            "written. Check the file and sync again.",
            path=path,
        ) from exc
    if not current.matches(expected):
        raise WorkbookChanged(
            f"{path}: the workbook was saved by someone else after pmo-sync read it; nothing "
            "was written, to avoid overwriting their changes. Sync again to pick them up.",
            path=path,
        )
    return current


def default_backup_dir(path: Path) -> Path:
    return path.parent / BACKUP_DIRNAME


def make_backup(path: Path, backup_dir: Path, keep: int) -> Path | None:
    """Copy `path` into backup_dir with a timestamp; keep the newest `keep` copies."""
    if keep <= 0:
        return None
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    backups = sorted(backup_dir.glob(f"{_glob_escape(path.stem)}.*{path.suffix}"))
    backups = [b for b in backups if _is_backup_of(b, path)]
    for old in backups[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def _is_backup_of(candidate: Path, path: Path) -> bool:
    middle = candidate.name[len(path.stem) + 1 : len(candidate.name) - len(path.suffix)]
    return len(middle) == 22 and middle.endswith("Z") and middle[8] == "T"


def write_temp(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file in path's folder and fsync it."""
    tmp = path.with_name(f".{path.name}.pmo-sync-{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def replace_atomically(tmp: Path, path: Path) -> None:
    """Move tmp over path; a sharing violation means the file is open in Excel."""
    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WorkbookLocked(
            f"{path}: the workbook could not be replaced ({exc}); it is probably open in "
            "Excel. Close it and sync again.",
            path=path,
        ) from exc
    if hasattr(os, "O_DIRECTORY"):
        try:
            fd = os.open(path.parent, os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
