"""Compliance end to end, both modes: a risk raised to High in Jira without a mitigation
is a breach after one `pmo-sync sync`, and is gone once the mitigation is typed into the
workbook; every sync keeps its audit in the store."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from pmo_sync.cli import app
from sync.store import StateStore


def _invoke(world: Any, *args: str) -> Any:
    c = world.server.credentials
    token = (c.api_token if world.server.mode == "cloud" else c.token) or ""
    config = str(world.config.base_dir / "pmo-sync.toml")
    return CliRunner().invoke(
        app, [*args, "--config", config], env={"PMO_SYNC_JIRA_TOKEN": token, "COLUMNS": "250"}
    )


def _breaches(world: Any, key: str) -> list[dict[str, Any]]:
    audited = _invoke(world, "audit", "--json")
    assert audited.exit_code in (0, 1), audited.output
    return [b for b in json.loads(audited.output)["breaches"] if b["key"] == key]


def test_a_high_risk_without_mitigation_is_a_breach_until_one_is_written(world):
    assert _invoke(world, "sync").exit_code == 0
    keys = [r.record.key for r in world.rows("risk").rows if r.record.status != "closed"]
    risk = next(r for r in world.jira_many("risk", keys) if r.response)  # Jira-only field
    assert [b["rule"] for b in _breaches(world, risk.key)] in ([], ["risk-review-current"])

    world.server.store.human_edit(
        risk.key, {"Probability": "Very High", "Impact": "Very High", "Mitigation": None}
    )
    synced = _invoke(world, "sync")
    assert synced.exit_code == 0, synced.output
    (breach,) = [b for b in _breaches(world, risk.key) if b["rule"] == "risk-high-mitigated"]
    assert breach["severity"] == "error" and breach["project"] == "ALPHA"
    assert breach["who"]  # the risk's owner is told
    assert _invoke(world, "audit").exit_code == 1  # an error breach fails the audit

    world.edit_row("risk", risk.key, mitigation="Second supplier signed")
    assert _invoke(world, "sync").exit_code == 0
    assert [b for b in _breaches(world, risk.key) if b["rule"] == "risk-high-mitigated"] == []
    assert world.jira("risk", risk.key).mitigation == "Second supplier signed"

    with StateStore(world.store.path, read_only=True) as store:
        kept = [row for row in store.audits("ALPHA")]
    assert len(kept) == 3  # one audit per sync
    errors = [
        sum(b["rule"] == "risk-high-mitigated" and b["key"] == risk.key for b in row.breaches)
        for row in kept
    ]
    assert errors == [0, 1, 0]
    assert kept[1].score < kept[2].score


def _marked(world: Any, key: str, rule: str) -> list[Any]:
    from compliance.jira_notes import marker
    from sandbox.testing import make_jira

    comments = make_jira(world.server).comments(key)
    return [c for c in comments if marker(rule) in c.body.replace("\\", "")]


def _raise_unplanned(world: Any) -> Any:
    keys = [r.record.key for r in world.rows("risk").rows if r.record.status != "closed"]
    risk = next(r for r in world.jira_many("risk", keys) if r.response)
    world.server.store.human_edit(
        risk.key, {"Probability": "Very High", "Impact": "Very High", "Mitigation": None}
    )
    return risk


def test_breach_comments_are_written_once_and_taken_back(world_factory, tmp_path):
    from sandbox import running_sandbox

    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, sync_settings='breach_notes = "comment"')
        try:
            assert _invoke(world, "sync").exit_code == 0
            risk = _raise_unplanned(world)
            assert _invoke(world, "sync").exit_code == 0
            (comment,) = _marked(world, risk.key, "risk-high-mitigated")
            assert "mitigation" in comment.body
            assert _invoke(world, "sync").exit_code == 0  # a quiet cycle: no second comment
            assert len(_marked(world, risk.key, "risk-high-mitigated")) == 1

            # A process that posted the comment but died before recording it: the next
            # cycle adopts the comment instead of posting another.
            with StateStore(world.store.path) as store, store.transaction():
                store.drop_breach_note(risk.key, "risk-high-mitigated", "comment")
            assert _invoke(world, "sync").exit_code == 0
            assert len(_marked(world, risk.key, "risk-high-mitigated")) == 1

            world.edit_row("risk", risk.key, mitigation="Second supplier signed")
            assert _invoke(world, "sync").exit_code == 0
            assert _marked(world, risk.key, "risk-high-mitigated") == []
        finally:
            world.runner.close()


def test_breach_label_marks_the_issue_while_any_breach_stands(world_factory, tmp_path):
    from compliance.jira_notes import LABEL
    from sandbox import running_sandbox
    from sandbox.testing import make_jira

    with running_sandbox(mode="datacenter", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, sync_settings='breach_notes = "label"')
        try:
            assert _invoke(world, "sync").exit_code == 0
            risk = _raise_unplanned(world)
            assert _invoke(world, "sync").exit_code == 0
            jira = make_jira(server)
            assert LABEL in jira.issue(risk.key).fields.labels
            breaches = _breaches(world, risk.key)
            world.edit_row("risk", risk.key, mitigation="Second supplier signed")
            assert _invoke(world, "sync").exit_code == 0
            left = _breaches(world, risk.key)
            assert (LABEL in jira.issue(risk.key).fields.labels) == bool(left), (breaches, left)
        finally:
            world.runner.close()
