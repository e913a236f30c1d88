"""Values that confirm or overturn a header, columns that claim one field, trackers
nothing fits, and what the confidences mean."""

from __future__ import annotations

from datetime import date
from string import ascii_uppercase
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.classify import classify
from mapper.evidence import ColumnEvidence, TrackerEvidence

TEXTS = (
    "Go-live slips by two weeks if the vendor delivers the interface late",
    "Extra licence cost of about 20k if the user count grows past the tier",
    "Data migration has to be redone if the legacy extract is incomplete",
)
UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def _tracker(sheet: str, **columns: dict[str, Any]) -> TrackerEvidence:
    """Columns by header (underscores for spaces), each with its evidence."""
    return TrackerEvidence(
        name=sheet,
        sheet=sheet,
        columns=tuple(
            ColumnEvidence(header.replace("_", " "), letter=ascii_uppercase[i], **evidence)
            for i, (header, evidence) in enumerate(columns.items())
        ),
    )


def _by_header(guess):
    return {f.header: f for f in guess.fields}


def test_values_overturn_a_header_guess():
    """A register whose Impact column holds prose and whose Severity column holds the
    1-5 scale: Severity is the impact, and Impact is left with the values that refuted it."""
    tracker = _tracker(
        "Risks",
        Risk={"samples": ("Vendor late", "Licence cost", "Migration")},
        Likelihood={"samples": (4, 2, 3)},
        Severity={"samples": (5, 3, 4)},
        Impact={"samples": TEXTS},
    )
    fields = _by_header(classify(tracker))
    assert fields["Severity"].field == "impact"
    assert fields["Impact"].field is None
    assert "fit no impact label" in fields["Impact"].reason
    assert "'Go-live slips by two weeks" in fields["Impact"].reason
    assert fields["Likelihood"].field == "probability"


def test_values_of_another_map_are_named():
    tracker = _tracker(
        "Status Tracker", Task={}, Status={"samples": ("Green", "Amber", "Red", "Green")}
    )
    status = _by_header(classify(tracker))["Status"]
    assert status.field is None
    assert "they are RAG status labels" in status.reason


def test_values_decide_the_entity_when_the_headers_do_not():
    work = _tracker("Sheet1", Title={}, Type={"list_values": ("Epic", "Story", "Task")}, Status={})
    change = _tracker(
        "Sheet1", Title={}, Type={"list_values": ("Scope", "Schedule", "Cost")}, Status={}
    )
    approvals = _tracker(
        "Sheet1", Title={}, Owner={}, Status={"list_values": ("已批准", "已拒绝", "待审批")}
    )
    assert classify(work).entity == "work_item"
    assert _by_header(classify(work))["Type"].field == "item_type"
    assert classify(change).entity == "change_request"
    assert _by_header(classify(change))["Type"].field == "change_type"
    assert classify(approvals).entity == "change_request"


def test_two_columns_claiming_one_field():
    tracker = _tracker(
        "Risks",
        Risk_Title={},
        Probability={"list_values": ("1", "2", "3", "4", "5")},
        Likelihood={},
        Impact={},
    )
    fields = _by_header(classify(tracker))
    assert fields["Probability"].field == "probability"
    assert fields["Likelihood"].field is None
    assert fields["Likelihood"].reason.startswith(
        "also matches probability, which column B ('Probability') has with higher confidence"
    )
    assert fields["Likelihood"].alternatives[0][0] == "probability"


def test_two_equal_columns_the_first_keeps_the_field():
    tracker = _tracker("Risks", Risk={}, Probability={}, Likelihood={})
    fields = _by_header(classify(tracker))
    assert fields["Probability"].field == "probability"
    assert fields["Likelihood"].field is None
    assert "with the same confidence, and it comes first" in fields["Likelihood"].reason


