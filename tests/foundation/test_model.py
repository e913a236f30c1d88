from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from pydantic import ValidationError

from mappings import (
    ChangeRequest,
    Project,
    RecordValidationError,
    Risk,
    RiskLevelThresholds,
    WorkItem,
    build_record,
)
from mappings.model import ENTITY_TYPES, SUMMARY_MAX


def test_risk_derives_score_and_level_from_messy_input():
    risk = Risk(summary="Vendor late", probability="High", impact="VH")
    assert (risk.probability, risk.impact, risk.score, risk.level) == (4, 5, 20, "critical")
    assert isinstance(risk.sync_id, UUID)


@pytest.mark.parametrize(
    ("p", "i", "level"),
    [
        (1, 4, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 5, "high"),
        (3, 5, "high"),
        (4, 4, "critical"),
    ],
)
def test_default_level_bands(p, i, level):
    assert Risk(summary="r", probability=p, impact=i).level == level


def test_configured_thresholds_change_the_level():
    thresholds = RiskLevelThresholds(low_max=6, medium_max=12, high_max=20)
    risk = Risk.model_validate(
        {"summary": "r", "probability": 2, "impact": 3}, context={"risk_thresholds": thresholds}
    )
    assert risk.level == "low"


def test_a_given_score_must_agree_with_probability_times_impact():
    assert Risk(summary="r", probability=3, impact=4, score=12.0, level="High").score == 12
    with pytest.raises(ValidationError, match="score is 10 but the other fields make it 12"):
        Risk(summary="r", probability=3, impact=4, score=10)
    with pytest.raises(ValidationError, match="level"):
        Risk(summary="r", probability=3, impact=4, level="Low")


def test_risk_without_probability_has_no_score():
    risk = Risk(summary="r", impact=3)
    assert risk.score is None and risk.level is None


def test_with_changes_revalidates_and_recomputes():
    risk = Risk(summary="r", probability=2, impact=2)
    changed = risk.with_changes(probability="Very High")
    assert (changed.score, changed.level, changed.sync_id) == (10, "high", risk.sync_id)
    with pytest.raises(ValidationError):
        risk.with_changes(probability="nope")


def test_records_are_frozen_and_refuse_unknown_fields():
    risk = Risk(summary="r")
    with pytest.raises(ValidationError):
        risk.summary = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Risk(summary="r", colour="red")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", "alpha 12"),
        ("key", "ALPHA-0"),
        ("project", "alpha-x"),
        ("summary", ""),
        ("summary", "x" * (SUMMARY_MAX + 1)),
        ("summary", True),
        ("updated", datetime(2026, 1, 1, 12, 0)),
        ("updated", "yesterday"),
        ("sync_id", "not-a-uuid"),
        ("due_date", "03/04/2026"),
        ("status", "Exploded"),
        ("response", "Ignore"),
        ("impact", 0),
    ],
)
def test_bad_values_are_refused(field, value):
    data = {"summary": "r", field: value}
    with pytest.raises(ValidationError):
        Risk(**data)


def test_text_keeps_its_whitespace_and_blank_text_is_no_value():
    risk = Risk(summary="\tTabbed\r\n", mitigation=" lead and trail ", owner="   ")
    assert risk.summary == "\tTabbed\r\n" and risk.mitigation == " lead and trail "
    assert risk.owner is None
    with pytest.raises(ValidationError, match="a summary is required"):
        Risk(summary=" \t ")


def test_good_common_values():
    risk = Risk(
        summary="  Vendor late  ",
        key="alpha-12",
        project="alpha",
        updated="2026-11-28T12:10:47.123+0000",
        sync_id="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        due_date="2026-12-01",
        status="In Progress",
        response="Treat",
        description="",
        category=12.0,
    )
    assert risk.summary == "  Vendor late  "  # text is kept as written (Jira keeps it too)
    assert risk.key == "ALPHA-12" and risk.project == "ALPHA"
    assert risk.updated == datetime(2026, 11, 28, 12, 10, 47, 123000, tzinfo=UTC)
    assert risk.status == "mitigating" and risk.response == "mitigate"
    assert risk.description is None and risk.category == "12"
    assert risk.due_date == date(2026, 12, 1)


