"""The ``demo`` seed: a small, deterministic PMO portfolio across ALPHA, BETA and GAMMA.

Each project gets risks, change requests, RAID items and an epic with stories in several
workflow states. Timestamps come from a fixed base and a stepping clock, so two demo
sandboxes hold identical issues (ids, keys, timestamps, changelogs).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.seed.releases import component_id, version_id
from sandbox.store import Store

BASE = datetime(2026, 10, 5, 9, 0, tzinfo=UTC).timestamp()

MITIGATION_WIKI = (
    "Reduce exposure to the *vendor delay*:\n"
    "* weekly check-in with the vendor's delivery lead\n"
    "* keep a _fallback_ extract running in parallel\n"
    "* escalate through the [PMO board|https://example.com/pmo/board]\n"
    "\n"
    "Owner reviews progress every Friday."
)

# (summary, probability, impact, category, strategy, path of transitions, mitigation)
RISKS: list[tuple[str, str, str, str, str, list[str], str | None]] = [
    (
        "Vendor delivers late",
        "High",
        "High",
        "External",
        "Mitigate",
        ["Start Mitigation"],
        MITIGATION_WIKI,
    ),
    ("Key engineer leaves mid-project", "Low", "Very High", "Resource", "Accept", [], None),
    (
        "Budget overrun on licences",
        "Medium",
        "Medium",
        "Cost",
        "Avoid",
        ["Start Mitigation", "Close Risk"],
        "Negotiated a *fixed price* for year one.",
    ),
    (
        "Legacy data quality worse than sampled",
        "Very High",
        "High",
        "Technical",
        "Mitigate",
        [],
        "Profile every source table before the cut-over rehearsal.",
    ),
    (
        "Regulator changes reporting rules",
        "Very Low",
        "High",
        "Scope",
        "Transfer",
        ["Start Mitigation"],
        None,
    ),
]

# (summary, change type, path, cost, schedule days, decision date)
CHANGES: list[tuple[str, str, list[str], float, float, str | None]] = [
    ("Add single sign-on to scope", "Scope", [], 12000.0, 10.0, None),
    ("Move go-live by two weeks", "Schedule", ["Start Review"], 0.0, 14.0, None),
    ("Upgrade storage tier", "Cost", ["Start Review", "Approve"], 4500.0, 0.0, "2026-10-20"),
]

RAID: list[tuple[str, str, str]] = [
    ("RAID Issue", "Test environment unavailable", "System"),
    ("RAID Issue", "Unclear ownership of reference data", "Process"),
    ("Assumption", "Business users available for UAT in week 12", "Resource"),
    ("Dependency", "Network team delivers firewall changes", "External"),
    ("Action", "Circulate revised plan to steering group", "Schedule"),
    ("Decision", "Adopt phased cut-over", "Scope"),
]

# (summary, path, start, due, percent, points, assignee index)
STORIES: list[tuple[str, list[str], str, str, float, float, int]] = [
    ("Design target schema", ["Start", "Done"], "2026-10-06", "2026-10-17", 100.0, 5.0, 0),
    ("Build migration pipeline", ["Start"], "2026-10-20", "2026-11-14", 45.0, 8.0, 3),
    ("Rehearse cut-over", [], "2026-11-17", "2026-12-05", 0.0, 3.0, 1),
]
# Per story: (fix version, component), names from ``seed.releases``.
STORY_RELEASES = [("1.0", "Data"), ("1.1", "Data"), ("1.1", "Infrastructure")]


def _stepping_clock(start: float) -> Callable[[], float]:
    state = {"t": start}

    def clock() -> float:
        state["t"] += 137.123  # a little over two minutes between writes
        return state["t"]

    return clock


def seed_demo(store: Store) -> None:
    """Fill ``store`` with the demo portfolio."""
    saved = store.clock
    store.clock = _stepping_clock(BASE)
    try:
        with store.lock:
            for index, project in enumerate(list(store.catalog.projects.values())):
                _seed_project(store, project.key, project.lead, index)
    finally:
        store.clock = saved


def _seed_project(store: Store, key: str, lead: str, index: int) -> None:
    team = ["alice", "bob", "carol", "dave"]
    for n, (summary, prob, impact, cat, strategy, path, mitigation) in enumerate(RISKS):
        values: dict[str, Any] = {
            "Probability": prob,
            "Impact": impact,
            "Risk Category": cat,
            "Response Strategy": strategy,
            "Risk Trigger": f"Trigger {n + 1} observed in weekly report",
            "Next Review Date": f"2026-12-{(n + index) % 20 + 1:02d}",
            "Stakeholders": [lead, "dave"],
            "Affected Areas": ["Data", "Vendor"] if n % 2 == 0 else ["People"],
            "assignee": lead,
            "priority": ["High", "Medium", "Highest", "High", "Low"][n],
            "labels": ["risk", f"wave-{n % 2 + 1}"],
            "description": f"{summary} ({key}). See the risk register for history.",
        }
        if mitigation:
            values["Mitigation"] = mitigation
        issue = store.human_create(key, "Risk", f"{key}: {summary}", values, author=lead)
        for step in path:
            store.human_transition(issue.key, step, author=lead)
    for summary, ctype, path, cost, days, decided in CHANGES:
        values = {
            "Requester": team[(index + 1) % 4],
            "Change Type": ctype,
            "Cost Impact": cost,
            "Schedule Impact (days)": days,
            "Scope Impact": f"Affects *{ctype.lower()}* baseline.",
            "Change Board Ref": f"CB-{index + 1}{len(summary):02d}",
            "assignee": lead,
        }
        issue = store.human_create(key, "Change Request", f"{key}: {summary}", values, lead)
        for step in path:
            extra = {"Decision Date": decided} if step in ("Approve", "Reject") else None
            store.human_transition(issue.key, step, author=lead, values=extra)
    for type_name, summary, cat in RAID:
        store.human_create(
            key, type_name, f"{key}: {summary}", {"Risk Category": cat, "assignee": lead}, lead
        )
    epic = store.human_create(
        key,
        "Epic",
        f"{key}: Delivery epic",
        {"Start date": "2026-10-06", "duedate": "2026-12-05", "assignee": lead},
        lead,
    )
    project_id = store.catalog.project(key).id  # type: ignore[union-attr]
    for n, (summary, path, start, due, pct, points, who) in enumerate(STORIES):
        fix, component = STORY_RELEASES[n]
        story = store.human_create(
            key,
            "Story",
            f"{key}: {summary}",
            {
                "parent": epic.key,
                "Start date": start,
                "duedate": due,
                "Percent Complete": pct,
                "Story Points": points,
                "assignee": team[(who + index) % 4],
                "fixVersions": [version_id(store.catalog, project_id, fix)],
                "components": [component_id(store.catalog, project_id, component)],
            },
            lead,
        )
        for step in path:
            store.human_transition(story.key, step, author=lead)
