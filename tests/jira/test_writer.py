"""End-to-end writes against the sandbox (Cloud and Data Center): edits, statuses, creates."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from connectors.jira.reader import JiraReader
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import PROPERTY_KEY, JiraSiteContext, open_site
from connectors.jira.writer import JiraWriter
from mappings.mapping import MappingSpec, parse_mapping
from mappings.model import build_record
from sandbox import SandboxServer, running_sandbox
from sandbox.testing import make_jira

MITIGATION = "Weekly *vendor* review.\n\n* call the vendor\n* escalate to the {{CTO}}\n\nDone."


def _risk(**values: Any) -> Any:
    return build_record("risk", {"summary": "New risk", "project": "ALPHA", **values}, source="t")


def test_update_k_issues_costs_k_puts(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    cr = raid_spec.entity("change_request")
    records = JiraReader(site, raid_spec).read(cr, ["ALPHA"]).records[:3]
    writer = JiraWriter(site, raid_spec)
    server.clear_request_log()
    for n, record in enumerate(records):
        changed = record.with_changes(cost_impact=1000.0 + n, schedule_impact_days=n)
        assert writer.update(cr, changed, ["cost_impact", "schedule_impact_days"]).ok
    assert len(server.requests("PUT", "/issue/")) == 3
    assert len(server.request_log) == 3 + 1  # + one editmeta for the project's CRs
    again = {r.key: r for r in JiraReader(site, raid_spec).read(cr, ["ALPHA"]).records}
    assert [again[r.key].cost_impact for r in records] == [1000.0, 1001.0, 1002.0]


def test_field_not_on_screen_is_reported(
    server: SandboxServer, site: JiraSiteContext, read_one: Any
) -> None:
    spec = parse_mapping(
        """
