"""End-to-end: configured connection, user time zone in JQL, direct reads, unknown fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.jira import JiraReader, UnknownJiraField, open_configured_site
from connectors.jira.site import JiraSiteContext
from mappings.config import JiraSite
from mappings.mapping import MappingSpec, parse_mapping
from sandbox import SandboxServer, running_sandbox

PROJECTS = ["ALPHA", "BETA", "GAMMA"]


def _configured(server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> JiraSiteContext:
    creds = server.credentials
    secret = creds.api_token if server.mode == "cloud" else creds.token
    monkeypatch.setenv("PMO_TEST_TOKEN", secret)
    email = creds.email if server.mode == "cloud" else None
    site = JiraSite(url=server.url, email=email, token_env="PMO_TEST_TOKEN", keyring_service=None)
    opened = open_configured_site(site)
    assert secret not in repr(opened)
    return opened


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_edit_in_cursor_minute_with_a_far_time_zone(
    mode: str, raid_spec: MappingSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_sandbox(mode=mode, seed="demo", timezone="Pacific/Auckland") as server:
        site = _configured(server, monkeypatch)
        assert site.deployment == mode
        assert str(site.time_zone) == "Pacific/Auckland"
        reader = JiraReader(site, raid_spec, overlap=timedelta(0))
        risk = raid_spec.entity("risk")
        server.store.human_edit("BETA-1", {"Risk Trigger": "first"})
        cursor = reader.read(risk, PROJECTS).cursor
        server.store.human_edit("GAMMA-1", {"Risk Trigger": "same minute"})
        result = reader.read(risk, PROJECTS, since=cursor)
        assert [r.key for r in result.records] == ["GAMMA-1"]
        assert 'updated >= "' in reader.jql(risk, PROJECTS, cursor)


def test_read_keys_uses_bulkfetch_on_cloud(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    keys = [f"ALPHA-{n}" for n in range(1, 19)]
    server.clear_request_log()
    result = JiraReader(site, raid_spec).read_keys(raid_spec.entity("change_request"), keys)
    assert len(server.request_log) == 1
    assert {r.key for r in result.records} <= set(keys) and result.records
    if server.mode == "cloud":
        assert server.requests("POST", "/issue/bulkfetch")


def test_unknown_field_lists_similar_names(site: JiraSiteContext) -> None:
    spec = parse_mapping(
        """
name = "typo"
[[entity]]
type = "risk"
excel = { table = "Risks" }
jira = { issue_type = "Risk" }
field = [{ name = "summary", jira = "summary" }, { name = "trigger", jira = "Risk Triger" }]
""",
        "typo.toml",
    )
    with pytest.raises(UnknownJiraField, match="similar fields: Risk Trigger"):
        JiraReader(site, spec).read(spec.entity("risk"), ["ALPHA"])


def test_the_window_starts_before_a_wall_clock_minute_that_repeats(
    raid_spec: MappingSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    """London's clocks go back at 02:00 BST on 2026-10-25: 01:00-01:59 happen twice. A
    cursor in the first pass must not become a JQL minute Jira could read as the second."""
    from datetime import UTC, datetime

    with running_sandbox(mode="cloud", seed="demo", timezone="Europe/London") as server:
        site = _configured(server, monkeypatch)
        reader = JiraReader(site, raid_spec)  # a 2-minute overlap
        first_pass = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
        assert reader.window_start(first_pass) == "2026-10-25 00:28"  # an hour earlier
        second_pass = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
        assert reader.window_start(second_pass) == "2026-10-25 01:28"
        summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
        assert reader.window_start(summer) == "2026-07-01 12:58"  # BST, no clock change
