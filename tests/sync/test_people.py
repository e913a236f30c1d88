"""People named as a PMO writes them: a [people] map to Jira accounts, and a text fallback.

A Chinese RAID log names owners 张伟 and 李娜; Jira knows carol@example.com and no one
called 李娜. With ``[people]`` the first is written to Jira as that account and reads back
as 张伟 (the cell keeps the PMO's name); the second fails its row alone, saying what to do,
or, with ``unknown_people = "text"``, goes into the field's text fallback and reads back
from there.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

MAPPING = """
name = "raid_people"

[[entity]]
type = "risk"
excel = { sheet = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Risk", jira = "summary", required = true },
  # Risk Trigger stands in for a text field such as "Owner (name)" on the Risk screen.
  { name = "owner", excel = "负责人", jira = "assignee", jira_fallback = "Risk Trigger" },
]
"""


def _workbook(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(["Jira Key", "Sync ID", "Risk", "负责人"])
    sheet.append([None, None, "Vendor late", "张伟"])
    sheet.append([None, None, "Budget cut", "李娜"])
    book.save(path)


PEOPLE = '\n[people]\n"张伟" = "carol@example.com"\n'


def _issue(world, summary: str):
    return next(i for i in world.server.store.issues.values() if i.fields["summary"] == summary)


def _owners(world) -> dict[str, str]:
    sheet = load_workbook(world.workbook)["Risks"]
    return {r[2]: r[3] for r in sheet.iter_rows(min_row=2, values_only=True) if r[2]}


def test_a_mapped_name_is_written_as_its_account_and_reads_back_as_the_name(mapped_world):
    with mapped_world(MAPPING, _workbook, pair_settings=PEOPLE) as world:
        result = world.cycle()
        assert _issue(world, "Vendor late").fields["assignee"] == "carol"
        # 李娜 matches no one: that row fails alone, and the error says what to do.
        (error,) = [e for e in result.all_errors if "李娜" in e]
        assert "[people]" in error and "unknown_people" in error and "row 3" in error
        assert not [
            i for i in world.server.store.issues.values() if i.fields["summary"] == "Budget cut"
        ]
        world.cycle()
        assert _owners(world)["Vendor late"] == "张伟"  # not carol@example.com
        world.server.store.human_edit(_issue(world, "Vendor late").key, {"assignee": "dave"})
        world.cycle()
        assert _owners(world)["Vendor late"] == "dave@example.com"
        assert world.cycle().counts == {}


def test_with_unknown_people_text_the_name_goes_to_the_fallback_field(mapped_world):
    with mapped_world(
        MAPPING, _workbook, pair_settings=PEOPLE, sync_settings='unknown_people = "text"'
    ) as world:
        result = world.cycle()
        assert result.outcome == "ok", result.all_errors
        issue = _issue(world, "Budget cut")
        trigger = world.server.store.catalog.field_by_name_or_id("Risk Trigger").id
        assert issue.fields["assignee"] is None and issue.fields[trigger] == "李娜"
        assert _issue(world, "Vendor late").fields["assignee"] == "carol"
        assert world.cycle().counts == {}  # 李娜 reads back from the fallback: no churn
        owners = _owners(world)
        assert (owners["Vendor late"], owners["Budget cut"]) == ("张伟", "李娜")
