"""Twelve weeks of a PMO's portfolio, played through the real sync engine.

A status report's trends need history, and a demo has none: it starts now. Instead of
writing snapshot rows into the store (which would show the report a history the engine
never produced), the demo replays the weeks: each week people act in Jira (through the
sandbox's own write path, as their clicks would) and the PMO updates the earned-value
figures in the workbook, then a sync cycle runs. A ``ReplayClock`` stands in for the
time of both the sandbox and the state store, so the issues change, and the cycles and
snapshots are stamped, in the week they belong to. The last replayed week ends just
before now; afterwards the clock is the real one again.

What happens is decided by each project's shape (``sandbox.seed.portfolio``): steady
projects close risks and finish deliverables on time, slipping ones raise risks and
finish late, troubled ones gather critical risks, overdue issues and a rejected change,
and the one ahead of plan finishes early.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.seed.portfolio import PROFILES, WEEKS, Profile
from sandbox.store import Store

# Per shape: how the earned-value figures move (SPI, CPI) and when deliverables finish.
PERFORMANCE = {"steady": (1.0, 1.02), "ahead": (1.1, 1.06), "slipping": (0.9, 0.96)}
PERFORMANCE["troubled"] = (0.78, 0.84)
FINISH_DELAY = {"ahead": 1, "steady": 2, "slipping": 3, "troubled": 4}  # weeks per story
BUDGETS = [500_000, 320_000, 150_000, 1_200_000, 640_000, 410_000, 880_000]
MANAGERS = ["Priya Shah", "Tom Becker", "Lena Park", "Omar Haddad", "Sofia Rossi"]
MANAGERS += ["Kenji Sato", "Ana Lima"]
NEW_RISKS = {
    "slipping": [(4, "Scope creep from the business", "High", "Medium")],
    "troubled": [
        (3, "Go-live date at risk", "Very High", "Very High"),
        (6, "Key supplier insolvency", "High", "Very High"),
    ],
    "steady": [(7, "Test data not anonymised in time", "Medium", "Low")],
    "ahead": [],
}


class ReplayClock:
    """Simulated time shared by the sandbox (epoch seconds) and the state store (UTC
    datetimes): set to a week, it advances a little on every reading, so timestamps stay
    strictly increasing; ``live()`` hands over to the real clock."""

    def __init__(self, end: datetime) -> None:
        self.end = end
        self.now = end - timedelta(weeks=WEEKS)
        self.live_now = False

    def week(self, n: int) -> datetime:
        """Go to replayed week ``n`` (0 .. WEEKS-1, the last ending at ``end``)."""
        self.now = max(self.now, self.end - timedelta(weeks=WEEKS - 1 - n))
        return self.now

    def utc(self) -> datetime:
        if self.live_now:
            return datetime.now(UTC)
        self.now += timedelta(milliseconds=5)
        return self.now

    def epoch(self) -> float:
        return self.utc().timestamp()

    def live(self) -> None:
        self.live_now = True


@dataclass
class Week:
    """What people did in one replayed week."""

    number: int
    at: datetime
    done: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        said = ", ".join(f"{n} {what}" for what, n in sorted(self.done.items()))
        return f"week of {self.at:%Y-%m-%d}: {said or 'a quiet week'}"


def budget_rows() -> list[dict[str, Any]]:
    """The Projects sheet's rows before the first week (earned value starts at zero)."""
    start = date.today() - timedelta(weeks=WEEKS)
    return [
        {
            "key": p.key,
            "name": p.name,
            "manager": MANAGERS[i],
            "bac": BUDGETS[i],
            "baseline_start": start,
            "baseline_finish": start + timedelta(weeks=16),
        }
        for i, p in enumerate(PROFILES)
    ]


def earned_value(index: int, week: int) -> dict[str, float]:
    """The PMO's figures for a project at the end of a week: planned value on a straight
    line to the budget over 16 weeks, earned value and actual cost by the project's shape."""
    profile = PROFILES[index]
    spi_factor, cpi_factor = PERFORMANCE[profile.shape]
    pv = BUDGETS[index] * (week + 1) / 16
    ev = pv * spi_factor
    return {"pv": round(pv), "ev": round(ev), "ac": round(ev / cpi_factor)}


