"""End-to-end reads against the sandbox (Cloud and Data Center), with request counts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from connectors.jira.reader import JiraReader
from connectors.jira.site import JiraSiteContext, open_site
from mappings.mapping import MappingSpec, parse_mapping
from sandbox import SandboxServer, running_sandbox
from sandbox.testing import make_jira

PROJECTS = ["ALPHA", "BETA", "GAMMA"]


def search_calls(server: SandboxServer) -> int:
    return len(server.requests("POST", "/search"))


def test_full_read_builds_valid_records(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    reader = JiraReader(site, raid_spec, page_size=4)
    risks = reader.read(raid_spec.entity("risk"), PROJECTS)
    assert risks.problems == []
    assert len(risks.records) == 15
    assert all(r.key and r.status in ("open", "mitigating", "closed") for r in risks.records)
    assert risks.requests == math.ceil(15 / 4)
    crs = reader.read(raid_spec.entity("change_request"), ["ALPHA"])
    assert {r.key.split("-")[0] for r in crs.records} == {"ALPHA"}
    again = reader.read(raid_spec.entity("risk"), PROJECTS)
    assert {r.sync_id for r in again.records} == {r.sync_id for r in risks.records}


def test_only_mapped_fields_are_requested(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    reader = JiraReader(site, raid_spec)
    ids = reader.field_ids(raid_spec.entity("change_request"))
    assert "updated" in ids and "status" in ids and "summary" in ids
    assert len(ids) == 10  # 9 mapped (board_ref too) + updated
    assert "description" not in ids


def test_incremental_read_catches_edit_in_cursor_minute_across_pages(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    reader = JiraReader(site, raid_spec, page_size=3)
    risk = raid_spec.entity("risk")
    first = reader.read(risk, PROJECTS)
    # a human edit in the same minute as the cursor (and right after it)
    keys = [r.key for r in first.records][:7]
    for key in keys:
        server.store.human_edit(key, {"Risk Trigger": f"edited {key}"})
    server.clear_request_log()
    second = reader.read(risk, PROJECTS, since=first.cursor)
    assert sorted(r.key for r in second.records) == sorted(keys)
    assert all(r.trigger == f"edited {r.key}" for r in second.records)
    assert second.requests == math.ceil(7 / 3)
    assert second.cursor is not None and first.cursor is not None
    assert second.cursor > first.cursor
    # 0 changes = 1 request (metadata cached), as long as the issues edited within the
    # overlap window (re-read, then filtered out by their millisecond `updated`) fit a page
    server.clear_request_log()
    third = JiraReader(site, raid_spec).read(risk, PROJECTS, since=second.cursor)
    assert third.records == [] and third.cursor == second.cursor
    assert len(server.request_log) == 1


def test_invalid_issue_is_reported_not_fatal(server: SandboxServer, site: JiraSiteContext) -> None:
    spec = parse_mapping(
        """
name = "odd"
[[entity]]
type = "risk"
excel = { table = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", jira = "summary" },
  { name = "probability", jira = "Risk Trigger", value_map = "probability" },
]
""",
        "odd.toml",
    )
    server.store.human_edit("ALPHA-1", {"Risk Trigger": "High"})
    server.store.human_edit("ALPHA-2", {"Risk Trigger": "sometimes, maybe"})
    result = JiraReader(site, spec).read(spec.entity("risk"), ["ALPHA"])
    problems = {p.key: p.message for p in result.problems}
    assert "sometimes, maybe" in problems["ALPHA-2"] and "ALPHA-1" not in problems
    assert "ALPHA-1" in {r.key for r in result.records}
    assert next(r for r in result.records if r.key == "ALPHA-1").probability == 4


def test_reading_1000_changed_issues_costs_ceil_n_over_page(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    reader = JiraReader(site, raid_spec, page_size=100)
    risk = raid_spec.entity("risk")
    cursor = reader.read(risk, PROJECTS).cursor
    for n in range(1000):
        server.store.human_create("GAMMA", "Risk", f"bulk risk {n}", {"Impact": "Low"})
    server.clear_request_log()
    result = reader.read(risk, PROJECTS, since=cursor)
    assert len(result.records) == 1000 and result.problems == []
    assert len(server.request_log) <= math.ceil(1000 / 100) + 2
    assert search_calls(server) == len(server.request_log)


def test_settle_window_keeps_cursor_behind_the_clock(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    risk = raid_spec.entity("risk")
    cursor = JiraReader(site, raid_spec).read(risk, PROJECTS).cursor
    assert cursor is not None
    server.store.human_edit("ALPHA-1", {"Risk Trigger": "recent"})
    now = datetime.now(UTC)
    reader = JiraReader(site, raid_spec, settle=timedelta(seconds=30), clock=lambda: now)
    first = reader.read(risk, PROJECTS, since=cursor)
    assert [r.key for r in first.records] == ["ALPHA-1"]
    assert first.cursor == now - timedelta(seconds=30)
    # an edit that becomes visible late, with an `updated` inside the window, is still seen
    again = reader.read(risk, PROJECTS, since=first.cursor)
    assert [r.key for r in again.records] == ["ALPHA-1"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_portfolio_of_10000_issues(mode: str, raid_spec: MappingSpec) -> None:
    with running_sandbox(mode=mode, seed="scale:10000") as srv:
        scale_site = open_site(make_jira(srv), mode)  # type: ignore[arg-type]
        projects = [p["key"] for p in scale_site.http.get("project")]
        reader = JiraReader(scale_site, raid_spec)
        srv.clear_request_log()
        result = reader.read(raid_spec.entity("risk"), projects)
        assert result.problems == [] and len(result.records) > 2000
        per_page = 100 if mode == "cloud" else 1000  # test_page_size_is_the_sites_cap
        assert len(srv.request_log) == math.ceil(len(result.records) / per_page)
        srv.clear_request_log()
        assert reader.read(raid_spec.entity("risk"), projects, since=result.cursor).records == []
        assert len(srv.request_log) == 1


@pytest.mark.parametrize(("mode", "per_page"), [("cloud", 100), ("datacenter", 1000)])
def test_page_size_is_the_sites_cap(mode: str, per_page: int) -> None:
    """Data Center pages of 1,000 (its default cap, read back from each page), Cloud 100
    (search/jql's cap when fields are asked for)."""
    from tests.jira.conftest import site_for

    with running_sandbox(mode=mode, seed="scale:4000", timezone="UTC") as srv:
        spec = parse_mapping(
            """
name = "everything"
[[entity]]
type = "work_item"
excel = { sheet = "Items" }
jira = { issue_type = ["Story", "Task"] }
field = [{ name = "summary", excel = "Summary", jira = "summary" }]
""",
            "test",
        )
        reader = JiraReader(site_for(srv), spec)
        assert reader.page_size == per_page
        srv.clear_request_log()
        projects = sorted(p.key for p in srv.store.catalog.projects.values())
        result = reader.read(spec.entity("work_item"), projects)
        found = len(result.records)
        assert found > per_page  # more than one page
        assert result.requests == math.ceil(found / per_page) == search_calls(srv)