def test_a_tracker_nothing_fits():
    """The resource sheet of the shared cost model: people and rates, no PMO entity."""
    tracker = _tracker(
        "Resource",
        Name={"samples": ("Kevin McAleer", "BA", "Tester")},
        Manager={"samples": ("Kevin McAleer", "Kevin McAleer")},
        Role={"samples": ("Project Manager", "Business Analyst", "Test Analyst")},
        Team={"samples": ("Project Team",)},
        Rate={"samples": (500, 400, 450)},
        Cost_Type={"list_values": ("Capex", "Opex", "Overhead")},
        Total_Days={"kinds": {"formula": 3}},
    )
    guess = classify(tracker)
    assert guess.entity is None
    assert guess.confidence == 0.0
    assert guess.reason.startswith("nothing fits")
    assert "'Rate'" in guess.reason
    assert all(f.field is None for f in guess.fields)
    assert len(guess.fields) == len(tracker.columns)


def test_fields_every_tracker_has_do_not_choose_one():
    guess = classify(_tracker("Sheet2", Description={}, Owner={}, Status={}, Due_Date={}))
    assert guess.entity is None
    assert "nothing fits" in guess.reason
    assert "header 'Owner' means owner" in _by_header(guess)["Owner"].reason


def test_without_a_summary_column_the_best_text_column_is_proposed_and_said():
    tracker = _tracker(
        "Issue Log",
        ID={},
        Details={"samples": ("Server room flooded on Monday", "Vendor contract unsigned")},
        Priority={"samples": ("High", "Low")},
        Owner={},
    )
    guess = classify(tracker)
    details = _by_header(guess)["Details"]
    assert (guess.entity, details.field) == ("raid_issue", "summary")
    assert details.reason.startswith("no column is a clear summary")
    assert details.confidence <= 0.6
    assert "the summary is a guess" in guess.reason


def test_a_register_no_column_can_summarise_says_so_and_is_less_sure():
    with_title = _tracker(
        "Risks",
        Risk={"samples": ("Vendor late", "Budget cut")},
        Probability={"samples": (1, 2)},
        Impact={"samples": (3, 4)},
    )
    without = _tracker(
        "Risks",
        Probability={"samples": (1, 2)},
        Impact={"samples": (3, 4)},
        Owner={"samples": ("Ana Lima", "Li Wei")},
    )
    guess = classify(without)
    assert guess.entity == "risk"
    assert "no column can be the summary" in guess.reason
    assert guess.confidence <= 0.5 < classify(with_title).confidence


def test_a_description_yields_the_summary_to_a_title_column():
    tracker = _tracker("Risks", Title={}, Description={}, Probability={})
    fields = _by_header(classify(tracker))
    assert (fields["Title"].field, fields["Description"].field) == ("summary", "description")
    alone = _by_header(classify(_tracker("Risks", Description={}, Probability={})))
    assert alone["Description"].field == "summary"
    # A register's Description is its summary by the header itself, not as a fallback.
    assert "usually means summary" in alone["Description"].reason
    assert alone["Description"].confidence >= 0.7


def test_a_weak_header_is_never_read_inside_a_longer_one():
    """ "Date" usually means the date raised, but "Closure Date" is not a date raised."""
    closure = _by_header(classify(_tracker("Risks", Risk={}, Closure_Date={})))["Closure Date"]
    assert closure.field is None


def test_derived_fields_are_recognised_as_one_way():
    tracker = _tracker(
        "Change Log",
        Title={},
        Status={"list_values": ("Submitted", "Approved", "Rejected")},
        Decision={"list_values": ("Pending", "Approved", "Rejected")},
    )
    decision = _by_header(classify(tracker))["Decision"]
    assert decision.field == "decision"
    assert "derived" in decision.reason and "one-way" in decision.reason
    assert "from the status" in decision.reason


