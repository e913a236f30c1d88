"""The demo's resource management: a resource plan workbook and the team's estimated work.

The plan (``builtin:resource_plan``) lists the sandbox's four people (a half-time
analyst, a tester on a four-day week, a project manager with two days off next week)
and an architect with no Jira work yet, each allocated to projects. "Today" the team
estimates the next two weeks' tasks in Jira, in hours (Jira's remaining estimate), so
the next cycle's report can set demand against capacity. The analyst ends up booked
150 % next week: the one over-allocated person the Resources sheet shows, with the two
tasks driving it. The open stories the portfolio still carries are estimated in story
points only; with ``[sync] hours_per_point`` at 0 (the default) the sheet lists them as
not counted, with the way to count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.record_writes import add_new_rows
from connectors.excel.records import read_records
from connectors.excel.template import write_template
from mappings.mapping import load_mapping
from mappings.model import build_record
from resources import monday

RESOURCE_MAPPING = "builtin:resource_plan"


def _people(next_week: date) -> list[dict[str, Any]]:
    days_off = f"{next_week + timedelta(days=3)}..{next_week + timedelta(days=4)}"
    return [
        {"key": "alice@example.com", "name": "Alice Anders", "role": "Project Manager",
         "team": "PMO", "cost_rate": 95, "capacity_hours": 40, "non_working": days_off},
        {"key": "bob@example.com", "name": "Bob Brown", "role": "Developer",
         "team": "Platform", "cost_rate": 80, "capacity_hours": 40},
        {"key": "carol@example.com", "name": "Carol Chen", "role": "Business Analyst",
         "team": "Delivery", "cost_rate": 70, "capacity_hours": 20},
        {"key": "dave@example.com", "name": "Dave Diaz", "role": "Tester",
         "team": "Quality", "cost_rate": 65, "capacity_hours": 32, "working_days": "Mon-Thu"},
        {"key": "erin@example.com", "name": "Erin Ortiz", "role": "Architect",
         "team": "Platform", "cost_rate": 110, "capacity_hours": 40},
    ]  # fmt: skip


def _allocations(this_week: date) -> list[dict[str, Any]]:
    start, end = this_week - timedelta(weeks=12), this_week + timedelta(weeks=12)
    rows = [
        ("alice@example.com", "ALPHA", 0.5), ("alice@example.com", "EPSILON", 0.5),
        ("bob@example.com", "BETA", 0.6), ("bob@example.com", "ZETA", 0.4),
        ("carol@example.com", "BETA", 0.5), ("carol@example.com", "GAMMA", 0.5),
        ("dave@example.com", "DELTA", 1.0), ("erin@example.com", "ETA", None),
    ]  # fmt: skip
    return [
        {"key": f"A-{n}", "person": person, "project": project, "start_date": start,
         "end_date": end, **({"planned_share": share} if share is not None
                             else {"planned_hours": 16})}
        for n, (person, project, share) in enumerate(rows, start=1)
    ]  # fmt: skip


def write_resource_plan(path: Path, today: date | None = None) -> Path:
    """A fresh resource plan workbook with the demo's people and allocations, typed in
    through pmo-sync's own workbook writer."""
    this_week = monday(today or date.today())
    mapping = load_mapping(RESOURCE_MAPPING)
    write_template(mapping, path, overwrite=True)
    for entity_type, rows in (
        ("resource", _people(this_week + timedelta(weeks=1))),
        ("allocation", _allocations(this_week)),
    ):
        entity = mapping.entity(entity_type)
        read = read_records(path, mapping, entity)
        records = [build_record(entity_type, row, source="demo") for row in rows]
        patch = add_new_rows(WorkbookPatch(), mapping, entity, read.location, records)
        apply_patch(path, patch, expected=read.fingerprint, live=False)
    return path


@dataclass(frozen=True)
class Task:
    project: str
    summary: str
    assignee: str | None
    hours: float
    first_week: int  # weeks after this one
    weeks: int = 1


TASKS = (
    Task("BETA", "Acceptance criteria for the portal", "carol", 16, 1),
    Task("GAMMA", "Floor plan sign-off pack", "carol", 14, 1),
    Task("ALPHA", "Cutover plan", "alice", 24, 1, 2),
    Task("EPSILON", "Vendor contract review", "alice", 8, 1),
    Task("BETA", "Payment API integration", "bob", 30, 1, 2),
    Task("ZETA", "Load test scripts", "bob", 20, 1),
    Task("DELTA", "Regression test run", "dave", 28, 1, 2),
    Task("ETA", "Data migration dry run", None, 12, 2),
)


def estimate_next_weeks(store: Any, today: date | None = None) -> list[str]:
    """The team's tasks for the next weeks, created in the sandbox Jira with remaining
    estimates in hours, as people would type them; returns their keys."""
    this_week = monday(today or date.today())
    keys = []
    for task in TASKS:
        start = this_week + timedelta(weeks=task.first_week)
        due = start + timedelta(weeks=task.weeks - 1, days=4)  # Friday of the last week
        seconds = int(task.hours * 3600)
        values: dict[str, Any] = {
            "Start date": start.isoformat(),
            "duedate": due.isoformat(),
            "timeoriginalestimate": seconds,
            "timeestimate": seconds,
        }
        if task.assignee:
            values["assignee"] = task.assignee
        issue = store.human_create(
            task.project, "Task", f"{task.project}: {task.summary}", values, author="alice"
        )
        keys.append(issue.key)
    return keys


def over_allocation_lines(resources: Any) -> list[str]:
    """What the report's Resources sheet says about over-allocation, for the console:
    one line per person and week above the threshold, with the items driving it."""
    shown = set(resources.weeks)
    lines = []
    for (pid, week), u in sorted(resources.load.util.items()):
        if week not in shown or u is None or u <= resources.threshold:
            continue
        drivers = ", ".join(f"{w.key} {h:.0f} h" for w, h in resources.load.drivers(pid, [week]))
        lines.append(f"{pid} booked {u:.0%} in the week from {week} ({drivers})")
    return lines
