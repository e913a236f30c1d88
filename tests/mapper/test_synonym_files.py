"""The shipped header/value knowledge: complete for the model, consistent, and matched as
PMOs write headers (full-width, numbered, misspelt, inside longer headers)."""

from __future__ import annotations

import pytest

from mapper.synonyms import (
    OWN_ID,
    Knowledge,
    SynonymFileError,
    key_of,
    knowledge,
    match_cues,
    match_header,
)
from mapper.valuefit import classifiable_fields, field_kind
from mappings import values as vm
from mappings.errors import RecordValidationError
from mappings.model import ENTITY_TYPES, build_record

LANGUAGES = {"en", "zh-Hans", "zh-Hant", "de", "fr", "es", "pt", "ja"}
CORE_MAPS = (
    "probability",
    "impact",
    "risk_status",
    "change_request_status",
    "status",
    "priority",
    "yes_no",
    "rag_status",
    "decision",
)
MINIMAL = 'language = "xx"\nname = "Test"\n'


def _top(header: str) -> tuple[str | None, str]:
    best = match_header(header)[0]
    return best.entity, best.field


def test_every_language_the_issue_names_ships():
    assert {language.code for language in knowledge().languages} == LANGUAGES


@pytest.mark.parametrize("entity", sorted(ENTITY_TYPES))
def test_every_field_a_column_can_hold_has_an_english_header(entity):
    record = entity != "project"
    named = {
        s.field
        for s in knowledge().synonyms
        if s.language.code == "en"
        and (s.entity == entity or (s.entity is None and (record or s.field == "sync_id")))
    }
    missing = set(classifiable_fields(entity)) - named
    assert not missing, f"{entity}: no English header for {sorted(missing)}"


@pytest.mark.parametrize("code", sorted(LANGUAGES - {"en"}))
def test_every_other_language_covers_the_core_value_maps_and_the_risk_register(code):
    labels = {
        label.map_name
        for values in knowledge().values.values()
        for found in values.values()
        for label in found
        if label.source == next(lang.name for lang in knowledge().languages if lang.code == code)
    }
    assert set(CORE_MAPS) <= labels
    fields = {(s.entity, s.field) for s in knowledge().synonyms if s.language.code == code}
    for needed in ("probability", "impact", "mitigation", "summary", OWN_ID):
        assert ("risk", needed) in fields, f"{code} has no risk {needed} header"
    for needed in ("owner", "due_date", "status", "description"):
        assert (None, needed) in fields, f"{code} has no common {needed} header"


@pytest.mark.parametrize("entity", sorted(ENTITY_TYPES))
def test_each_field_kind_is_what_the_model_validates(entity):
    """A field read as a value map validates that map's labels and refuses others, so
    the classifier checks a column's values against what a sync will accept."""
    for name in classifiable_fields(entity):
        kind = field_kind(entity, name)
        if kind.kind != "enum" or name in ENTITY_TYPES[entity].derived_fields:
            continue  # a derived field is computed, never taken from a label
        value_map = vm.BUILTIN_MAPS[kind.value_map]
        base = {"name": "Alpha", "key": "ALPHA"} if entity == "project" else {"summary": "x"}
        label = value_map.preferred_labels[-1]
        build_record(entity, {**base, name: label}, source="test")
        with pytest.raises(RecordValidationError, match=value_map.name):
            build_record(entity, {**base, name: "no such label"}, source="test")


def test_a_field_the_model_lacks_is_refused_with_its_place():
    with pytest.raises(SynonymFileError, match=r"bad\.toml: risk\.colour: not a field of risk"):
        Knowledge([("bad.toml", MINIMAL + '[risk]\ncolour = ["Farbe"]\n')])


def test_an_unknown_value_map_or_value_is_refused():
    with pytest.raises(SynonymFileError, match="no such value map"):
        Knowledge([("bad.toml", MINIMAL + '[values.likelihood]\n"4" = ["Hoch"]\n')])
    with pytest.raises(SynonymFileError, match="not a canonical probability value"):
        Knowledge([("bad.toml", MINIMAL + '[values.probability]\n"6" = ["Extrem"]\n')])


