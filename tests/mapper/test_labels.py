"""Value labels from a workbook's own drop-downs, proposed as a mapping's excel_labels."""

from __future__ import annotations

import json

import pytest

from mapper.labels import best_value_maps, fit_value_map, propose_labels, resolve_label
from mappings.mapping import parse_mapping


def test_a_chinese_three_level_scale_maps_to_4_3_2():
    proposal = propose_labels("probability", ["高", "中", "低"])
    assert proposal.excel_labels == {"2": ["低"], "3": ["中"], "4": ["高"]}
    assert proposal.unknown == []
    assert proposal.unlabelled == ["1", "5"]
    assert "three-level" in proposal.note and "never rounded" in proposal.note
    assert "Chinese (simplified)" in proposal.reasons["高"]


def test_an_english_three_level_scale_is_the_one_docs_values_describes():
    proposal = propose_labels("impact", ["High", "Medium", "Low"])
    assert proposal.excel_labels == {"2": ["Low"], "3": ["Medium"], "4": ["High"]}


def test_very_high_spellings_share_a_value_and_the_usual_one_is_written_first():
    proposal = propose_labels("impact", ["极高", "很高", "很低"])
    assert proposal.excel_labels == {"1": ["很低"], "5": ["很高", "极高"]}


@pytest.mark.parametrize(
    ("value_map", "label", "canonical"),
    [
        ("probability", "Hoch", "4"),
        ("probability", "Mittel", "3"),
        ("probability", "Niedrig", "2"),
        ("probability", "Sehr hoch", "5"),
        ("probability", "Élevée", "4"),
        ("probability", "Moyen", "3"),
        ("probability", "Faible", "2"),
        ("probability", "Alta", "4"),
        ("probability", "Media", "3"),
        ("probability", "Baja", "2"),
        ("probability", "Média", "3"),
        ("probability", "Baixa", "2"),
        ("probability", "高い", "4"),
        ("probability", "低い", "2"),
        ("impact", "大", "4"),
        ("impact", "小", "2"),
        ("impact", "較高", "4"),
        ("risk_status", "打开", "open"),
        ("risk_status", "处理中", "mitigating"),
        ("risk_status", "关闭", "closed"),
        ("risk_status", "Offen", "open"),
        ("risk_status", "Geschlossen", "closed"),
        ("risk_status", "開啟", "open"),
        ("risk_status", "対応中", "mitigating"),
        ("change_request_status", "已批准", "approved"),
        ("change_request_status", "已拒绝", "rejected"),
        ("change_request_status", "待审批", "under_review"),
        ("change_request_status", "已提交", "submitted"),
        ("change_request_status", "已核准", "approved"),
        ("change_request_status", "Genehmigt", "approved"),
        ("change_request_status", "Rejetée", "rejected"),
        ("change_request_status", "却下", "rejected"),
        ("decision", "已批准", "approved"),
        ("decision", "Abgelehnt", "rejected"),
        ("decision", "Pendiente", "pending"),
        ("yes_no", "是", "True"),
        ("yes_no", "否", "False"),
        ("yes_no", "Ja", "True"),
        ("yes_no", "Nein", "False"),
        ("yes_no", "Oui", "True"),
        ("yes_no", "Non", "False"),
        ("yes_no", "Sí", "True"),
        ("yes_no", "Sim", "True"),
        ("yes_no", "Não", "False"),
        ("yes_no", "不要", "False"),
        ("rag_status", "红", "red"),
        ("rag_status", "黄", "amber"),
        ("rag_status", "绿", "green"),
        ("rag_status", "Rot", "red"),
        ("rag_status", "Gelb", "amber"),
        ("rag_status", "Grün", "green"),
        ("rag_status", "Orange", "amber"),
        ("rag_status", "Vermelho", "red"),
        ("priority", "最高", "highest"),
        ("priority", "Hoch", "high"),
        ("priority", "Basse", "low"),
        ("status", "Por hacer", "todo"),
        ("status", "Em andamento", "in_progress"),
        ("status", "未着手", "todo"),
        ("status", "完了", "done"),
        ("status", "Zu erledigen", "todo"),
        ("response_strategy", "规避", "avoid"),
        ("response_strategy", "Atténuer", "mitigate"),
        ("change_type", "Umfang", "scope"),
        ("change_type", "Escopo", "scope"),
        ("work_item_type", "Épica", "epic"),
        ("work_item_type", "史诗", "epic"),
    ],
)
def test_labels_in_the_pmos_language(value_map, label, canonical):
    proposal = propose_labels(value_map, [label])
    assert proposal.excel_labels == {canonical: [label]}
    assert proposal.unknown == []


