"""Jira fields and issue types matched on a site that names them in its own language."""

from __future__ import annotations

from connectors.jira.fields import FieldCatalog
from mapper.jira_match import choose_issue_types, match_fields


def _catalog(*custom: str) -> FieldCatalog:
    system = [{"id": "summary", "name": "Summary"}, {"id": "assignee", "name": "Assignee"}]
    fields = [
        {"id": f"customfield_{10000 + i}", "name": name, "custom": True,
         "schema": {"type": "option"}}
        for i, name in enumerate(custom)
    ]  # fmt: skip
    return FieldCatalog(system + fields)


def test_a_german_sites_fields_are_found_by_their_german_names():
    chosen = match_fields(
        "risk", ["summary", "probability", "impact", "owner"],
        _catalog("Eintrittswahrscheinlichkeit", "Auswirkung"),
    )  # fmt: skip
    assert chosen["probability"].jira == "Eintrittswahrscheinlichkeit"
    assert "German" in chosen["probability"].reason
    assert chosen["impact"].jira == "Auswirkung"
    assert chosen["owner"].jira == "assignee"


def test_two_site_fields_meaning_one_field_are_not_guessed_between():
    chosen = match_fields(
        "risk", ["probability"], _catalog("Wahrscheinlichkeit", "Eintrittswahrscheinlichkeit")
    )
    assert chosen["probability"].jira is None  # kept in the workbook, the user chooses
    assert "no Jira field 'Probability'" in chosen["probability"].reason


def test_an_english_name_wins_over_a_translation():
    chosen = match_fields("risk", ["probability"], _catalog("Probability", "Wahrscheinlichkeit"))
    assert chosen["probability"].jira == "Probability"


def test_issue_types_named_in_the_sites_language():
    assert choose_issue_types("risk", ["Aufgabe", "Risiko", "Epic"]).issue_types == ("Risiko",)
    assert choose_issue_types("change_request", ["变更请求", "任务"]).issue_types == ("变更请求",)
    assert choose_issue_types("action", ["Tâche", "Risque"]).issue_types == ("Tâche",)
    work = choose_issue_types("work_item", ["エピック", "ストーリー", "リスク"])
    assert work.issue_types == ("エピック", "ストーリー")
    assert choose_issue_types("risk", ["Risk", "Risiko"]).issue_types == ("Risk",)


def test_a_type_the_site_lacks_in_every_language_is_said():
    choice = choose_issue_types("decision", ["Task", "Bug"])
    assert "no 'Decision' issue type" in choice.reason
