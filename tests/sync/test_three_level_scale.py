"""A three-level workbook scale (High/Medium/Low) against Jira's five options.

The documented mapping (docs/values.md) keeps the round trip invertible: the workbook's
three labels are the canonical 2, 3 and 4, which Jira shows as Low, Medium and High.
Jira's Very Low and Very High have no label in the column's drop-down: they are written
in their own words and reported (or, with outside_list = "skip", not written), and
Jira keeps them either way. Nothing is rounded to a neighbouring level.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

MAPPING = """
name = "three_levels"

[[entity]]
type = "risk"
excel = { sheet = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Risk", jira = "summary", required = true },
  { name = "probability", excel = "Likelihood", jira = "Probability", value_map = "probability", excel_labels = { "2" = ["Low"], "3" = ["Medium"], "4" = ["High"] } },
]
"""


def _risks(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(["Jira Key", "Sync ID", "Risk", "Likelihood"])
    sheet.append([None, None, "Vendor late", "High"])
    rule = DataValidation(type="list", formula1='"High,Medium,Low"', allow_blank=True)
    rule.add("D2:D100")
    sheet.add_data_validation(rule)
    book.save(path)


def _cells(world) -> dict[str, object]:
    rows = load_workbook(world.workbook)["Risks"].iter_rows(min_row=2, values_only=True)
    return {r[2]: r[3] for r in rows}


def test_three_levels_map_one_to_one_and_jiras_extremes_are_reported(mapped_world):
    with mapped_world(MAPPING, _risks, name="risks.xlsx") as world:
        world.cycle()
        store = world.server.store
        field = store.catalog.field_by_name_or_id("Probability")
        issue = next(i for i in store.issues.values() if i.fields["summary"] == "Vendor late")
        assert field.option_by(option_id=issue.fields[field.id]).value == "High"
        store.human_edit(issue.key, {"Probability": "Very High"})
        result = world.cycle()
        assert _cells(world)["Vendor late"] == "Very High"  # not rounded to High
        assert any("drop-down" in w and "Very High" in w for w in result.all_warnings)
        store.human_edit(issue.key, {"Probability": "Medium"})
        world.cycle()
        assert _cells(world)["Vendor late"] == "Medium"
        assert field.option_by(option_id=store.get(issue.key).fields[field.id]).value == "Medium"
        assert world.cycle().counts == {}