def test_unknown_labels_are_listed_never_guessed():
    proposal = propose_labels("probability", ["High", "Hgh", "Sometimes", "Manor"])
    assert proposal.excel_labels == {"4": ["High"]}
    # "Hgh" is too short to call a typo, "Sometimes" is no label, and "Manor" is one
    # slip from both Minor (2) and Major (4): not ours to pick.
    assert proposal.unknown == ["Hgh", "Sometimes", "Manor"]
    assert all("matches no probability label" in proposal.reasons[u] for u in proposal.unknown)


def test_a_single_slip_of_spelling_is_recognised_and_said():
    proposal = propose_labels("change_request_status", ["Aproved", "Rejcted", "Deferd"])
    assert proposal.excel_labels == {"approved": ["Aproved"], "rejected": ["Rejcted"]}
    assert proposal.unknown == ["Deferd"]  # two slips in six letters: not a typo
    assert "one slip" in proposal.reasons["Rejcted"]


def test_a_number_and_a_label_that_agree_are_one_value():
    proposal = propose_labels("probability", ["1 - Rare", "Very High 5", "4 - Low"])
    assert proposal.excel_labels == {"1": ["1 - Rare"], "5": ["Very High 5"]}
    assert proposal.unknown == ["4 - Low"]  # the number and the words disagree


def test_the_usual_label_is_written_first_as_in_the_real_raid_log():
    """The RAID log's Issue Status list is Open, Work in Progress, Closed, Late, On
    Hold, Duplicate; its hand-written mapping has blocked = [On Hold, Late] and done =
    [Closed, Duplicate]: the map's usual spelling first, whatever the list order."""
    labels = ["Open", "Work in Progress", "Closed", "Late", "On Hold", "Duplicate"]
    proposal = propose_labels("status", labels)
    assert proposal.excel_labels == {
        "todo": ["Open"],
        "in_progress": ["Work in Progress"],
        "blocked": ["On Hold", "Late"],
        "done": ["Closed", "Duplicate"],
    }
    assert proposal.note == ""  # every value has a label


def test_a_proposal_is_a_valid_mapping_and_round_trips_the_workbooks_labels():
    proposal = propose_labels("probability", ["高", "中", "低"])
    labels = ", ".join(f'"{v}" = {json.dumps(ls)}' for v, ls in proposal.excel_labels.items())
    text = f"""
name = "proposed"
[[entity]]
type = "risk"
excel = {{ sheet = "风险登记册" }}
jira = {{ issue_type = "Risk" }}
field = [
  {{ name = "summary", excel = "风险描述", jira = "summary" }},
  {{ name = "probability", excel = "概率", value_map = "probability", excel_labels = {{ {labels} }} }},
]
"""
    mapping = parse_mapping(text, "proposed.toml")
    entity = mapping.entity("risk")
    excel = mapping.value_map(entity.field("probability"), "excel")
    assert [excel.to_canonical(label) for label in ("高", "中", "低")] == [4, 3, 2]
    assert [excel.to_label(value) for value in (4, 3, 2)] == ["高", "中", "低"]


def test_an_unknown_value_map_is_an_error_naming_the_built_in_ones():
    with pytest.raises(ValueError, match="built-in: probability"):
        propose_labels("likelihood", ["High"])


def test_blank_and_repeated_labels_are_read_once():
    proposal = propose_labels("yes_no", ["Yes", "", "  ", "Yes", "No"])
    assert proposal.excel_labels == {"True": ["Yes"], "False": ["No"]}


def test_resolve_label_says_where_a_label_comes_from():
    assert resolve_label("probability", "High").source == "built-in"
    assert resolve_label("probability", "Hoch").source == "language"
    assert resolve_label("probability", "4").canonical == "4"
    assert resolve_label("probability", "Hgh") is None


def test_the_best_value_map_for_a_column():
    rag = best_value_maps(["Green", "Amber", "Red"])[0]
    assert (rag.name, rag.share, rag.numeric) == ("rag_status", 1.0, False)
    statuses = best_value_maps(["已批准", "已拒绝", "待审批"])[:2]
    assert {fit.name for fit in statuses} == {"change_request_status", "decision"}
    numbers = fit_value_map("impact", [1, 2, 3, 4, 5.0])
    assert (numbers.share, numbers.covered, numbers.numeric) == (1.0, 5, True)
    text = fit_value_map("impact", ["Vendor may be late", "Budget cut"])
    assert text.share == 0.0 and text.unknown == ("Vendor may be late", "Budget cut")
