"""The ``portfolio`` seed: seven projects that differ, as a PMO's portfolio does.

The demo seed gives ALPHA, BETA and GAMMA the same issues; a status report of it shows
three identical rows. This seed adds DELTA, EPSILON, ZETA and ETA to the site and gives
every project its own shape: a steady project, one that slips, two in trouble, one
ahead of plan. What then happens week by week (risks raised and closed, change requests
decided, stories finished) is played by ``pmo_sync.demo_history`` through the same
store API a person's clicks take, so the history the report draws is the sync engine's
own.

Timestamps start twelve weeks before the given ``start`` (by default now) on a stepping
clock, so the issues were created when the history says they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sandbox.model import Project
from sandbox.seed.releases import add_project_releases
from sandbox.store import Store

WEEKS = 12
TEAM = ["alice", "bob", "carol", "dave"]


@dataclass(frozen=True)
class Profile:
    """What kind of project it is: how many of each thing it starts with."""

    key: str
    name: str
    lead: str
    shape: str  # steady, slipping, troubled, ahead
    # (summary, probability, impact) of the risks open at the start
    risks: tuple[tuple[str, str, str], ...]
    stories: int
    issues: int  # RAID issues with a due date (overdue unless resolved in time)


PROFILES: tuple[Profile, ...] = (
    Profile(
        "ALPHA",
        "Alpha Data Platform Migration",
        "alice",
        "slipping",
        (
            ("Vendor delivers late", "High", "High"),
            ("Key engineer leaves mid-project", "Low", "Very High"),
            ("Legacy data quality worse than sampled", "Very High", "High"),
            ("Budget overrun on licences", "Medium", "Medium"),
        ),
        5,
        3,
    ),
    Profile(
        "BETA",
        "Beta Customer Portal",
        "bob",
        "steady",
        (
            ("Accessibility audit finds blockers", "Medium", "Medium"),
            ("Payment provider API changes", "Low", "High"),
            ("Peak traffic exceeds load tests", "Low", "Medium"),
        ),
        6,
        2,
    ),
    Profile(
        "GAMMA",
        "Gamma Office Move",
        "carol",
        "steady",
        (
            ("Lease signature delayed", "Medium", "High"),
            ("Furniture supplier short of stock", "Low", "Low"),
        ),
        4,
        2,
    ),
    Profile(
        "DELTA",
        "Delta ERP Upgrade",
        "dave",
        "troubled",
        (
            ("Customisations break on the new release", "Very High", "Very High"),
            ("Finance month-end clashes with cut-over", "High", "Very High"),
            ("Integration partner understaffed", "High", "High"),
            ("Training budget cut", "Medium", "Medium"),
        ),
        6,
        4,
    ),
    Profile(
        "EPSILON",
        "Epsilon Analytics Platform",
        "alice",
        "ahead",
        (
            ("Cloud costs above estimate", "Low", "Medium"),
            ("Data science hires start late", "Medium", "Low"),
        ),
        5,
        1,
    ),
    Profile(
        "ZETA",
        "Zeta Mobile App",
        "bob",
        "slipping",
        (
            ("App store review rejects the release", "Medium", "High"),
            ("Offline sync harder than planned", "High", "Medium"),
            ("Designer availability", "Low", "Medium"),
        ),
        5,
        2,
    ),
    Profile(
        "ETA",
        "Eta Warehouse Automation",
        "carol",
        "troubled",
        (
            ("Robot supplier misses factory test", "Very High", "High"),
            ("Site power upgrade not approved", "High", "Very High"),
            ("Safety certification scope grows", "Medium", "High"),
        ),
        4,
        3,
    ),
)

# (summary, change type, cost impact, schedule impact in days)
CHANGES: tuple[tuple[str, str, float, float], ...] = (
    ("Add a reporting module", "Scope", 18000.0, 12.0),
    ("Move go-live by two weeks", "Schedule", 0.0, 14.0),
    ("Upgrade the hosting tier", "Cost", 6500.0, 0.0),
    ("Extra test cycle", "Quality", 9000.0, 5.0),
)


def _stepping_clock(start: float) -> Callable[[], float]:
    state = {"t": start}

    def clock() -> float:
        state["t"] += 61.7  # about a minute between writes
        return state["t"]

    return clock


def add_projects(store: Store) -> None:
    """Add the profiles' projects the site lacks (with their versions and components)."""
    cat = store.catalog
    have = {p.key for p in cat.projects.values()}
    for profile in PROFILES:
        if profile.key in have:
            continue
        pid = str(10000 + len(cat.projects))
        cat.projects[pid] = Project(
            pid, profile.key, profile.name, profile.lead, list(cat.issue_types), profile.name
        )
        add_project_releases(cat, cat.projects[pid], len(cat.projects) - 1)


