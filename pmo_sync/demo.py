"""`pmo-sync demo`: the whole product on one machine, with no Jira account and no Excel.

It starts the sandbox Jira with the demo portfolio, writes a configuration, a fresh
RAID-log workbook and a status tracker (whose Projects sheet holds the project's budget
figures), checks them against each other, runs a first sync (Jira fills the workbooks),
then plays a PMO's day: a risk re-scored in the workbook, a change request approved in
Jira, and one field edited differently on both sides. A second cycle carries the edits
across and surfaces the conflict instead of picking a winner; the status report of the
synced portfolio comes last.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.record_writes import add_row_changes
from connectors.excel.records import read_records
from connectors.excel.template import write_template
from mappings.config import load_config
from mappings.mapping import MappingSpec, load_mapping
from pmo_sync.checks import run_checks
from pmo_sync.demo_history import ReplayClock, budget_rows, earned_value, play_week
from pmo_sync.demo_resources import (
    RESOURCE_MAPPING,
    estimate_next_weeks,
    over_allocation_lines,
    write_resource_plan,
)
from pmo_sync.sync_output import VERB
from sandbox.seed.portfolio import PROFILES, WEEKS

DEMO_MAPPING = "builtin:raid_log"
STATUS_MAPPING = "builtin:status_tracker"
DEMO_PROJECTS = [p.key for p in PROFILES]


def _status_tracker(path: Path) -> Path:
    """A fresh status tracker whose Projects sheet holds each project's budget row (the
    PMO's own figures), typed in through pmo-sync's own workbook writer."""
    from connectors.excel.record_writes import add_new_rows
    from mappings.model import build_record

    mapping = load_mapping(STATUS_MAPPING)
    write_template(mapping, path, overwrite=True)
    entity = mapping.entity("project")
    read = read_records(path, mapping, entity)
    rows = [
        build_record("project", {**row, **earned_value(i, 0)}, source="demo")
        for i, row in enumerate(budget_rows())
    ]
    patch = add_new_rows(WorkbookPatch(), mapping, entity, read.location, rows)
    apply_patch(path, patch, expected=read.fingerprint, live=False)
    return path


def _edit_row(workbook: Path, mapping: MappingSpec, entity: str, key: str, **changes: Any) -> None:
    """What a PMO analyst does in Excel: change cells of one row and save."""
    read = read_records(workbook, mapping, mapping.entity(entity))
    row = next(r for r in read.rows if r.record.key == key)
    patch = add_row_changes(
        WorkbookPatch(), mapping, mapping.entity(entity), read.location, row.row_number, changes
    )
    apply_patch(workbook, patch, expected=read.fingerprint, live=False)


def _log_work(url: str, email: str | None, token: str | None, key: str, spent: str) -> None:
    """What a developer does in Jira: log time on an issue (over Jira's REST API)."""
    import requests

    answer = requests.post(
        f"{url}/rest/api/2/issue/{key}/worklog",
        json={"timeSpent": spent},
        auth=(email or "", token or ""),
        timeout=30,
    )
    answer.raise_for_status()


def _first(workbook: Path, mapping: MappingSpec, entity: str, **where: Any) -> Any:
    rows = read_records(workbook, mapping, mapping.entity(entity)).rows
    return next(r.record for r in rows if all(getattr(r.record, k) == v for k, v in where.items()))


def _replay(server: Any, runner: Any, clock: ReplayClock, tracker: Path, console: Console) -> None:
    """The weeks before today, through the real engine (see ``pmo_sync.demo_history``)."""
    status = load_mapping(STATUS_MAPPING)
    saved = server.store.clock
    server.store.clock = clock.epoch
    try:
        for number in range(WEEKS):
            at = clock.week(number)
            week = play_week(server.store, number, at) if number else None
            if number:
                for index, profile in enumerate(PROFILES):
                    figures = earned_value(index, number)
                    _edit_row(tracker, status, "project", profile.key, **figures)
            results = runner.run()
            counts = sum((Counter(r.counts) for r in results), Counter())
            synced = ", ".join(f"{n} {VERB.get(k, k)}" for k, n in sorted(counts.items()))
            said = week.line() if week else f"week of {at:%Y-%m-%d}: first sync"
            console.print(f"   {said}; synced: {synced or 'nothing to do'}")
    finally:
        server.store.clock = saved


def _audit(store: Any, console: Console, config_path: Path) -> None:
    """The PMO's policy over the portfolio, as every cycle records it."""
    from compliance.audit import audit_store, remember
    from compliance.policy import load_policy

    result = audit_store(store, load_policy(), at=store.clock())
    with store.transaction():
        remember(store, result)
    scores = ", ".join(
        f"{p.project} {p.score:.0%}"
        for p in sorted(result.projects.values(), key=lambda p: p.project)
        if p.score is not None
    )
    errors = sum(b.severity == "error" for b in result.breaches)
    console.print(
        f"[bold]9. Policy audit[/bold] (builtin:pmo): {scores}; {len(result.breaches)} "
        f"breach(es), {errors} of severity error (`pmo-sync audit --config {config_path}`)"
    )
    for breach in [b for b in result.breaches if b.severity == "error"][:3]:
        console.print(f"   {breach.key} {breach.rule}: {breach.why} (tell {breach.who or '-'})")


def run_demo(directory: Path, console: Console) -> int:
    """Run the demo; returns the process exit code."""
    from pmo_sync.cli import print_finding, render_config, render_pair
    from pmo_sync.sync_output import print_result
    from sandbox import SandboxServer
    from sync.runner import Runner, state_store_path
    from sync.store import StateStore

    directory.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(directory / ".pmo-sync", ignore_errors=True)  # a fresh sandbox, a fresh store
    server = SandboxServer(mode="cloud", seed="portfolio")
    server.start()
    clock = ReplayClock(datetime.now(UTC) - timedelta(hours=1))
    try:
        credentials = server.credentials
        console.print(
            f"[bold]1. Sandbox Jira[/bold] running at {server.url} (a portfolio of "
            f"{len(DEMO_PROJECTS)} projects: {', '.join(DEMO_PROJECTS)})"
        )
        mapping = load_mapping(DEMO_MAPPING)
        workbook = directory / "portfolio_raid_log.xlsx"
        write_template(mapping, workbook, overwrite=True)
        tracker = _status_tracker(directory / "portfolio_status.xlsx")
        plan = write_resource_plan(directory / "portfolio_resources.xlsx")
        console.print(
            f"[bold]2. Workbooks[/bold] {workbook} generated from {DEMO_MAPPING}; {tracker} "
            f"from {STATUS_MAPPING}, its Projects sheet holding each project's budget; "
            f"{plan} from {RESOURCE_MAPPING}: people, capacity, holidays and allocations"
        )
        config_path = directory / "pmo-sync.toml"
        config_path.write_text(
            render_config(
                url=server.url,
                email=credentials.email,
                workbook=workbook.name,
                mapping=DEMO_MAPPING,
                projects=DEMO_PROJECTS,
                pair="portfolio-raid",
            )
            + render_pair(
                pair="portfolio-status",
                workbook=tracker.name,
                mapping=STATUS_MAPPING,
                projects=DEMO_PROJECTS,
            )
            + render_pair(
                pair="resource-plan",
                workbook=plan.name,
                mapping=RESOURCE_MAPPING,
                projects=DEMO_PROJECTS,
            ),
            "utf-8",
        )
        console.print(f"[bold]3. Config[/bold] {config_path}")
        os.environ["PMO_SYNC_JIRA_TOKEN"] = credentials.api_token or ""
        console.print("[bold]4. Check[/bold] config, mapping, workbook and Jira fields:")
        config = load_config(config_path)
        findings = run_checks(config, report=print_finding)
        failed = sum(f.level == "error" for f in findings)
        console.print(f"   {len(findings)} checks, {failed} failed")
        if failed:
            console.print("[red]the demo stops here[/red]")
            return 1
        store = StateStore(state_store_path(config), clock=clock.utc)
        runner = Runner(config, store=store)
        try:
            console.print(
                f"[bold]5. {WEEKS} weeks of the portfolio[/bold], replayed: each week people "
                "work in Jira, the PMO updates the budget figures, and a sync cycle runs"
            )
            _replay(server, runner, clock, tracker, console)
            clock.live()
            risk = next(
                r.record
                for r in read_records(workbook, mapping, mapping.entity("risk")).rows
                if r.record.status == "open" and (r.record.probability, r.record.impact) != (5, 4)
            )
            other = _first(workbook, mapping, "risk", status="mitigating")
            change = _first(workbook, mapping, "change_request", status="submitted")
            console.print("[bold]6. A PMO day[/bold] (today)")
            _edit_row(workbook, mapping, "risk", risk.key, probability=5, impact=4)
            console.print(f"   Excel: {risk.key} re-scored to probability 5 x impact 4")
            server.store.human_transition(change.key, "Start Review")
            server.store.human_transition(
                change.key, "Approve", values={"Decision Date": date.today().isoformat()}
            )
            console.print(f"   Jira:  {change.key} approved by the change board (a transition)")
            _edit_row(workbook, mapping, "risk", other.key, mitigation="Second supplier signed")
            server.store.human_edit(other.key, {"Mitigation": "Escalated to the sponsor"})
            console.print(f"   Both:  {other.key} mitigation edited differently on each side")
            third = next(
                r.record
                for r in read_records(workbook, mapping, mapping.entity("risk")).rows
                if r.record.key not in (risk.key, other.key)
            )
            report_text = "Root cause analysis, appendix A. " * 1300  # 42,900 characters
            server.store.human_edit(third.key, {"Mitigation": report_text})
            console.print(
                f"   Jira:  {third.key} mitigation pasted from a {len(report_text):,}-character "
                "report (more than an Excel cell holds)"
            )
            status_mapping = load_mapping(STATUS_MAPPING)
            item = _first(tracker, status_mapping, "work_item", release=None)
            _edit_row(tracker, status_mapping, "work_item", item.key, release="1.1")
            console.print(f"   Excel: {item.key} planned into release 1.1 (Release column)")
            _log_work(server.url, credentials.email, credentials.api_token, item.key, "6h 30m")
            console.print(f"   Jira:  6h 30m of work logged on {item.key} (a worklog)")
            tasks = estimate_next_weeks(server.store)
            console.print(
                f"   Jira:  the team planned {len(tasks)} tasks for the next two weeks with "
                f"remaining estimates in hours ({tasks[0]}..{tasks[-1]})"
            )
            console.print("[bold]7. Second sync[/bold]:")
            for result in runner.run():
                print_result(console, result, details=True)
            conflicts = runner.store.open_conflicts()
            from compliance.policy import load_policy
            from report import generate

            written = generate(
                runner.store,
                directory / "pmo-status-report.xlsx",
                policy=load_policy(),
                hours_per_point=config.sync.hours_per_point,
            )
            console.print(
                f"[bold]8. Status report[/bold] {written.path} (executive dashboard, "
                "portfolio, risk heat map, changes, compliance, resources, charts; "
                "`pmo-sync report` writes it again)"
            )
            if written.resources is not None:
                for line in over_allocation_lines(written.resources):
                    console.print(f"   Resources: {line}")
                console.print(
                    f"   Resources: {len(written.resources.load.problems)} item(s) not fully "
                    "counted (story points without \\[sync] hours_per_point): listed on the sheet"
                )
            _audit(runner.store, console, config_path)
        finally:
            runner.close()
    finally:
        server.stop()
    for c in conflicts:
        console.print(
            f"   conflict #{c.id} {c.jira_key} {c.field}: Jira {c.jira!r} / Excel {c.excel!r}"
        )
    console.print(
        f"\nThe workbook is {workbook.resolve()}; its 'Sync Conflicts' sheet lists the "
        "conflict with a Resolution column (or: `pmo-sync conflicts --config "
        f"{config_path}` and `pmo-sync resolve N --use jira|excel --config {config_path}`; "
        "a resolution is written by the next sync).\n"
        f"To use your own Jira: edit {config_path} (jira.url, jira.email, projects), set "
        f"PMO_SYNC_JIRA_TOKEN, run `pmo-sync check --config {config_path}`, then "
        f"`pmo-sync sync --config {config_path} --dry-run`."
    )
    return 0
