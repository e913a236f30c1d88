"""State: human edits, changelog and ``updated`` on every write, persistence, the demo seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import SandboxServer, running_sandbox
from sandbox.seed.site import CUSTOM_FIELDS


def test_demo_seed_content(sandbox_cloud: Any) -> None:
    store = sandbox_cloud.store
    cat = store.catalog
    assert {p.key: p.name for p in cat.projects.values()} == {
        "ALPHA": "Alpha Data Platform Migration",
        "BETA": "Beta Customer Portal",
        "GAMMA": "Gamma Office Move",
    }
    assert [f.name for f in cat.fields.values() if f.custom] == [n for n, _, _ in CUSTOM_FIELDS]
    risk_statuses = {
        cat.statuses[i.fields["status"]].name
        for i in store.issues.values()
        if cat.issue_types[i.fields["issuetype"]].name == "Risk"
    }
    assert risk_statuses == {"Open", "Mitigating", "Closed"}
    approved = store.get("ALPHA-8")
    assert cat.statuses[approved.fields["status"]].name == "Approved"
    assert approved.fields[cat.custom_field("Decision Date").id] == "2026-10-20"


def test_demo_seed_is_deterministic() -> None:
    a = SandboxServer(seed="demo").store
    b = SandboxServer(seed="demo").store
    assert [(i.key, i.fields, len(i.changelog)) for i in a.issues.values()] == [
        (i.key, i.fields, len(i.changelog)) for i in b.issues.values()
    ]


def test_human_edit_bumps_updated_and_changelog(sandbox_cloud: Any, api: Any) -> None:
    before = api(sandbox_cloud, "GET", "issue/ALPHA-2", params={"expand": "changelog"}).json()
    sandbox_cloud.store.human_edit(
        "ALPHA-2", {"Probability": "Very High", "summary": "PM edit"}, author="alice"
    )
    after = api(sandbox_cloud, "GET", "issue/ALPHA-2", params={"expand": "changelog"}).json()
    assert after["fields"]["updated"] > before["fields"]["updated"]
    last = after["changelog"]["histories"][-1]
    assert last["author"]["displayName"] == "Alice Anders"
    assert {i["field"]: i["toString"] for i in last["items"]} == {
        "Probability": "Very High",
        "summary": "PM edit",
    }
    stamp = after["fields"]["updated"]
    assert len(stamp) == len("2026-11-28T12:10:47.123+0000") and stamp[19] == "."


def test_human_transition_and_comment(sandbox_cloud: Any) -> None:
    store = sandbox_cloud.store
    issue = store.human_transition("ALPHA-2", "Start Mitigation", author="bob")
    assert store.catalog.statuses[issue.fields["status"]].name == "Mitigating"
    with pytest.raises(ValueError):
        store.human_transition("ALPHA-2", "Reopen Risk")
    with pytest.raises(ValueError):
        store.human_edit("ALPHA-2", {"status": "Closed"})
    before = issue.fields["updated"]
    store.human_comment("ALPHA-2", "Discussed with *vendor*")
    assert issue.fields["updated"] > before and len(issue.comments) == 1


def test_every_http_write_bumps_updated(sandbox_cloud: Any, api: Any) -> None:
    def updated() -> str:
        return api(sandbox_cloud, "GET", "issue/BETA-2", params={"fields": "updated"}).json()[
            "fields"
        ]["updated"]

    stamps = [updated()]
    api(sandbox_cloud, "PUT", "issue/BETA-2", api="2", json={"fields": {"summary": "a"}})
    stamps.append(updated())
    api(sandbox_cloud, "POST", "issue/BETA-2/transitions", json={"transition": {"id": "11"}})
    stamps.append(updated())
    api(sandbox_cloud, "POST", "issue/BETA-2/comment", api="2", json={"body": "c"})
    stamps.append(updated())
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    log = api(sandbox_cloud, "GET", "issue/BETA-2/changelog").json()["values"]
    assert [i["field"] for i in log[-1]["items"]] == ["status"]


def test_persistence_round_trip(tmp_path: Path, api: Any) -> None:
    data = tmp_path / "sandbox.json"
    with running_sandbox(mode="cloud", data_file=data) as server:
        api(server, "PUT", "issue/ALPHA-1/properties/pmo", json={"row": 1})
        api(server, "POST", "issue/ALPHA-1/comment", api="2", json={"body": "kept"})
        created = api(
            server,
            "POST",
            "issue",
            api="2",
            json={
                "fields": {
                    "project": {"key": "GAMMA"},
                    "issuetype": {"name": "Task"},
                    "summary": "survives",
                }
            },
        ).json()
    assert data.exists()
    with running_sandbox(mode="cloud", data_file=data, seed=None) as server:
        assert (
            api(server, "GET", f"issue/{created['key']}", api="2").json()["fields"]["summary"]
            == "survives"
        )
        assert api(server, "GET", "issue/ALPHA-1/properties/pmo").json()["value"] == {"row": 1}
        assert (
            api(server, "GET", "issue/ALPHA-1/comment", api="2").json()["comments"][0]["body"]
            == "kept"
        )
        nxt = api(
            server,
            "POST",
            "issue",
            api="2",
            json={
                "fields": {
                    "project": {"key": "GAMMA"},
                    "issuetype": {"name": "Task"},
                    "summary": "next",
                }
            },
        ).json()
        assert int(nxt["id"]) == int(created["id"]) + 1


def test_scale_seed_small(api: Any) -> None:
    with running_sandbox(mode="cloud", seed="scale:3000") as server:
        count = api(
            server, "POST", "search/approximate-count", json={"jql": "project = ALPHA"}
        ).json()
        assert count == {"count": 1000 + 18 * 0}
        r = api(
            server,
            "POST",
            "search/jql",
            json={
                "jql": 'issuetype = Risk AND Probability in (High, "Very High") '
                "ORDER BY updated DESC",
                "fields": ["summary", server.store.catalog.custom_field("Probability").id],
                "maxResults": 100,
            },
        )
        assert r.status_code == 200 and len(r.json()["issues"]) == 100
