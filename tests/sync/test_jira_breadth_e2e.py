"""Jira breadth end to end, in both deployment modes, through the real `jira` client.

A RAID log's dependency rows become issue links ("is blocked by"), a status tracker's
Release and Components columns travel through ``fixVersions`` and ``components``, work
logged in Jira reaches the store and ``PMO_FIELD``, and a row's Type changes the issue's
type. Every Jira-side action a person takes here goes through the ``jira`` client (the
same library pmo-sync uses, but not pmo-sync's code), and what Jira holds afterwards is
read back the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from excel_addin.lookups import Portfolio
from sandbox import running_sandbox
from sandbox.testing import make_jira

MAPPING = """
name = "breadth"

[[entity]]
type = "dependency"
excel = { sheet = "Dependencies" }
jira = { issue_type = "Dependency" }
field = [
  { name = "summary", excel = "Dependency", jira = "summary", required = true },
  { name = "depends_on", excel = "Blocked By", jira = "issuelinks", link = "is blocked by" },
]

[[entity]]
type = "work_item"
excel = { sheet = "Work" }
jira = { issue_type = ["Story", "Task"] }
field = [
  { name = "summary", excel = "Item", jira = "summary", required = true },
  { name = "item_type", excel = "Type", jira = "issuetype", value_map = "work_item_type" },
  { name = "release", excel = "Release", jira = "fixVersions" },
  { name = "components", excel = "Components", jira = "components", create_missing = true },
  { name = "time_spent", excel = "Hours Logged", jira = "timespent", jira_scale = 3600, direction = "jira-to-excel" },
  { name = "remaining_estimate", excel = "Hours Left", jira = "timeestimate", jira_scale = 3600, direction = "jira-to-excel" },
]
"""
DEPENDENCY_HEADER = ["Jira Key", "Sync ID", "Dependency", "Blocked By"]
WORK_HEADER = ["Jira Key", "Sync ID", "Item", "Type", "Release", "Components"]
WORK_HEADER += ["Hours Logged", "Hours Left"]


def _tracker(dependencies: list[list[Any]], work: list[list[Any]]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        book = Workbook()
        sheet = book.active
        sheet.title = "Dependencies"
        sheet.append(DEPENDENCY_HEADER)
        for row in dependencies:
            sheet.append([None, None, *row])
        work_sheet = book.create_sheet("Work")
        work_sheet.append(WORK_HEADER)
        for row in work:
            work_sheet.append([None, None, *row])
        book.save(path)

    return build


@pytest.fixture(params=["cloud", "datacenter"])
def breadth(request: pytest.FixtureRequest, tmp_path: Path, world_factory: Any) -> Any:
    """``with breadth(dependencies, work) as (world, keys)``: a pair on MAPPING, in the
    test's deployment mode, whose workbook holds the given rows; ``keys`` are existing
    ALPHA risks to link to."""

    @contextmanager
    def make(dependencies: Any, work: Any) -> Iterator[tuple[Any, list[str]]]:
        (tmp_path / "breadth.toml").write_text(MAPPING, "utf-8")
        with running_sandbox(mode=request.param, seed="demo", timezone="UTC") as server:
            risks = make_jira(server).search_issues(
                'project = ALPHA AND issuetype = "Risk" ORDER BY key', maxResults=3
            )
            keys = [issue.key for issue in risks]
            source = tmp_path / "source" / "tracker.xlsx"
            source.parent.mkdir(exist_ok=True)
            rows = [
                [cell.format(*keys) if isinstance(cell, str) else cell for cell in row]
                for row in dependencies
            ]
            _tracker(rows, work)(source)
            world = world_factory(tmp_path, server, str(tmp_path / "breadth.toml"), source=source)
            try:
                yield world, keys
            finally:
                world.runner.close()

    return make


def _blocked_by(server: Any, key: str) -> list[str]:
    """The keys that block ``key``, as Jira shows its links (``inwardIssue`` entries of
    type Blocks read "this issue is blocked by that one")."""
    links = make_jira(server).issue(key, fields="issuelinks").fields.issuelinks
    return sorted(
        link.inwardIssue.key
        for link in links
        if link.type.name == "Blocks" and hasattr(link, "inwardIssue")
    )


def _key_of(world: Any, entity: str, summary: str) -> str:
    row = next(r for r in world.rows(entity).rows if r.record.summary == summary)
    assert row.record.key, f"row {summary!r} has no Jira key: {world.rows(entity).problems}"
    return str(row.record.key)


def test_dependency_rows_are_issue_links_both_ways(breadth: Any) -> None:
    with breadth([["Vendor API ready", "{0}"]], []) as (world, keys):
        first = world.cycle()
        assert first.outcome == "ok", first.all_errors
        dependency = _key_of(world, "dependency", "Vendor API ready")
        # The row's "Blocked By" became a Blocks link: keys[0] blocks the dependency.
        assert _blocked_by(world.server, dependency) == [keys[0]]
        other_side = make_jira(world.server).issue(keys[0], fields="issuelinks")
        assert [link.outwardIssue.key for link in other_side.fields.issuelinks] == [dependency]
        assert world.cycle().counts == {}  # nothing flaps

        # A link a person adds in Jira appears in the row's cell.
        make_jira(world.server).create_issue_link("Blocks", keys[1], dependency)
        pulled = world.cycle()
        assert pulled.outcome == "ok", pulled.all_errors
        assert world.row("dependency", dependency).record.depends_on == f"{keys[0]}, {keys[1]}"

        # A dependency raised in Jira, with its link, appears as a new row.
        jira = make_jira(world.server)
        raised = jira.create_issue(
            project="ALPHA", issuetype={"name": "Dependency"}, summary="Data centre power"
        )
        jira.create_issue_link("Blocks", keys[2], raised.key)
        appended = world.cycle()
        assert appended.outcome == "ok", appended.all_errors
        assert world.row("dependency", raised.key).record.depends_on == keys[2]

        # Removing a key from the cell deletes that link, and only that one.
        world.edit_row("dependency", dependency, depends_on=keys[1])
        removed = world.cycle()
        assert removed.outcome == "ok", removed.all_errors
        assert _blocked_by(world.server, dependency) == [keys[1]]
        assert _blocked_by(world.server, raised.key) == [keys[2]]
        assert world.cycle().counts == {}

        # A value that is no issue key is refused for that row, naming it; Jira keeps its link.
        world.edit_row("dependency", dependency, depends_on="Vendor X")
        refused = world.cycle()
        assert any("Vendor X" in str(e) for e in refused.all_errors), refused.all_errors
        assert _blocked_by(world.server, dependency) == [keys[1]]


def test_release_and_components_by_name(breadth: Any) -> None:
    work = [
        ["Cut-over rehearsal", "Story", "1.1", "Data", None, None],
        ["Penetration test", "Task", "9.9", None, None, None],
        ["Security review", "Task", "2.0", "Security, Governance", None, None],
    ]
    with breadth([], work) as (world, _keys):
        first = world.cycle()
        errors = [str(e) for e in first.all_errors]
        # The unknown release is refused for its row, listing the project's releases.
        assert any("'9.9'" in e and "1.0, 1.1, 2.0" in e for e in errors), errors
        jira = make_jira(world.server)
        rehearsal = jira.issue(_key_of(world, "work_item", "Cut-over rehearsal"))
        assert [v.name for v in rehearsal.fields.fixVersions] == ["1.1"]
        assert [c.name for c in rehearsal.fields.components] == ["Data"]
        assert rehearsal.fields.issuetype.name == "Story"
        review = jira.issue(_key_of(world, "work_item", "Security review"))
        assert sorted(c.name for c in review.fields.components) == ["Governance", "Security"]
        # create_missing made the component in the project; no release was invented.
        assert "Security" in [c.name for c in jira.project_components("ALPHA")]
        assert "9.9" not in [v.name for v in jira.project_versions("ALPHA")]

        # Jira -> Excel: a release set in Jira lands in the cell, by name.
        rehearsal.update(fields={"fixVersions": [{"name": "1.1"}, {"name": "2.0"}]})
        pulled = world.cycle()
        assert "Cut-over rehearsal" not in str(pulled.all_errors)
        assert world.row("work_item", rehearsal.key).record.release == "1.1, 2.0"

        # Excel -> Jira: the row's type changes the issue's type (Story -> Task).
        world.edit_row("work_item", rehearsal.key, item_type="task")
        retyped = world.cycle()
        assert "Cut-over rehearsal" not in str(retyped.all_errors), retyped.all_errors
        assert jira.issue(rehearsal.key).fields.issuetype.name == "Task"


def test_logged_work_reaches_store_and_pmo_field(breadth: Any) -> None:
    with breadth([], [["Migrate ledger", "Task", None, None, None, None]]) as (world, _keys):
        assert world.cycle().outcome == "ok"
        key = _key_of(world, "work_item", "Migrate ledger")
        jira = make_jira(world.server)
        jira.issue(key).update(fields={"timetracking": {"originalEstimate": "2d"}})
        jira.add_worklog(key, timeSpent="3h 30m")
        jira.add_worklog(key, timeSpent="1h")
        pulled = world.cycle()
        assert pulled.outcome == "ok", pulled.all_errors
        record = world.row("work_item", key).record
        assert record.time_spent == pytest.approx(4.5)
        assert record.remaining_estimate == pytest.approx(11.5)  # 2d = 16h, minus 4.5h logged
        portfolio = Portfolio(world.store.path)
        assert portfolio.field(key, "time_spent") == pytest.approx(4.5)
        assert portfolio.field(key, "Remaining Estimate") == pytest.approx(11.5)
        # Read-only fields: an edit in Excel is not sent to Jira.
        world.edit_row("work_item", key, time_spent=99)
        world.cycle()
        assert jira.issue(key).fields.timespent == 4.5 * 3600


REGISTER = """
name = "blocked_work"

