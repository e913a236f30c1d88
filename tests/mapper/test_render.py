"""The annotated mapping TOML: valid as written, every choice with its reason."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from mapper.jira_match import IssueTypeChoice, JiraChoice, match_fields
from mapper.proposal import ColumnProposal, Proposal, TrackerProposal
from mapper.render import checked_mapping, render_mapping


def _column(header, letter, name, confidence=0.9, reason="header match", **kw):
    return ColumnProposal(header, letter, name, confidence, reason, **kw)


def _risk_tracker() -> TrackerProposal:
    jira = match_fields("risk", ["summary", "probability", "owner", "created"], None)
    return TrackerProposal(
        sheet="风险登记册",
        table=None,
        header_row=3,
        rows=12,
        entity="risk",
        confidence=0.92,
        reason="6 of 8 columns are risk fields",
        title="项目风险登记册",
        issue_types=IssueTypeChoice(("Risk",), "issue type Risk exists on the site"),
        columns=[
            _column("风险编号", "A", None, 0.0, "the tracker's own numbering"),
            _column("风险描述", "B", "summary", jira=jira["summary"]),
            _column(
                "概率",
                "C",
                "probability",
                0.55,
                "header 概率 = probability (zh-Hans)",
                jira=jira["probability"],
                value_map="probability",
                excel_labels={"4": ["高"], "3": ["中"], "2": ["低"]},
                unknown_labels=["极端"],
            ),
            _column("负责人", "D", "owner", jira=jira["owner"]),
            _column("登记日期", "E", "created", jira=jira["created"]),
            _column("Jira 编号", "F", "key"),
            _column("同步 ID", "G", "sync_id", hidden=True),
        ],
        suggestions=["Risk Owner (user)"],
    )


def test_the_rendered_mapping_loads_and_says_why(tmp_path: Path):
    other = _risk_tracker()
    other.sheet, other.header_row = "Old risks", 1
    proposal = Proposal(
        tmp_path / "风险 登记册.xlsx",
        [_risk_tracker(), other],
        skipped=[("图表", "a chart sheet")],
    )
    text = render_mapping(proposal, today=date(2026, 12, 4))
    spec = checked_mapping(text, "proposal")
    (entity,) = spec.entities
    assert entity.type == "risk" and entity.excel.sheet == "风险登记册"
    assert entity.excel.key_column == "Jira 编号" and entity.excel.sync_id_column == "同步 ID"
    probability = entity.field("probability")
    assert probability.excel == "概率" and probability.jira == "Probability"
    assert probability.excel_labels == {"4": ["高"], "3": ["中"], "2": ["低"]}
    assert entity.field("created").direction == "jira-to-excel"
    assert entity.field("summary").required
    assert spec.name == "风险_登记册"
    assert "? C header 概率 = probability (zh-Hans)" in text  # a guess to check
    assert "极端" in text and "'风险编号': not synced (the tracker's own numbering)" in text
    assert "Risk Owner (user)" in text and "a second risk tracker" in text
    assert "no tracker on sheet '图表': a chart sheet" in text
    assert tomllib.loads(text)["entity"][0]["excel"]["header_row"] == 3


def test_an_offline_field_choice_says_it_was_not_checked():
    (choice,) = match_fields("change_request", ["cost_impact"], None).values()
    assert choice == JiraChoice("Cost Impact", "both", None, None, choice.reason)
    assert "offline" in choice.reason