def seed_portfolio(store: Store, start: float | None = None) -> None:
    """Fill ``store`` with the seven projects as they stood twelve weeks before
    ``start`` (epoch seconds; default now)."""
    began = (start if start is not None else time.time()) - WEEKS * 7 * 86400
    add_projects(store)
    saved = store.clock
    store.clock = _stepping_clock(began)
    try:
        with store.lock:
            first = date.fromtimestamp(began)
            for index, profile in enumerate(PROFILES):
                _seed_project(store, profile, index, first)
    finally:
        store.clock = saved


def _seed_project(store: Store, profile: Profile, index: int, first: date) -> None:
    key, lead = profile.key, profile.lead
    for n, (summary, probability, impact) in enumerate(profile.risks):
        values: dict[str, Any] = {
            "Probability": probability,
            "Impact": impact,
            "Risk Category": ["Technical", "External", "Resource", "Cost"][n % 4],
            "Response Strategy": ["Mitigate", "Accept", "Transfer", "Avoid"][n % 4],
            "Next Review Date": (first + timedelta(days=14 + 7 * n)).isoformat(),
            "assignee": TEAM[(index + n) % 4],
        }
        if profile.shape in ("steady", "ahead") or n % 2:
            # Well-run projects plan every risk; the others leave some without a plan,
            # which the PMO's policy audit finds.
            values["Mitigation"] = f"Plan {n + 1}: owner reviews weekly; fallback agreed."
            values["Next Review Date"] = (first + timedelta(weeks=WEEKS + 2 + n)).isoformat()
        store.human_create(key, "Risk", f"{key}: {summary}", values, author=lead)
    for n, (summary, kind, cost, days) in enumerate(CHANGES[: 2 + index % 3]):
        values = {
            "Requester": TEAM[(index + n + 1) % 4],
            "Change Type": kind,
            "Cost Impact": cost * (1 + index / 4),
            "Schedule Impact (days)": days,
            "assignee": lead,
        }
        if profile.shape in ("steady", "ahead"):
            values["Change Board Ref"] = f"CB-{index + 1}{n + 1:02d}"
        store.human_create(key, "Change Request", f"{key}: {summary}", values, lead)
    for n in range(profile.issues):
        due = first + timedelta(days=21 + 14 * n)
        store.human_create(
            key,
            "RAID Issue",
            f"{key}: Issue {n + 1} raised at the steering review",
            {"assignee": TEAM[(index + n) % 4], "duedate": due.isoformat()},
            lead,
        )
    epic = store.human_create(
        key,
        "Epic",
        f"{key}: Delivery",
        {
            "Start date": first.isoformat(),
            "duedate": (first + timedelta(weeks=WEEKS + 4)).isoformat(),
            "assignee": lead,
        },
        lead,
    )
    for n in range(profile.stories):
        start = first + timedelta(weeks=2 * n)
        store.human_create(
            key,
            "Story",
            f"{key}: Deliverable {n + 1}",
            {
                "parent": epic.key,
                "Start date": start.isoformat(),
                "duedate": (start + timedelta(weeks=3)).isoformat(),
                "Story Points": float(3 + (n * 2 + index) % 6),
                "assignee": TEAM[(index + n) % 4],
            },
            lead,
        )