def play_week(store: Store, number: int, at: datetime) -> Week:
    """Everything people do in Jira in week ``number`` of the replay."""
    week = Week(number, at)
    for index, profile in enumerate(PROFILES):
        _risks(store, profile, number, week)
        _changes(store, profile, index, number, at, week)
        _delivery(store, profile, number, week)
    return week


def _issues(store: Store, project: str, type_name: str) -> list[Any]:
    type_id = store.catalog.issue_type(type_name).id  # type: ignore[union-attr]
    found = [
        i
        for i in store.issues.values()
        if i.key.startswith(project + "-") and i.fields.get("issuetype") == type_id
    ]
    return sorted(found, key=lambda i: int(i.key.rsplit("-", 1)[1]))


def _status(store: Store, issue: Any) -> str:
    return store.catalog.statuses[issue.fields["status"]].name


def _risks(store: Store, profile: Profile, number: int, week: Week) -> None:
    for when, summary, probability, impact in NEW_RISKS[profile.shape]:
        if when == number:
            values = {"Probability": probability, "Impact": impact, "assignee": profile.lead}
            store.human_create(profile.key, "Risk", f"{profile.key}: {summary}", values)
            week.done["risks raised"] += 1
    risks = _issues(store, profile.key, "Risk")
    lead = profile.lead
    if profile.shape in ("steady", "ahead") and number in (2, 5, 8):
        open_ones = [r for r in risks if _status(store, r) == "Open"]
        if open_ones and store.human_transition(open_ones[-1].key, "Start Mitigation", lead):
            week.done["risks mitigating"] += 1
    if profile.shape in ("steady", "ahead") and number in (4, 7, 10):
        mitigating = [r for r in risks if _status(store, r) == "Mitigating"]
        if mitigating and store.human_transition(mitigating[0].key, "Close Risk", lead):
            week.done["risks closed"] += 1
    if profile.shape in ("slipping", "troubled") and number in (5, 9):
        open_ones = [r for r in risks if _status(store, r) == "Open"]
        if open_ones and store.human_transition(open_ones[0].key, "Start Mitigation", lead):
            week.done["risks mitigating"] += 1


def _changes(
    store: Store, profile: Profile, index: int, number: int, at: datetime, week: Week
) -> None:
    changes = _issues(store, profile.key, "Change Request")
    decided = {"Decision Date": at.date().isoformat()}
    # (request, review week, decision week, decision) per shape
    verdicts = {
        "steady": ("Approve", "Approve", "Defer"),
        "ahead": ("Approve", "Approve", "Approve"),
        "slipping": ("Approve", "Defer", "Reject"),
        "troubled": ("Reject", "Approve", "Defer"),
    }[profile.shape]
    for n, change in enumerate(changes[:3]):
        review, decide = 1 + 3 * n + index % 2, 3 + 3 * n + index % 2
        if n == 2 and index % 2:
            decide = WEEKS  # still with the change board today
        if number == review and _status(store, change) == "Submitted":
            store.human_transition(change.key, "Start Review", profile.lead)
            week.done["changes in review"] += 1
        if number == decide and _status(store, change) == "Under Review":
            verdict = verdicts[n]
            extra = decided if verdict in ("Approve", "Reject") else None
            store.human_transition(change.key, verdict, profile.lead, values=extra)
            week.done[{"Approve": "changes approved", "Reject": "changes rejected"}.get(
                verdict, "changes deferred"
            )] += 1  # fmt: skip


def _delivery(store: Store, profile: Profile, number: int, week: Week) -> None:
    delay = FINISH_DELAY[profile.shape]
    for n, story in enumerate(_issues(store, profile.key, "Story")):
        status = _status(store, story)
        if number == 2 * n and status == "To Do":
            store.human_transition(story.key, "Start", profile.lead)
        if number == 2 * n + delay and status != "Done":
            store.human_transition(story.key, "Done", profile.lead)
            week.done["deliverables done"] += 1
    if profile.shape in ("steady", "ahead"):
        for n, issue in enumerate(_issues(store, profile.key, "RAID Issue")):
            if number == 3 + 2 * n and _status(store, issue) != "Done":
                store.human_transition(issue.key, "Done", profile.lead)
                week.done["issues resolved"] += 1