def test_pmo_syncs_identity_columns():
    tracker = _tracker(
        "Issue Log",
        Issue={},
        Jira_Key={"samples": ("ALPHA-1", "ALPHA-12")},
        Sync_ID={"samples": (UUID,), "hidden": True},
    )
    fields = _by_header(classify(tracker))
    assert (fields["Jira Key"].field, fields["Sync ID"].field) == ("key", "sync_id")
    assert "Jira issue keys" in fields["Jira Key"].reason


def test_percentages_people_and_dates_confirm_their_fields():
    tracker = _tracker(
        "Status Tracker",
        Task={},
        **{"% Complete": {"samples": (0.8, 0.25), "kinds": {"percent": 2}}},
        Assignee={"samples": ("ana@example.com", "li.wei@example.com")},
        Due={"samples": (date(2025, 5, 1), date(2025, 6, 1))},
    )
    fields = _by_header(classify(tracker))
    assert fields["% Complete"].field == "progress"
    assert "percentages" in fields["% Complete"].reason
    assert "email addresses" in fields["Assignee"].reason
    assert "values are dates" in fields["Due"].reason
    assert all(f.confidence >= 0.95 for f in fields.values() if f.header != "Task")


def test_values_that_partly_fit_lower_the_confidence_and_are_named():
    plain = _tracker("Status Tracker", Task={}, Progress={"samples": (0.8, 0.2)})
    hundred = _tracker("Status Tracker", Task={}, Progress={"samples": (80, 20, 100)})
    sure = _by_header(classify(plain))["Progress"]
    unsure = _by_header(classify(hundred))["Progress"]
    assert sure.field == unsure.field == "progress"
    assert unsure.confidence < sure.confidence
    assert "80 may mean 80%" in unsure.reason


def test_dates_that_are_not_dates_refute_a_date_header():
    tracker = _tracker("Risks", Risk={}, Due_Date={"samples": ("next week", "tbc", "Q3")})
    due = _by_header(classify(tracker))["Due Date"]
    assert due.field is None
    assert "'next week', 'tbc', 'Q3' are not dates" in due.reason


def test_confidence_orders_the_evidence():
    """Exact header with fitting values > exact header alone > a spelling variant; a
    refuted header is not proposed at all."""
    fitting = _tracker("Risks", Risk={}, Probability={"list_values": ("1", "2", "3")})
    bare = _tracker("Risks", Risk={}, Probability={})
    variant = _tracker("Risks", Risk={}, Probabilty={})
    refuted = _tracker("Risks", Risk={}, Probability={"samples": TEXTS})
    scores = [
        next(f for f in classify(t).fields if f.header.startswith("Proba")).confidence
        for t in (fitting, bare, variant)
    ]
    assert scores[0] > scores[1] > scores[2] >= 0.6
    assert _by_header(classify(refuted))["Probability"].field is None


def test_entity_confidence_grows_with_distinctive_evidence():
    one = _tracker("Sheet1", Risk={}, Probability={})
    two = _tracker("Sheet1", Risk={}, Probability={}, Impact={})
    named = TrackerEvidence("Risks", "Risk Register", two.columns)
    confidences = [classify(t).confidence for t in (one, two, named)]
    assert confidences[0] < confidences[1] <= confidences[2]
    assert classify(named).alternatives[0][1] < confidences[2]


def test_one_guess_per_column_in_order_and_the_evidence_untouched():
    tracker = _tracker("Risks", ID={}, Risk={}, Probability={}, Notes={})
    first, second = classify(tracker), classify(tracker)
    assert first == second
    assert [f.header for f in first.fields] == ["ID", "Risk", "Probability", "Notes"]
    mapped = [f.field for f in first.fields if f.field]
    assert len(mapped) == len(set(mapped))