def test_one_label_meaning_two_values_is_refused_across_files_and_the_builtin_map():
    one = MINIMAL + '[values.probability]\n"4" = ["Hoch"]\n'
    other = MINIMAL + '[values.probability]\n"5" = ["hoch"]\n'
    with pytest.raises(SynonymFileError, match="'hoch' means 5"):
        Knowledge([("one.toml", one), ("other.toml", other)])
    with pytest.raises(SynonymFileError, match="built-in"):
        Knowledge([("bad.toml", MINIMAL + '[values.probability]\n"2" = ["High"]\n')])


def test_keys_ignore_width_case_accents_numbering_and_punctuation():
    assert key_of("Ｒｉｓｋ　ＩＤ") == key_of("risk id") == "riskid"
    assert key_of("1. Impact") == key_of("(2) impact") == "impact"
    assert key_of("Échéance") == key_of("ECHEANCE")
    assert key_of("Maßnahmen") == key_of("Massnahmen")
    assert key_of("リスク管理表") == "リスク管理表"  # kana voicing marks are kept


@pytest.mark.parametrize(
    ("header", "entity", "field"),
    [
        ("概率", "risk", "probability"),
        ("发生概率", "risk", "probability"),
        ("Eintrittswahrscheinlichkeit", "risk", "probability"),
        ("Eintrittswahrscheinlichkeit (%)", "risk", "probability"),
        ("Ｐｒｏｂａｂｉｌｉｔｙ", "risk", "probability"),
        ("风险编号", "risk", OWN_ID),
        ("No.", None, OWN_ID),
        ("Jira Key", None, "key"),
        ("Sync ID", None, "sync_id"),
        ("% Complete", "work_item", "progress"),
        ("Escalation Required (Y/N)?", "raid_issue", "escalate"),
        ("Raised By", "change_request", "requester"),
    ],
)
def test_exact_headers(header, entity, field):
    assert _top(header) == (entity, field)
    assert match_header(header)[0].how == "exact"


def test_a_cjk_header_matches_by_containment_below_an_exact_one():
    found = match_header("风险描述说明")
    assert (found[0].entity, found[0].field, found[0].how) == ("risk", "summary", "contains")
    assert found[0].score < match_header("风险描述")[0].score


def test_a_longer_header_takes_the_synonym_that_explains_most_of_it():
    assert _top("Risk Owner Name") == ("risk", "owner")
    assert _top("Short Mitigation Brief") == ("risk", "mitigation")
    # French puts the head word first: "Impact coût estimé" is a cost impact.
    assert _top("Impact coût estimé") == ("change_request", "cost_impact")


def test_a_german_compound_is_recognised_by_its_last_part():
    found = match_header("Projektrisikobeschreibung")
    assert (found[0].entity, found[0].field, found[0].how) == ("risk", "summary", "contains")


def test_spelling_variants_match_with_a_lower_score():
    found = match_header("Probabilty")
    assert (found[0].field, found[0].how) == ("probability", "fuzzy")
    assert 0.7 < found[0].score < match_header("Probability")[0].score
    assert {m.field for m in match_header("Imapct")} == {"impact", "impact_summary"}
    # A short word one letter from a synonym is another word, not a slip: "Notes" is
    # not French "Note", "Rate" is not "Date".
    assert match_header("Notes") == ()
    assert match_header("Rate") == ()


def test_an_unknown_header_matches_nothing():
    assert match_header("Proximity") == ()
    assert match_header("") == ()


@pytest.mark.parametrize(
    ("text", "entity", "score"),
    [
        ("Risk Register", "risk", 1.0),
        ("tblRisks", "risk", 0.8),
        ("Projekt Alpha – Risikoregister", "risk", 0.8),
        ("CRs", "change_request", 1.0),
        ("风险登记册", "risk", 1.0),
        ("变更请求", "change_request", 1.0),
        ("課題管理表", "raid_issue", 1.0),
        ("Registre des risques", "risk", 1.0),
        ("Status Tracker", "work_item", 1.0),
    ],
)
def test_sheet_table_and_title_cues(text, entity, score):
    found = match_cues(text)
    assert max(found, key=lambda e: found[e].score) == entity
    assert found[entity].score == pytest.approx(score)


def test_a_raid_log_cue_points_to_every_raid_entity_alike_and_not_elsewhere():
    found = match_cues("RAID Log")
    assert set(found) == {"risk", "raid_issue", "assumption", "dependency", "action", "decision"}
    assert len({c.score for c in found.values()}) == 1
    assert found["risk"].score < 1.0
