"""The "Resource Load" sheet: the load beside the plan, inside the resource workbook.

Written after every cycle when ``[sync] resource_load_sheet = true``, into the workbook
of each pair whose mapping has resources (``builtin:resource_plan``), so a resource
manager sees, next to the Resources and Allocations sheets they keep, each person's
utilisation for the next ``WEEKS_SHOWN`` weeks and who is over-allocated by which items.
The figures are the report's Resources sheet's (``report.resources_sheet.resources_of``),
as of the day of the cycle.

The sheet is owned by pmo-sync and replaced whole through the lossless writer's
owned-sheet replacement: every other sheet of the workbook stays byte for byte as it
was, text is literal, and nothing is written when the sheet would not change (a quiet
cycle leaves the workbook alone until the figures move, at the latest when a new week
starts).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from connectors.excel import refresh_owned_sheet
from report.resources_sheet import MAX_DRIVERS, Resources, heat_people, resources_of

log = logging.getLogger("pmo_sync.resources")

SHEET = "Resource Load"
NO_CAPACITY = "-"
OVER_HEADER = ["Over-allocated", "Week of", "Utilisation %", "Demand h", "Driving items"]


def header(data: Resources) -> list[str]:
    return ["Person", "Capacity h/week", *(f"Week of {w.isoformat()}" for w in data.weeks)]


def load_rows(data: Resources) -> list[list[Any]]:
    """Under the header: one row per person (utilisation in percent, one decimal; a dash
    where there is no capacity), a blank row, then the over-allocated weeks."""
    rows: list[list[Any]] = []
    for pid in heat_people(data):
        person = data.load.people.get(pid)
        cells = []
        for week in data.weeks:
            u = data.load.util.get((pid, week))
            cells.append(NO_CAPACITY if u is None else round(u * 100, 1))
        plan = data.plan.get(pid)
        weekly = person.capacity_hours_per_week if person else NO_CAPACITY
        rows.append([str(plan.get("key")) if plan else pid, weekly, *cells])
    rows.append([])
    rows.append(list(OVER_HEADER))
    shown = set(data.weeks)
    over = sorted((pid, week, u) for (pid, week), u in data.load.util.items()
                  if week in shown and u is not None and u > data.threshold)  # fmt: skip
    for pid, week, u in over:
        drivers = data.load.drivers(pid, [week])
        text = "; ".join(f"{w.key} {h:.1f} h" for w, h in drivers[:MAX_DRIVERS])
        if len(drivers) > MAX_DRIVERS:
            text += f"; and {len(drivers) - MAX_DRIVERS} more"
        label = str(data.plan[pid].get("key")) if pid in data.plan else pid
        rows.append([label, week, round(u * 100, 1),
                     round(data.load.demand.hours.get((pid, week), 0.0), 1), text])  # fmt: skip
    if not over:
        rows.append(["Nobody is over-allocated in these weeks."])
    return rows


def write_resource_load(workbook: Path, data: Resources, keep_backups: int) -> int:
    """Create or replace the sheet; bytes written (0 when nothing changed).

    Raises what the owned-sheet writer raises, and writes nothing then: WorkbookLocked
    (open in a spreadsheet application, unless the sheet already shows this),
    WorkbookChanged, SheetNotOwned (a person's sheet of that name), OSError."""
    return refresh_owned_sheet(
        workbook, SHEET, header(data), load_rows(data), keep_backups=keep_backups
    )


def refresh_resource_load(
    loaded: Any, store: Any, today: date | None = None, threshold: float = 1.0
) -> dict[str, int]:
    """After a cycle, with ``[sync] resource_load_sheet``: the sheet of every pair whose
    mapping has resources; bytes written per pair. A workbook that cannot be written (open
    in Excel, saved meanwhile, missing) is skipped with a warning and written after a
    later cycle: it never fails the sync, nor keeps other pairs' sheets back."""
    from connectors.excel.errors import ExcelError
    from mappings.mapping import load_mapping
    from report import resource_items

    if not loaded.sync.resource_load_sheet:
        return {}
    targets = []
    for pair in loaded.pairs:
        try:
            mapping = load_mapping(pair.mapping, loaded.base_dir)
        except Exception as exc:  # the sync reports a broken mapping; here it is skipped
            log.warning("%s: no %s sheet: its mapping does not load: %s", pair.name, SHEET, exc)
            continue
        if any(e.type == "resource" for e in mapping.entities):
            targets.append(pair)
    if not targets:
        return {}
    data = resources_of(resource_items(store), today or date.today(),
                        loaded.sync.hours_per_point, threshold)  # fmt: skip
    if data is None:
        return {}
    written = {}
    for pair in targets:
        try:
            written[pair.name] = write_resource_load(
                loaded.resolve(pair.workbook), data, loaded.sync.backups_to_keep
            )
        except (ExcelError, OSError, ValueError) as exc:
            log.warning("%s: the %s sheet was not written: %s", pair.name, SHEET, exc)
    return written
