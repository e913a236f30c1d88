"""`pmo-sync status`: what the daemon last did, read from its status file and the store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rich.table import Table

from sync.errors import SyncError


def status_path_for(state_store: Path) -> Path:
    return state_store.with_name("daemon-status.json")


def lock_path_for(state_store: Path) -> Path:
    return state_store.with_name("daemon.lock")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that pid: assume alive
        return True
    except OSError:
        return False
    return True


def read_status(path: Path) -> dict[str, Any]:
    """The daemon's status, with 'state' corrected when its process is gone."""
    try:
        status = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SyncError(
            f"no daemon status at {path}: the daemon has not run for this state store "
            "(start it with `pmo-sync daemon`)"
        ) from None
    except (OSError, ValueError) as exc:
        raise SyncError(f"{path} is not a readable daemon status ({exc})") from None
    if status.get("state") != "stopped" and not _alive(int(status.get("pid", 0) or 0)):
        status["state"] = "not running (the process ended without stopping cleanly)"
    return status


def status_table(status: dict[str, Any]) -> Table:
    table = Table(
        "pair",
        "last cycle",
        "outcome",
        "changes",
        "open conflicts",
        "failures in a row",
        "next cycle",
        title=f"daemon {status.get('state')} (pid {status.get('pid')}, since "
        f"{status.get('started_at')})",
    )
    for name, pair in sorted(status.get("pairs", {}).items()):
        counts = ", ".join(f"{k} {v}" for k, v in sorted((pair.get("counts") or {}).items()))
        table.add_row(
            name,
            str(pair.get("last_finished") or "-"),
            str(pair.get("last_outcome") or "-"),
            counts or "none",
            str(pair.get("open_conflicts", 0)),
            str(pair.get("consecutive_failures", 0)),
            str(pair.get("next_run") or "-"),
        )
    return table
