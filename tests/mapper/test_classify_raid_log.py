"""The shared real RAID log (/work/shared/fixtures/workbooks/raid_log.xlsx), as the survey
sees it: its three trackers' headers, the drop-down lists its data validations name
(resolved through INDIRECT to the Definition sheet's tables), the ID numbers and the
array formulas of its otherwise empty rows. Read once with openpyxl and written out
here, so the classifier's answer for the one real tracker we have is pinned.

The expected fields are those of the hand-written ``builtin:raid_log`` mapping for the
same workbook, plus what it leaves out but the model has (Exposure is the risk score,
derived).
"""

from __future__ import annotations

from string import ascii_uppercase

from mapper.classify import classify
from mapper.evidence import ColumnEvidence, TrackerEvidence
from mappings.mapping import load_mapping

SCALE = ("1", "2", "3", "4", "5")
CATEGORY = ("Information", "Process", "System", "Other", "Resource")


def _tracker(name, sheet, title, columns, rows):
    return TrackerEvidence(
        name=name,
        sheet=sheet,
        title=title,
        rows=rows,
        columns=tuple(
            ColumnEvidence(header, letter=ascii_uppercase[i], **evidence)
            for i, (header, evidence, _) in enumerate(columns)
        ),
    )


RISKS = [
    ("ID", {"samples": tuple(range(1, 21)), "kinds": {"number": 20}, "distinct": 20}, None),
    ("Author", {}, "raised_by"),
    ("Date Identified", {}, "created"),
    ("Description", {}, "summary"),
    ("Category", {"list_values": CATEGORY}, "category"),
    ("Proximity", {}, None),
    ("Probability", {"list_values": SCALE}, "probability"),
    ("Impact", {"list_values": SCALE}, "impact"),
    ("Exposure", {}, "score"),
    ("RAG Status", {"kinds": {"formula": 20}}, None),
    ("Escalation", {}, None),
    ("Status", {}, "status"),
    ("Mitigation in Place", {}, None),
    ("Mitigation Date", {}, None),
    ("Short Mitigation Brief", {}, "mitigation"),
    ("Target Date", {}, "due_date"),
]
ISSUES = [
    ("ID", {}, None),
    (
        "Current Status",
        {"list_values": ("Open", "Work in Progress", "Closed", "Late", "On Hold", "Duplicate")},
        "status",
    ),
    ("Type", {"list_values": ("Question", "Issue", "Action", "Decision")}, None),
    ("Priority", {"list_values": ("Critical", "High", "Medium", "Low")}, "priority"),
    ("Description", {}, "summary"),
    ("Assigned to Owner", {}, "owner"),
    ("Expected Resolution Date", {}, "due_date"),
    ("Escalation Required (Y/N)?", {"list_values": ("Yes", "No")}, "escalate"),
    ("Impact Summary", {}, "impact_summary"),
    ("Action Steps", {}, "action_steps"),
    ("Category", {"list_values": CATEGORY}, "category"),
    ("Date Identified", {}, "created"),
    ("Assoc ID", {}, None),
    ("Entered By", {}, "raised_by"),
    ("Actual Resolution Date", {}, "resolved_on"),
    ("Final Resolution and Rational", {}, "resolution"),
]
CHANGES = [
    ("ID", {}, None),
    ("Title", {}, "summary"),
    ("Date", {}, "created"),
    ("Raised by", {}, "requester"),
    ("Status", {}, "status"),
]
TRACKERS = {
    "risk": _tracker("Risks", "Risk Register", "Risk Register", RISKS, 20),
    "raid_issue": _tracker("Issues", "Issue Register", "Issues", ISSUES, 1),
    "change_request": _tracker("CRs", "Change Requests", "Change Requests", CHANGES, 1),
}
EXPECTED = {"risk": RISKS, "raid_issue": ISSUES, "change_request": CHANGES}


def _fields(entity):
    return [(f.header, f.field) for f in classify(TRACKERS[entity]).fields]


def test_each_tracker_is_its_entity():
    for entity, tracker in TRACKERS.items():
        guess = classify(tracker)
        assert guess.entity == entity, guess.reason
    assert classify(TRACKERS["risk"]).confidence >= 0.9
    assert classify(TRACKERS["raid_issue"]).confidence >= 0.9
    # Five columns every record has: only the sheet and table names tell a change log.
    changes = classify(TRACKERS["change_request"])
    assert 0.5 <= changes.confidence < 0.9
    assert "'Change Requests'" in changes.reason


def test_every_column_of_the_risk_register():
    assert _fields("risk") == [(h, f) for h, _, f in RISKS]


def test_every_column_of_the_issue_register():
    assert _fields("raid_issue") == [(h, f) for h, _, f in ISSUES]


def test_every_column_of_the_change_requests():
    assert _fields("change_request") == [(h, f) for h, _, f in CHANGES]


def test_the_proposal_agrees_with_the_hand_written_mapping():
    """Every column builtin:raid_log maps gets the same field from the classifier."""
    mapping = load_mapping("builtin:raid_log")
    for entity, tracker in TRACKERS.items():
        proposed = {f.header: f.field for f in classify(tracker).fields}
        for mapped in mapping.entity(entity).fields:
            if mapped.excel is not None:
                assert proposed[mapped.excel] == mapped.name, (entity, mapped.excel)


def test_why_columns_stay_unmapped():
    reasons = {f.header: f.reason for f in classify(TRACKERS["risk"]).fields}
    assert "own numbering" in reasons["ID"]
    assert "a project field a risk does not have" in reasons["RAG Status"]
    assert "a RAID issue field a risk does not have" in reasons["Escalation"]
    assert reasons["Mitigation in Place"].startswith(
        "also matches mitigation, which column O ('Short Mitigation Brief') has with higher "
        "confidence"
    )
    assert "no shipped language has a header like 'Proximity'" in reasons["Proximity"]
    issue = {f.header: f.reason for f in classify(TRACKERS["raid_issue"]).fields}
    # The RAID type (Question/Issue/Action/Decision) is no field of an issue.
    assert "a RAID issue does not have" in issue["Type"]
    assert "no shipped language has a header like 'Assoc ID'" in issue["Assoc ID"]


def test_the_derived_score_is_recognised_and_said_to_be_one_way():
    exposure = next(f for f in classify(TRACKERS["risk"]).fields if f.header == "Exposure")
    assert exposure.field == "score"
    assert "derived" in exposure.reason and "one-way" in exposure.reason


def test_a_typo_in_the_real_header_is_caught_as_a_spelling_variant():
    final = next(f for f in classify(TRACKERS["raid_issue"]).fields if f.header.startswith("Final"))
    assert final.field == "resolution"
    assert "close to 'Final Resolution and Rationale'" in final.reason
    assert final.confidence < 0.9  # a variant, not the header itself
