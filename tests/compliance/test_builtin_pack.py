"""Every rule of the built-in PMO pack, with an item that passes it and one that breaks it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from compliance.audit import audit
from compliance.policy import load_policy
from mappings.model import build_record

TODAY = date(2026, 12, 4)
PAST, FUTURE = TODAY - timedelta(days=3), TODAY + timedelta(days=3)


def _item(entity: str, **values: Any) -> dict[str, Any]:
    """A canonical item as the store keeps it (derived fields computed by the model)."""
    base = {"project": "ALPHA", "summary": "s", "key": "ALPHA-1"}
    if entity == "project":
        base = {"key": "ALPHA", "name": "Alpha"}
    record = build_record(entity, {**base, **values}, source="test").model_dump()
    record["sync_id"] = str(record["sync_id"])
    return record


# rule id -> (entity, values that pass, values that break it)
EXAMPLES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "risk-owner": ("risk", {"owner": "alice@example.com"}, {"owner": None}),
    "risk-high-mitigated": (
        "risk",
        {"probability": 5, "impact": 4, "mitigation": "Second supplier", "response": "mitigate"},
        {"probability": 5, "impact": 4, "mitigation": None, "response": "mitigate"},
    ),
    "risk-review-current": ("risk", {"next_review": FUTURE}, {"next_review": PAST}),
    "change-impact-assessed": (
        "change_request",
        {"status": "under_review", "cost_impact": 1000, "schedule_impact_days": 0},
        {"status": "under_review", "cost_impact": 1000},
    ),
    "change-approval-recorded": (
        "change_request",
        {
            "status": "approved",
            "decision_date": PAST,
            "board_ref": "CB-12",
            "cost_impact": 1,
            "schedule_impact_days": 1,
        },
        {"status": "approved", "decision_date": PAST, "cost_impact": 1, "schedule_impact_days": 1},
    ),
    "raid-issue-due": (
        "raid_issue",
        {"owner": "bob@example.com", "due_date": FUTURE},
        {"owner": "bob@example.com"},
    ),
    "raid-issue-overdue": (
        "raid_issue",
        {"owner": "bob@example.com", "due_date": FUTURE},
        {"owner": "bob@example.com", "due_date": PAST},
    ),
    "action-overdue": (
        "action",
        {"owner": "dave@example.com", "due_date": TODAY},
        {"owner": "dave@example.com", "due_date": PAST},
    ),
    "action-owner-due": ("action", {"owner": "dave", "due_date": FUTURE}, {"owner": "dave"}),
    "dependency-owner-due": (
        "dependency",
        {"owner": "carol", "due_date": FUTURE},
        {"due_date": FUTURE},
    ),
    "work-item-dates": (
        "work_item",
        {"status": "in_progress", "start_date": PAST, "due_date": FUTURE},
        {"status": "in_progress", "start_date": PAST},
    ),
    "project-manager": ("project", {"manager": "Priya Shah"}, {"manager": None}),
    "project-baseline": (
        "project",
        {"bac": 500000, "baseline_finish": FUTURE},
        {"bac": 500000},
    ),
}


def test_every_builtin_rule_has_an_example():
    assert {r.id for r in load_policy().rules} == set(EXAMPLES)


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_the_rule_passes_and_breaks_as_its_title_says(rule_id: str):
    policy = load_policy()
    rule = next(r for r in policy.rules if r.id == rule_id)
    entity, good, bad = EXAMPLES[rule_id]
    passed = audit({entity: [_item(entity, **good)]}, policy, today=TODAY)
    assert [b.rule for b in passed.breaches if b.rule == rule_id] == []
    broken = audit({entity: [_item(entity, **bad)]}, policy, today=TODAY)
    (breach,) = [b for b in broken.breaches if b.rule == rule_id]
    assert breach.severity == rule.severity and breach.why
    assert "could not be checked" not in breach.why
    assert breach.project == "ALPHA"