def test_change_request_decision_follows_status():
    assert ChangeRequest(summary="c").decision == "pending"
    assert ChangeRequest(summary="c", status="Approved").decision == "approved"
    assert (
        ChangeRequest(summary="c", status="Implemented", decision="Approved").decision == "approved"
    )
    with pytest.raises(ValidationError, match="decision"):
        ChangeRequest(summary="c", status="Rejected", decision="Approved")
    cr = ChangeRequest(
        summary="c", change_type="Budget", cost_impact="2500", schedule_impact_days=5
    )
    assert (cr.change_type, cr.cost_impact, cr.schedule_impact_days) == ("cost", 2500.0, 5.0)


def test_work_item_progress_and_dates():
    item = WorkItem(summary="w", item_type="User Story", progress="80%", start_date="2026-01-05")
    assert item.item_type == "story" and item.progress == 0.8
    with pytest.raises(ValidationError, match="after due date"):
        WorkItem(summary="w", start_date="2026-02-01", due_date="2026-01-01")
    with pytest.raises(ValidationError):
        WorkItem(summary="w", progress=80)


def test_project_budget_and_baseline():
    project = Project(key="alpha", name="Alpha", rag="A", bac="100000", ev=40000)
    assert project.rag == "amber" and project.bac == 100000.0
    with pytest.raises(ValidationError, match="baseline start"):
        Project(key="ALPHA", name="A", baseline_start="2026-05-01", baseline_finish="2026-04-01")
    with pytest.raises(ValidationError):
        Project(key="ALPHA", name="A", rag="Purple")


def test_every_entity_builds_from_a_summary():
    for name, cls in ENTITY_TYPES.items():
        data = {
            "project": {"key": "ALPHA", "name": "A"},
            "resource": {"key": "ana@example.com"},
            "allocation": {"key": "A-1", "person": "ana", "project": "ALPHA", "planned_hours": 8},
        }.get(name, {"summary": "s"})
        assert build_record(name, data, source="t").__class__ is cls


def test_build_record_names_source_field_value_and_allowed_values():
    with pytest.raises(RecordValidationError) as caught:
        build_record(
            "risk",
            {"summary": "r", "probability": "Hgh", "due_date": "soon", "colour": "red"},
            source="raid_log.xlsx, Risk Register row 7",
        )
    error = caught.value
    assert len(error.problems) == 3
    text = str(error)
    assert "raid_log.xlsx, Risk Register row 7" in text
    assert "field 'probability'" in text and "'Hgh'" in text and "Very High" in text
    assert "field 'due_date'" in text and "YYYY-MM-DD" in text
    assert "field 'colour'" in text and "unknown field for risk" in text


def test_build_record_missing_summary():
    with pytest.raises(RecordValidationError, match="ALPHA-3, field 'summary': is required"):
        build_record("risk", {}, source="ALPHA-3")


def test_thresholds_must_be_ordered():
    with pytest.raises(ValidationError, match="low_max < medium_max"):
        RiskLevelThresholds(low_max=9, medium_max=5, high_max=15)
    with pytest.raises(ValueError, match="outside"):
        RiskLevelThresholds().level(26)


def test_empty_scale_values_are_none_not_a_crash():
    for empty in (None, "", "  "):
        risk = build_record(
            "risk", {"summary": "r", "probability": empty, "impact": empty}, source="row 5"
        )
        assert risk.probability is None and risk.score is None
    with pytest.raises(RecordValidationError, match="field 'impact'"):
        build_record("risk", {"summary": "r", "impact": 9}, source="row 5")