def test_a_project_list_keeps_issue_keys_apart_from_its_project_key():
    tracker = _tracker(
        "Projects",
        Project_Key={"samples": ("ALPHA", "BETA")},
        Project_Name={},
        Project_Manager={},
        Jira_Key={"samples": ("ALPHA-1", "BETA-7")},
    )
    guess = classify(tracker)
    fields = _by_header(guess)
    assert (guess.entity, fields["Project Key"].field) == ("project", "key")
    assert fields["Jira Key"].field is None
    assert "a project's key is its Jira project key" in fields["Jira Key"].reason


def test_values_alone_suggest_a_field_no_header_names_with_low_confidence():
    """A Dutch header no shipped language lists ("Ernst": severity) over High/Medium/Low,
    and a "Done" column of percentages: the values propose, the person confirms."""
    register = _tracker(
        "Risks",
        Risk={},
        Probability={"list_values": ("1", "2", "3", "4", "5")},
        Ernst={"list_values": ("High", "Medium", "Low")},
    )
    ernst = _by_header(classify(register))["Ernst"]
    assert ernst.field == "impact"
    assert "the header does not name impact" in ernst.reason
    assert ernst.confidence <= 0.5
    tracker = _tracker(
        "Status Tracker",
        Task={},
        Done={"samples": (0.8, 0.25, 1.0), "kinds": {"percent": 3}},
        Ernst={"samples": ("High", "Medium", "Low")},
    )
    fields = _by_header(classify(tracker))
    assert fields["Done"].field == "progress"
    assert "the header does not say" in fields["Done"].reason
    assert fields["Done"].confidence <= 0.5
    assert fields["Ernst"].field is None  # no field of a work item holds High/Medium/Low


def test_a_head_word_decides_between_two_synonyms_inside_a_header():
    """English puts the head word last ("Category Owner" is a person), French first
    ("Responsable Catégorie" is a person, "Catégorie Responsable" a category)."""
    english = _by_header(classify(_tracker("Risks", Risk={}, Category_Owner={})))
    assert english["Category Owner"].field == "owner"
    french = _by_header(classify(_tracker("Risques", Risque={}, Responsable_Catégorie={})))
    assert french["Responsable Catégorie"].field == "owner"
    backwards = _by_header(classify(_tracker("Risques", Risque={}, Catégorie_Responsable={})))
    assert backwards["Catégorie Responsable"].field == "category"


_HEADERS = st.sampled_from(
    ["", " ", "ID", "Risk", "Description", "Probability", "Impact", "Owner", "Status",
     "概率", "影響度", "Fällig am", "Échéance", "% Complete", "Jira Key", "Sync ID", "Type",
     "Decision", "Exposure", "Notes", "１．Ｒｉｓｋ", "Risk (%)", "(1)", "#"]
)  # fmt: skip
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=40),
    st.dates(),
    st.sampled_from(["High", "高", "Open", "80%", "ALPHA-1", UUID, "2025-03-01", "a@b.co"]),
)
_COLUMNS = st.lists(
    st.builds(
        lambda header, samples, listed: ColumnEvidence(
            header, samples=tuple(samples), list_values=listed
        ),
        _HEADERS,
        st.lists(_VALUES, max_size=6),
        st.one_of(
            st.none(),
            st.lists(st.sampled_from(["1", "2", "高", "Yes", "x"]), max_size=4).map(tuple),
        ),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(columns=_COLUMNS, sheet=st.sampled_from(["Sheet1", "Risk Register", "RAID Log", ""]))
def test_any_evidence_gets_an_answer_that_keeps_the_rules(columns, sheet):
    guess = classify(TrackerEvidence(sheet, sheet, tuple(columns)))
    assert len(guess.fields) == len(columns)
    assert [f.header for f in guess.fields] == [c.header for c in columns]
    mapped = [f.field for f in guess.fields if f.field]
    assert len(mapped) == len(set(mapped))  # no field claimed twice
    assert 0.0 <= guess.confidence <= 1.0
    assert all(0.0 <= f.confidence <= 1.0 and f.reason for f in guess.fields)
    if guess.entity is None:
        assert not mapped and guess.confidence == 0.0
