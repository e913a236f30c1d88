"""End-to-end faults: 429 storms honoured to the second, 503s, lost PUTs, auth errors, lag."""

from __future__ import annotations

import time

import pytest
from jira import JIRA

from connectors.jira.errors import JiraAuthError
from connectors.jira.reader import JiraReader
from connectors.jira.site import JiraSiteContext, open_site
from connectors.jira.writer import JiraWriter
from mappings.mapping import MappingSpec
from mappings.model import build_record
from sandbox import SandboxServer, running_sandbox
from sandbox.testing import make_jira

PROJECTS = ["ALPHA", "BETA", "GAMMA"]


def test_429_storm_waits_as_asked(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, waits: list[float]
) -> None:
    server.faults.rate_limit("burst", retry_after=3, count=3, path="/search")
    result = JiraReader(site, raid_spec).read(raid_spec.entity("risk"), PROJECTS)
    assert len(result.records) == 15
    server.faults.unavailable(retry_after=7, count=1, path="/search")
    assert JiraReader(site, raid_spec).read(raid_spec.entity("risk"), PROJECTS).records
    assert waits == [3, 3, 3, 7]
    assert len(server.requests("POST", "/search")) == 6


def test_http_date_retry_after_and_per_issue_write_limit(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, waits: list[float]
) -> None:
    server.faults.add_spec("429:per-issue:retry_after=4:retry_format=date:count=2")
    cr = raid_spec.entity("change_request")
    record = JiraReader(site, raid_spec).read(cr, ["ALPHA"]).records[0]
    outcome = JiraWriter(site, raid_spec).update(
        cr, record.with_changes(cost_impact=9.0), ["cost_impact"]
    )
    assert outcome.ok, outcome.problems
    assert len(waits) == 2 and all(3 <= w <= 5 for w in waits)  # HTTP-date: whole seconds


def test_dropped_put_is_retried(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, waits: list[float]
) -> None:
    cr = raid_spec.entity("change_request")
    record = JiraReader(site, raid_spec).read(cr, ["ALPHA"]).records[0]
    server.faults.drop(method="PUT", count=1)
    outcome = JiraWriter(site, raid_spec).update(
        cr, record.with_changes(cost_impact=77.0), ["cost_impact"]
    )
    assert outcome.ok and len(waits) == 1


def test_401_and_403_say_what_to_fix(server: SandboxServer, raid_spec: MappingSpec) -> None:
    client = make_jira(server)
    site = open_site(client, server.mode)  # type: ignore[arg-type]
    server.set_read_only(projects={"GAMMA"})
    cr = raid_spec.entity("change_request")
    record = JiraReader(site, raid_spec).read(cr, ["GAMMA"]).records[0]
    outcome = JiraWriter(site, raid_spec).update(
        cr, record.with_changes(cost_impact=1.0), ["cost_impact"]
    )
    assert "403" in outcome.problems[0] and "permission" in outcome.problems[0]
    secret = "wrong-secret-123"
    options = {"check_update": False}
    if server.mode == "cloud":
        auth = {"basic_auth": (server.credentials.email, secret)}
    else:
        auth = {"token_auth": secret}
    bad = JIRA(server.url, options=options, max_retries=0, get_server_info=False, **auth)
    with pytest.raises(JiraAuthError) as info:
        open_site(bad, server.mode)  # type: ignore[arg-type]
    assert "401" in str(info.value) and "token" in str(info.value)
    assert secret not in str(info.value) and secret not in repr(info.value)


def test_read_with_search_lag_and_reconcile(raid_spec: MappingSpec) -> None:
    with running_sandbox(mode="cloud", seed="demo", search_lag=0.6, timezone="UTC") as server:
        site = open_site(make_jira(server), "cloud")
        reader = JiraReader(site, raid_spec)
        risk = raid_spec.entity("risk")
        cursor = reader.read(risk, PROJECTS).cursor
        server.store.human_edit("ALPHA-1", {"Risk Trigger": "late news"})
        lagging = reader.read(risk, PROJECTS, since=cursor)
        assert lagging.records == [] and lagging.cursor == cursor  # not seen, cursor kept
        made = JiraWriter(site, raid_spec).create(
            risk, [build_record("risk", {"summary": "fresh", "project": "BETA"}, source="t")]
        )
        seen = reader.read(risk, PROJECTS, since=cursor, reconcile=[str(made[0].issue_id)])
        assert [r.key for r in seen.records] == [made[0].key]
        time.sleep(0.7)
        later = reader.read(risk, PROJECTS, since=cursor)
        assert sorted(r.key for r in later.records) == sorted(["ALPHA-1", str(made[0].key)])
