"""Exhaustive table test of the three-way merge.

Each side of a record is {unchanged, edited, deleted, absent} relative to a base that is
present or absent; every combination has one expected plan.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.merge import MergeRules, merge_field, merge_record

FIELDS = frozenset({"status", "summary"})
BASE = {"status": "open", "summary": "Vendor late"}
RULES = MergeRules()


def view(state: str, side: str) -> dict | None:
    if state in ("deleted", "absent"):
        return None
    if state == "edited":
        return {**BASE, "status": f"{side}-edit"}
    return dict(BASE)


# (base present?, jira state, excel state) -> expected record action and field actions
EXPECTED = {
    (True, "unchanged", "unchanged"): ("none", {}),
    (True, "unchanged", "edited"): ("none", {"status": "to_jira"}),
    (True, "edited", "unchanged"): ("none", {"status": "to_excel"}),
    (True, "edited", "edited"): ("none", {"status": "conflict"}),
    (True, "deleted", "unchanged"): ("flag_in_excel", {}),
    (True, "deleted", "edited"): ("conflict", {}),
    (True, "unchanged", "deleted"): ("none", {}),
    (True, "edited", "deleted"): ("conflict", {}),
    (True, "deleted", "deleted"): ("forget", {}),
    (False, "unchanged", "absent"): ("create_in_excel", {}),
    (False, "absent", "unchanged"): ("create_in_jira", {}),
    (False, "absent", "absent"): ("none", {}),
    (False, "unchanged", "unchanged"): ("none", {}),
    (False, "edited", "unchanged"): ("none", {"status": "conflict"}),
    (False, "unchanged", "edited"): ("none", {"status": "conflict"}),
    (False, "edited", "edited"): ("none", {"status": "conflict"}),
    (False, "edited", "absent"): ("create_in_excel", {}),
    (False, "absent", "edited"): ("create_in_jira", {}),
}

WITH_BASE = ("unchanged", "edited", "deleted")
WITHOUT_BASE = ("unchanged", "edited", "absent")
ALL_CASES = [(True, j, e) for j, e in itertools.product(WITH_BASE, WITH_BASE)] + [
    (False, j, e) for j, e in itertools.product(WITHOUT_BASE, WITHOUT_BASE)
]


def test_the_table_covers_every_combination():
    assert set(EXPECTED) == set(ALL_CASES)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"base={c[0]}-jira={c[1]}-excel={c[2]}")
def test_merge_table(case):
    has_base, jira_state, excel_state = case
    plan = merge_record(
        dict(BASE) if has_base else None,
        view(jira_state, "jira"),
        view(excel_state, "excel"),
        FIELDS,
        RULES,
    )
    action, fields = EXPECTED[case]
    assert plan.action == action
    assert {c.name: c.action for c in plan.changes} == fields


def test_same_edit_on_both_sides_is_not_a_conflict():
    same = {**BASE, "status": "closed"}
    assert merge_record(BASE, same, dict(same), FIELDS, RULES).changes == ()


def test_policies_resolve_conflicts_per_field():
    jira, excel = {**BASE, "status": "j"}, {**BASE, "status": "e"}
    jira_wins = MergeRules(policies={"status": "jira-wins"})
    (change,) = merge_record(BASE, jira, excel, FIELDS, jira_wins).changes
    assert (change.action, change.value) == ("to_excel", "j")
    excel_wins = MergeRules(default_policy="excel-wins")
    (change,) = merge_record(BASE, jira, excel, FIELDS, excel_wins).changes
    assert (change.action, change.value) == ("to_jira", "e")
    (change,) = merge_record(BASE, jira, excel, FIELDS, RULES).changes
    assert (change.action, change.base, change.jira, change.excel) == ("conflict", "open", "j", "e")


def test_one_way_fields_ignore_the_other_side():
    rules = MergeRules(directions={"status": "jira-to-excel", "summary": "excel-to-jira"})
    jira = {"status": "j", "summary": "jira text"}
    excel = {"status": "e", "summary": "excel text"}
    changes = {
        c.name: (c.action, c.value) for c in merge_record(BASE, jira, excel, FIELDS, rules).changes
    }
    assert changes == {"status": ("to_excel", "j"), "summary": ("to_jira", "excel text")}


def test_removed_row_closes_the_issue_only_when_told():
    rules = MergeRules(on_excel_delete="close")
    assert merge_record(BASE, dict(BASE), None, FIELDS, rules).action == "close_in_jira"
    assert merge_record(BASE, dict(BASE), None, FIELDS, RULES).action == "none"


values = st.sampled_from(["a", "b", "c", None])


@given(
    base=values,
    jira=values,
    excel=values,
    policy=st.sampled_from(["manual", "jira-wins", "excel-wins"]),
)
def test_applying_a_field_change_makes_both_sides_agree_or_records_a_conflict(
    base, jira, excel, policy
):
    change = merge_field("f", base, jira, excel, MergeRules(default_policy=policy))
    if change is None:
        assert jira == excel
        return
    if change.action == "conflict":
        assert policy == "manual" and jira != base and excel != base and jira != excel
        return
    new_jira = change.value if change.action == "to_jira" else jira
    new_excel = change.value if change.action == "to_excel" else excel
    assert new_jira == new_excel
    # an edit made on only one side is never lost
    if jira != base and excel == base:
        assert new_jira == jira
    if excel != base and jira == base:
        assert new_excel == excel