name = "odd"
[[entity]]
type = "change_request"
excel = { table = "CRs" }
jira = { issue_type = "Change Request" }
field = [
  { name = "summary", jira = "summary" },
  { name = "board_ref", jira = "Risk Trigger" },
  { name = "cost_impact", jira = "Cost Impact" },
]
""",
        "odd.toml",
    )
    cr = spec.entity("change_request")
    record = JiraReader(site, spec).read(cr, ["ALPHA"]).records[0]
    changed = record.with_changes(board_ref="CCB-7", cost_impact=5.0)
    outcome = JiraWriter(site, spec).update(cr, changed, ["board_ref", "cost_impact"])
    assert len(outcome.problems) == 1
    assert "'Risk Trigger' is not on the issue's edit screen" in outcome.problems[0]
    assert read_one(site, spec, "change_request", record.key).cost_impact == 5.0


def test_status_needing_two_transitions(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, read_one: Any
) -> None:
    risk = raid_spec.entity("risk")
    record = next(
        r for r in JiraReader(site, raid_spec).read(risk, ["ALPHA"]).records if r.status == "open"
    )
    server.clear_request_log()
    outcome = JiraWriter(site, raid_spec).update(
        risk, record.with_changes(status="closed"), ["status"], current_status="Open"
    )
    assert outcome.ok, outcome.problems
    assert len(server.requests("POST", "/transitions")) == 2
    assert read_one(site, raid_spec, "risk", record.key).status == "closed"


def test_required_transition_field_filled_from_record(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, read_one: Any
) -> None:
    cr = raid_spec.entity("change_request")
    reader = JiraReader(site, raid_spec)
    pending = [r for r in reader.read(cr, PROJECTS).records if r.status == "under_review"]
    writer = JiraWriter(site, raid_spec)
    missing = writer.update(cr, pending[0].with_changes(status="approved"), ["status"])
    assert "requires 'Decision Date'" in missing.problems[0]
    approved = pending[0].with_changes(status="approved", decision_date=date(2026, 11, 2))
    assert writer.update(cr, approved, ["status"]).ok
    back = read_one(site, raid_spec, "change_request", pending[0].key)
    assert (back.status, back.decision, back.decision_date) == (
        "approved",
        "approved",
        date(2026, 11, 2),
    )


PROJECTS = ["ALPHA", "BETA", "GAMMA"]


def test_every_mapped_field_type_round_trips(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, read_one: Any
) -> None:
    risk = _risk(
        category="Technical",
        probability=4,
        impact="Very High",
        mitigation=MITIGATION,
        due_date=date(2026, 12, 24),
        owner="carol@example.com",
        response="mitigate",
        trigger="Vendor misses M2",
        next_review=date(2027, 1, 5),
        status="mitigating",
    )
    writer = JiraWriter(site, raid_spec)
    [outcome] = writer.create(raid_spec.entity("risk"), [risk])
    assert outcome.ok, outcome.problems
    back = read_one(site, raid_spec, "risk", outcome.key)
    assert back.sync_id == risk.sync_id
    for name in ("category", "probability", "impact", "mitigation", "due_date", "owner"):
        assert getattr(back, name) == getattr(risk, name), name
    for name in ("response", "trigger", "next_review", "status", "score", "level"):
        assert getattr(back, name) == getattr(risk, name), name
    cr = build_record(
        "change_request",
        {
            "summary": "CR",
            "project": "BETA",
            "requester": "dave@example.com",
            "change_type": "cost",
            "cost_impact": 1234.5,
            "schedule_impact_days": 3,
        },
        source="t",
    )
    [made] = writer.create(raid_spec.entity("change_request"), [cr])
    back_cr = read_one(site, raid_spec, "change_request", made.key)
    assert back_cr.model_dump(exclude={"key", "updated", "created", "raised_by"}) == (
        cr.model_dump(exclude={"key", "updated", "created", "raised_by"})
    )


def test_bulk_create_chunks_and_one_bad_element(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    records = [_risk(summary=f"bulk {n}", project="BETA") for n in range(60)]
    records[55] = _risk(summary="in a project that does not exist", project="NOPE")
    server.clear_request_log()
    outcomes = JiraWriter(site, raid_spec).create(raid_spec.entity("risk"), records)
    assert len(server.requests("POST", "/issue/bulk")) == 2
    assert [o.ok for o in outcomes].count(False) == 1
    assert outcomes[55].key is None and "refused" in outcomes[55].problems[0]
    assert len({o.key for o in outcomes if o.ok}) == 59
    issue = site.http.get(f"issue/{outcomes[0].key}", params={"properties": PROPERTY_KEY})
    assert issue["properties"][PROPERTY_KEY] == {"sync_id": str(records[0].sync_id)}


def test_lost_response_create_is_not_duplicated(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    records = [_risk(summary=f"lost {n}") for n in range(3)]
    server.faults.lose_response(method="POST", path=r"/issue/bulk$", count=1)
    outcomes = JiraWriter(site, raid_spec).create(raid_spec.entity("risk"), records)
    assert all(o.ok for o in outcomes), [o.problems for o in outcomes]
    assert len(server.requests("POST", "/issue/bulk")) == 1
    found = site.http.post(
        site.search_path, {"jql": 'project = ALPHA AND summary ~ "lost"', "maxResults": 50}
    )
    assert len(found["issues"]) == 3


def test_lost_transition_answer_is_checked_not_repeated(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec, read_one: Any
) -> None:
    risk = raid_spec.entity("risk")
    record = next(
        r for r in JiraReader(site, raid_spec).read(risk, ["BETA"]).records if r.status == "open"
    )
    server.faults.lose_response(method="POST", path=r"/transitions$", count=1)
    server.clear_request_log()
    outcome = JiraWriter(site, raid_spec).update(
        risk, record.with_changes(status="closed"), ["status"], current_status="Open"
    )
    assert outcome.ok, outcome.problems
    assert len(server.requests("POST", "/transitions")) == 2  # lost one ran, then the next
    assert read_one(site, raid_spec, "risk", record.key).status == "closed"


def test_lost_create_under_search_lag_waits_then_finds_it(raid_spec: MappingSpec) -> None:
    with running_sandbox(mode="cloud", seed="demo", search_lag=0.3, timezone="UTC") as server:
        site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=time.sleep))
        writer = JiraWriter(site, raid_spec, lookup_delay=0.5)
        records = [_risk(summary=f"lagging {n}") for n in range(2)]
        records.append(_risk(summary="no project", project=None))
        server.faults.lose_response(method="POST", path=r"/issue/bulk$", count=1)
        outcomes = writer.create(raid_spec.entity("risk"), records)
        assert [o.ok for o in outcomes] == [True, True, False]
        assert "no project" in outcomes[2].problems[0]
        assert len(server.requests("POST", "/issue/bulk")) == 1
        time.sleep(0.4)
        found = site.http.post("search/jql", {"jql": 'summary ~ "lagging"', "maxResults": 50})
        assert len(found["issues"]) == 2


def _spec(entity: str, issue_type: str, fields: str) -> MappingSpec:
    return parse_mapping(
        f"""