[[entity]]
type = "dependency"
excel = { sheet = "Blocked Work", flag_column = "Sync Status" }
jira = { issue_type = ["Story", "Task"], jql = 'issueLinkType = "is blocked by"' }
field = [
  { name = "summary", excel = "Item", jira = "summary", required = true },
  { name = "depends_on", excel = "Blocked By", jira = "issuelinks", link = "is blocked by" },
  { name = "owner", excel = "Owner", jira = "assignee", direction = "jira-to-excel" },
]
"""


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_a_link_added_in_jira_appears_as_a_row_of_the_dependency_register(
    tmp_path: Path, mode: str, world_factory: Any
) -> None:
    """A register of blocked work: every story or task that another issue blocks is a
    row (the scope's JQL says ``issueLinkType = "is blocked by"``), so a link made in
    Jira between two stories adds a row, and removing the last link flags it."""
    (tmp_path / "register.toml").write_text(REGISTER, "utf-8")

    def build(path: Path) -> None:
        book = Workbook()
        sheet = book.active
        sheet.title = "Blocked Work"
        sheet.append(["Jira Key", "Sync ID", "Item", "Blocked By", "Owner", "Sync Status"])
        book.save(path)

    source = tmp_path / "source" / "register.xlsx"
    source.parent.mkdir()
    build(source)
    with running_sandbox(mode=mode, seed="demo", timezone="UTC") as server:
        jira = make_jira(server)
        stories = [
            i.key for i in jira.search_issues("project = ALPHA AND issuetype = Story ORDER BY key")
        ]
        blocked_before = {
            i.key
            for i in jira.search_issues(
                'project = ALPHA AND issuetype in (Story, Task) AND issueLinkType = "is blocked by"'
            )
        }
        free = [k for k in stories if k not in blocked_before]
        assert len(free) >= 3, stories
        blocker, blocked, other = free[:3]
        # Leaving the scope shows on Data Center in every cycle, on Cloud at the scope
        # check: here every cycle.
        world = world_factory(tmp_path, server, str(tmp_path / "register.toml"), source=source,
                              sync_settings='scope_check = { every_cycles = 1, every = "1d" }')  # fmt: skip
        try:
            first = world.cycle()
            assert first.outcome == "ok", first.all_errors
            assert {r.record.key for r in world.rows("dependency").rows} == blocked_before
            assert world.cycle().counts == {}

            # A person links two stories in Jira: the blocked one becomes a row.
            jira.create_issue_link("Blocks", blocker, blocked)
            added = world.cycle()
            assert added.outcome == "ok", added.all_errors
            row = world.row("dependency", blocked)
            assert row.record.depends_on == blocker
            assert row.record.summary == jira.issue(blocked).fields.summary

            # The PMO adds a second blocker in the register: Jira gets the link.
            world.edit_row("dependency", blocked, depends_on=f"{blocker}, {other}")
            pushed = world.cycle()
            assert pushed.outcome == "ok", pushed.all_errors
            assert _blocked_by(server, blocked) == sorted([blocker, other])

            # Both links removed in Jira: the issue leaves the register's scope, and its
            # row is flagged (kept, never deleted), not synced any more.
            for link in jira.issue(blocked, fields="issuelinks").fields.issuelinks:
                jira.delete_issue_link(link.id)
            cleared = world.cycle()
            assert cleared.outcome == "ok", cleared.all_errors
            flagged = world.row("dependency", blocked)
            assert flagged.record.key == blocked
            assert world.cycle().counts == {}
            from python_calamine import CalamineWorkbook

            sheet = CalamineWorkbook.from_path(str(world.workbook)).get_sheet_by_name(
                "Blocked Work"
            )
            (cells,) = [r for r in sheet.to_python() if r[0] == blocked]
            assert cells[5], cells  # the Sync Status flag says it left Jira's scope
        finally:
            world.runner.close()


class _Crash(BaseException):
    """The process dying mid-cycle: nothing in pmo-sync may catch it."""


def test_a_register_row_whose_create_outlived_its_process_is_not_created_twice(
    tmp_path: Path, world_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The register's scope admits an issue only once its link exists; a process that
    died between the create and the link must not make the next cycle create it again."""
    from connectors.jira.transport import JiraHttp

    (tmp_path / "register.toml").write_text(REGISTER, "utf-8")
    source = tmp_path / "source" / "register.xlsx"
    source.parent.mkdir()
    book = Workbook()
    sheet = book.active
    sheet.title = "Blocked Work"
    sheet.append(["Jira Key", "Sync ID", "Item", "Blocked By", "Owner", "Sync Status"])
    with running_sandbox(mode="datacenter", seed="demo", timezone="UTC") as server:
        jira = make_jira(server)
        (blocker,) = [
            i.key for i in jira.search_issues("project = ALPHA AND issuetype = Risk", maxResults=1)
        ]
        sheet.append([None, None, "Cut-over rehearsal", blocker, None, None])
        book.save(source)
        world = world_factory(tmp_path, server, str(tmp_path / "register.toml"), source=source)
        real_post = JiraHttp.post

        def dying(self: JiraHttp, path: str, *args: Any, **kwargs: Any) -> Any:
            answer = real_post(self, path, *args, **kwargs)
            if path == "issue/bulk":
                raise _Crash
            return answer

        monkeypatch.setattr(JiraHttp, "post", dying)
        with pytest.raises(_Crash):
            world.cycle()
        world.runner.close()
        monkeypatch.setattr(JiraHttp, "post", real_post)
        created = jira.search_issues('project = ALPHA AND summary ~ "Cut-over rehearsal"')
        assert len(created) == 1 and _blocked_by(server, created[0].key) == []

        again = world_factory(
            tmp_path, server, str(tmp_path / "register.toml"), source=source, keep_workbook=True
        )
        try:
            finished = again.cycle()
            assert finished.outcome == "ok", finished.all_errors
            created = jira.search_issues('project = ALPHA AND summary ~ "Cut-over rehearsal"')
            assert len(created) == 1  # found by its sync id, not created again
            key = created[0].key
            assert again.row("dependency", key).record.depends_on == blocker
            assert _blocked_by(server, key) == [blocker]
            assert again.cycle().counts == {}
        finally:
            again.runner.close()


NUMBERED = """
name = "numbered_raid"

[[entity]]
type = "risk"
excel = { sheet = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "ref", excel = "Risk ID" },
  { name = "summary", excel = "Risk", jira = "summary", required = true },
]

[[entity]]
type = "dependency"
excel = { sheet = "Dependencies" }
jira = { issue_type = "Dependency" }
field = [
  { name = "ref", excel = "Dep ID" },
  { name = "summary", excel = "Dependency", jira = "summary", required = true },
  { name = "depends_on", excel = "Blocked By", jira = "issuelinks", link = "is blocked by" },
]
"""


def _cells(world: Any, sheet: str) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(world.workbook)).get_sheet_by_name(sheet).to_python()


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_a_link_cell_may_name_rows_by_the_trackers_own_numbers(
    tmp_path: Path, mode: str, world_factory: Any
) -> None:
    (tmp_path / "numbered.toml").write_text(NUMBERED, "utf-8")
    source = tmp_path / "source" / "raid.xlsx"
    source.parent.mkdir()
    book = Workbook()
    risks = book.active
    risks.title = "Risks"
    risks.append(["Jira Key", "Sync ID", "Risk ID", "Risk"])
    risks.append([None, None, "R-1", "Vendor late"])
    risks.append([None, None, "R-2", "Key person leaves"])
    risks.append([None, None, "R-3", None])  # a template's numbered, empty row
    deps = book.create_sheet("Dependencies")
    deps.append(["Jira Key", "Sync ID", "Dep ID", "Dependency", "Blocked By"])
    deps.append([None, None, "D-1", "Vendor API ready", "r-1"])
    book.save(source)
    with running_sandbox(mode=mode, seed="demo", timezone="UTC") as server:
        jira = make_jira(server)
        world = world_factory(tmp_path, server, str(tmp_path / "numbered.toml"), source=source)
        try:
            first = world.cycle()
            assert first.outcome == "ok", first.all_errors  # the numbered empty row is no error
            warned = [w for w in first.all_warnings if "'r-1'" in w]
            assert warned and "next cycle" in warned[0], first.all_warnings
            by_ref = {r.record.ref: r.record.key for r in world.rows("risk").rows}
            vendor, person = by_ref["R-1"], by_ref["R-2"]
            dependency = _key_of(world, "dependency", "Vendor API ready")
            assert _blocked_by(server, dependency) == []  # R-1 had no key yet

            # The next cycle links it; the cell keeps the workbook's own number.
            second = world.cycle()
            assert second.outcome == "ok", second.all_errors
            assert _blocked_by(server, dependency) == [vendor]
            (row,) = [r for r in _cells(world, "Dependencies") if r[0] == dependency]
            assert row[4] == "r-1"
            assert world.cycle().counts == {}

            # A link made in Jira shows as the row's number where the row has one.
            jira.create_issue_link("Blocks", person, dependency)
            outsider = next(
                i.key
                for i in jira.search_issues("project = ALPHA AND issuetype = Risk ORDER BY key")
                if i.key not in by_ref.values()
            )
            jira.create_issue_link("Blocks", outsider, dependency)
            pulled = world.cycle()
            assert pulled.outcome == "ok", pulled.all_errors
            (row,) = [r for r in _cells(world, "Dependencies") if r[0] == dependency]
            shown = {part.strip() for part in row[4].split(",")}
            assert shown == {"R-1", "R-2", outsider}
            assert world.cycle().counts == {}

            # Removing a number from the cell removes that link.
            world.edit_row("dependency", dependency, depends_on=f"R-2, {outsider}")
            removed = world.cycle()
            assert removed.outcome == "ok", removed.all_errors
            assert _blocked_by(server, dependency) == sorted([person, outsider])

            # The numbered empty row took a risk from Jira and kept its number.
            numbered = [r for r in _cells(world, "Risks") if r[2] == "R-3"]
            assert len(numbered) == 1 and numbered[0][0] and numbered[0][3], numbered
        finally:
            world.runner.close()
