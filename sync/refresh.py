"""Sync one workbook now: what the add-in's Refresh button runs inside Excel.

It finds the configuration whose pair syncs this workbook (PMO_SYNC_CONFIG, else a
``pmo-sync.toml`` next to the workbook or in the working directory), runs one cycle of
that pair, and says in two lines what changed and what is left. A workbook open in
Excel is written through Excel itself (the connector's live writer), so nobody has to
close it or wait for the next scheduled cycle.
"""

from __future__ import annotations

import os
from pathlib import Path

from mappings.config import Config, load_config
from sync.errors import SyncError
from sync.outcome import CycleResult
from sync.runner import Runner


def find_config(workbook: Path) -> Config:
    candidates = []
    if os.environ.get("PMO_SYNC_CONFIG"):
        candidates.append(Path(os.environ["PMO_SYNC_CONFIG"]))
    candidates += [workbook.parent / "pmo-sync.toml", Path.cwd() / "pmo-sync.toml"]
    for candidate in candidates:
        if candidate.exists():
            return load_config(candidate)
    raise SyncError(
        f"no pmo-sync configuration for {workbook.name}: set PMO_SYNC_CONFIG or put "
        f"pmo-sync.toml next to the workbook"
    )


def describe(result: CycleResult) -> str:
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(result.counts.items()))
    lines = [f"pmo-sync: {counts or 'nothing to change'}; {result.open_conflicts} open conflict(s)"]
    if result.open_conflicts:
        lines.append("See the 'Sync Conflicts' sheet: type jira, excel or a value to resolve.")
    lines += [f"Error: {e}" for e in result.all_errors[:5]]
    return "\n".join(lines)


def refresh_open_workbook(path: Path, config: Config | None = None) -> str:
    """One cycle for the pair that syncs ``path``; a short report for a person."""
    config = config or find_config(path)
    target = Path(path).resolve()
    pair = next((p for p in config.pairs if config.resolve(p.workbook).resolve() == target), None)
    if pair is None:
        raise SyncError(f"no pair in the configuration syncs {target}")
    runner = Runner(config)
    try:
        return describe(runner.run_pair(pair))
    finally:
        runner.close()
