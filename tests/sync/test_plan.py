from datetime import UTC, datetime

import pytest

from sync.errors import MassChangeRefused
from sync.merge import MergeRules
from sync.plan import SideRecord, match_records, plan_entity
from sync.store_records import BaseEntry

FIELDS = frozenset({"summary", "status"})
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def base(sync_id, key, **values):
    return BaseEntry(sync_id, key, {"summary": "s", "status": "open", **values}, T0)


def jira(sync_id, key, **values):
    return SideRecord(sync_id, key, {"summary": "s", "status": "open", **values}, key)


def excel(sync_id, key, row, **values):
    return SideRecord(sync_id, key, {"summary": "s", "status": "open", **values}, row)


def test_matching_by_key_then_sync_id():
    bases = {"a": base("a", "ALPHA-1"), "b": base("b", "ALPHA-2")}
    matches = match_records(
        bases,
        [jira("a", "ALPHA-1"), jira(None, "ALPHA-2"), jira(None, "ALPHA-3")],
        [
            excel(None, "ALPHA-1", 5),
            excel("b", None, 6),
            excel("c", None, 7),
            excel(None, "ALPHA-3", 8),
        ],
    )
    by_id = {(m.sync_id, m.key): (m.jira and m.jira.ref, m.excel and m.excel.ref) for m in matches}
    assert by_id == {
        ("a", "ALPHA-1"): ("ALPHA-1", 5),
        ("b", "ALPHA-2"): ("ALPHA-2", 6),
        (None, "ALPHA-3"): ("ALPHA-3", 8),
        ("c", None): (None, 7),
    }


def test_plan_lists_every_kind_of_operation():
    bases = {
        "edit-j": base("edit-j", "ALPHA-1"),
        "edit-e": base("edit-e", "ALPHA-2"),
        "both": base("both", "ALPHA-3"),
        "gone": base("gone", "ALPHA-4"),
    }
    jira_now = [
        jira("edit-j", "ALPHA-1", status="closed"),
        jira("edit-e", "ALPHA-2"),
        jira("both", "ALPHA-3", summary="jira words"),
        jira("new-j", "ALPHA-5"),
    ]
    excel_now = [
        excel("edit-j", "ALPHA-1", 5),
        excel("edit-e", "ALPHA-2", 6, status="mitigating"),
        excel("both", "ALPHA-3", 7, summary="excel words"),
        excel("gone", "ALPHA-4", 8),
        excel("new-e", None, 9),
    ]
    plan = plan_entity(
        "alpha", "risk", match_records(bases, jira_now, excel_now), FIELDS, MergeRules()
    )
    kinds = sorted((op.kind, op.key or op.sync_id) for op in plan.operations)
    assert kinds == [
        ("conflict", "ALPHA-3"),
        ("excel_append", "ALPHA-5"),
        ("excel_flag", "ALPHA-4"),
        ("excel_write", "ALPHA-1"),
        ("jira_create", "new-e"),
        ("jira_edit", "ALPHA-2"),
    ]
    (edit,) = plan.of_kind("jira_edit")
    assert edit.row == 6 and [(c.name, c.value) for c in edit.changes] == [("status", "mitigating")]
    json_form = plan.to_json()
    assert json_form["pair"] == "alpha" and len(json_form["operations"]) == 6


def test_nothing_changed_plans_nothing():
    bases = {str(i): base(str(i), f"ALPHA-{i}") for i in range(1, 30)}
    plan = plan_entity(
        "alpha",
        "risk",
        match_records(
            bases,
            [jira(str(i), f"ALPHA-{i}") for i in range(1, 30)],
            [excel(str(i), f"ALPHA-{i}", i + 4) for i in range(1, 30)],
        ),
        FIELDS,
        MergeRules(),
    )
    assert plan.is_empty


@pytest.mark.parametrize("side", ["jira", "excel"])
def test_mass_disappearance_is_refused(side):
    bases = {str(i): base(str(i), f"ALPHA-{i}") for i in range(1, 21)}
    jira_now = [jira(str(i), f"ALPHA-{i}") for i in range(1, 21)]
    excel_now = [excel(str(i), f"ALPHA-{i}", i + 4) for i in range(1, 21)]
    if side == "jira":
        jira_now = jira_now[:5]
    else:
        excel_now = excel_now[:5]
    with pytest.raises(MassChangeRefused, match="15 of 20 synced records are missing"):
        plan_entity(
            "alpha", "risk", match_records(bases, jira_now, excel_now), FIELDS, MergeRules()
        )
