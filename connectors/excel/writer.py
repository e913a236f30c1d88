"""apply_patch: write a WorkbookPatch into a workbook file, surgically and safely.

The package is rebuilt with every untouched zip entry copied byte for byte; only the
parts the planner changed are re-compressed. If the workbook is open in Excel, the
same changes go to the running Excel through the live writer instead (Windows/macOS).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import ExcelError, LiveExcelUnavailable, WorkbookChanged, WorkbookLocked
from .fingerprint import Fingerprint
from .live import LiveWriter, default_live_writer, unavailable_reason
from .package import Package
from .patch import PatchResult, WorkbookPatch
from .planner import plan_patch
from .safety import (
    check_not_open,
    check_unchanged,
    default_backup_dir,
    make_backup,
    replace_atomically,
    write_temp,
)
from .zipcopy import rewrite_package


def render_patch(path: str | Path, patch: WorkbookPatch, data: bytes) -> tuple[bytes, PatchResult]:
    """New package bytes for `patch` applied to `data` (the file's bytes); no I/O."""
    pkg = Package(path, data)
    plan = plan_patch(pkg, patch)
    assert plan.result is not None
    if not plan.replace and not plan.remove:
        return data, plan.result
    new = rewrite_package(
        zipfile.ZipFile(io.BytesIO(data)), replace=plan.replace, remove=plan.remove
    )
    return new, plan.result


def apply_patch(
    path: str | Path,
    patch: WorkbookPatch,
    *,
    expected: Fingerprint,
    backup_dir: str | Path | None = None,
    keep_backups: int = 10,
    live: LiveWriter | bool | None = True,
) -> PatchResult:
    """Apply `patch` to the workbook at `path`, read earlier with fingerprint `expected`.

    Nothing is written when the values are already there (no new file, no backup).
    WorkbookChanged when the file changed since it was read; WorkbookLocked when it is
    open in Excel and no live Excel could take the changes (`live=False` disables the
    live path; a LiveWriter instance can be passed, e.g. a fake in tests).
    """
    path = Path(path)
    try:
        check_not_open(path)
    except WorkbookLocked as locked:
        return _write_live(path, patch, expected, live, locked)
    data = path.read_bytes()
    if not Fingerprint.of_bytes(path, data).matches(expected):
        raise WorkbookChanged(
            f"{path}: the workbook was saved by someone else after pmo-sync read it; nothing "
            "was written, to avoid overwriting their changes. Sync again to pick them up.",
            path=path,
        )
    new, result = render_patch(path, patch, data)
    if new is data:
        return result
    try:
        result.backup_path = commit_bytes(
            path, new, expected=expected, backup_dir=backup_dir, keep_backups=keep_backups
        )
    except WorkbookLocked as locked:
        return _write_live(path, patch, expected, live, locked)
    result.wrote = True
    result.bytes_written = len(new)
    return result


def commit_bytes(
    path: Path,
    new: bytes,
    *,
    expected: Fingerprint,
    backup_dir: str | Path | None,
    keep_backups: int,
) -> Path | None:
    """Replace `path` by `new` safely; returns the backup path.

    Temp file beside the workbook (fsynced), fingerprint and lock re-checked, backup
    copied, then one atomic rename. On any failure the original file is left as it was.
    """
    try:
        tmp = write_temp(path, new)
    except OSError as exc:
        raise ExcelError(
            f"{path}: cannot write a new version next to the workbook ({exc}); nothing was "
            "changed. Check that the folder is writable and the disk is not full.",
            path=path,
        ) from exc
    try:
        shutil.copymode(path, tmp)  # keep the workbook's permissions
        # Two pmo-sync processes must not interleave check-then-replace on one workbook.
        with _process_lock(path):
            check_unchanged(path, expected)
            check_not_open(path)
            folder = Path(backup_dir) if backup_dir is not None else default_backup_dir(path)
            backup = make_backup(path, folder, keep_backups)
            replace_atomically(tmp, path)
    except Timeout as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbookLocked(
            f"{path}: another pmo-sync process has been writing this workbook for over a "
            "minute; nothing was written. Check for a stuck sync and try again.",
            path=path,
        ) from exc
    except (ExcelError, KeyboardInterrupt, SystemExit):
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExcelError(
            f"{path}: writing the new version failed ({exc}); the workbook was left as it "
            "was. Check the folder's permissions and free space, then sync again.",
            path=path,
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return backup


def _process_lock(path: Path) -> FileLock:
    folder = path.parent / ".pmo-sync"
    folder.mkdir(exist_ok=True)
    return FileLock(str(folder / f"{path.name}.lock"), timeout=60)


def _write_live(
    path: Path,
    patch: WorkbookPatch,
    expected: Fingerprint,
    live: LiveWriter | bool | None,
    locked: WorkbookLocked,
) -> PatchResult:
    writer = default_live_writer() if live is True else (live or None)
    if writer is None:
        reason = unavailable_reason() if live is True else "the live Excel path is disabled"
        raise WorkbookLocked(f"{locked} ({reason})", path=path) from locked
    try:
        result = writer.write(path, patch, expected=expected)
    except LiveExcelUnavailable as exc:
        raise WorkbookLocked(f"{locked} ({exc})", path=path) from exc
    result.notes.insert(0, str(locked))
    return result