name = "t"
[[entity]]
type = "{entity}"
excel = {{ table = "T" }}
jira = {{ issue_type = "{issue_type}" }}
field = [{{ name = "summary", jira = "summary" }}, {fields}]
""",
        "t.toml",
    )


def test_scaled_number_date_labels_user_round_trip(
    server: SandboxServer, site: JiraSiteContext, read_one: Any
) -> None:
    spec = _spec(
        "work_item",
        "Task",
        '{ name = "progress", jira = "Percent Complete", jira_scale = 100 }, '
        '{ name = "estimate", jira = "Story Points" }, '
        '{ name = "start_date", jira = "Start date" }, '
        '{ name = "assignee", jira = "assignee" }, '
        '{ name = "owner", jira = "labels" }, '
        '{ name = "status", jira = "status", value_map = "status" }',
    )
    item = build_record(
        "work_item",
        {
            "summary": "Task",
            "project": "ALPHA",
            "progress": 0.35,
            "estimate": 5,
            "start_date": date(2026, 12, 1),
            "assignee": "bob@example.com",
            "owner": "pmo, quarterly",
            "status": "in_progress",
        },
        source="t",
    )
    [made] = JiraWriter(site, spec).create(spec.entity("work_item"), [item])
    assert made.ok, made.problems
    raw = site.http.get(f"issue/{made.key}")["fields"]
    assert raw["labels"] == ["pmo", "quarterly"]
    back = read_one(site, spec, "work_item", made.key)
    for name in ("progress", "estimate", "start_date", "assignee", "owner", "status"):
        assert getattr(back, name) == getattr(item, name), name


def test_multi_select_and_multi_user_round_trip(
    server: SandboxServer, site: JiraSiteContext, read_one: Any
) -> None:
    spec = _spec(
        "risk",
        "Risk",
        '{ name = "category", jira = "Affected Areas" }, { name = "owner", jira = "Stakeholders" }',
    )
    risk = _risk(category="Data, Vendor", owner="alice@example.com, dave@example.com")
    [made] = JiraWriter(site, spec).create(spec.entity("risk"), [risk])
    assert made.ok, made.problems
    back = read_one(site, spec, "risk", made.key)
    assert (back.category, back.owner) == (risk.category, risk.owner)


def test_bulk_create_where_every_element_fails(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    records = [_risk(project="NOPE"), _risk(project="NADA")]
    outcomes = JiraWriter(site, raid_spec).create(raid_spec.entity("risk"), records)
    assert [o.ok for o in outcomes] == [False, False]
    assert all("refused the create" in o.problems[0] for o in outcomes)


def test_unreachable_status_and_missing_key_are_per_record_errors(
    server: SandboxServer, site: JiraSiteContext, raid_spec: MappingSpec
) -> None:
    risk = raid_spec.entity("risk")
    record = JiraReader(site, raid_spec).read(risk, ["GAMMA"]).records[0]
    server.set_read_only(projects={"GAMMA"})
    target = "closed" if record.status != "closed" else "open"
    outcome = JiraWriter(site, raid_spec).update(
        risk, record.with_changes(status=target), ["status"]
    )
    assert (
        outcome.problems
        == [
            f"{record.key}: no workflow path from 'Mitigating' to the wanted status "
            "(transitions offered: none; none may mean no permission)"
        ]
        or "no permission" in outcome.problems[0]
    )
    unsaved = JiraWriter(site, raid_spec).update(risk, _risk(), ["summary"])
    assert "no Jira key yet" in unsaved.problems[0]
