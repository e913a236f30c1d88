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

from sandbox import running_sandbox

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


def test_three_levels_map_one_to_one_and_jiras_extremes_are_reported(tmp_path: Path, world_factory):
    (tmp_path / "three.toml").write_text(MAPPING, "utf-8")
    source = tmp_path / "source" / "risks.xlsx"
    source.parent.mkdir()
    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(["Jira Key", "Sync ID", "Risk", "Likelihood"])
    sheet.append([None, None, "Vendor late", "High"])
    rule = DataValidation(type="list", formula1='"High,Medium,Low"', allow_blank=True)
    rule.add("D2:D100")
    sheet.add_data_validation(rule)
    book.save(source)
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(tmp_path, server, str(tmp_path / "three.toml"), source=source)
        world.cycle()
        store = server.store
        field = store.catalog.field_by_name_or_id("Probability")
        issue = next(i for i in store.issues.values() if i.fields["summary"] == "Vendor late")
        assert field.option_by(option_id=issue.fields[field.id]).value == "High"
        store.human_edit(issue.key, {"Probability": "Very High"})
        result = world.cycle()
        cells = {
            r[2]: r[3]
            for r in load_workbook(world.workbook)["Risks"].iter_rows(min_row=2, values_only=True)
        }
        assert cells["Vendor late"] == "Very High"  # not rounded to High
        assert any("drop-down" in w and "Very High" in w for w in result.all_warnings)
        store.human_edit(issue.key, {"Probability": "Medium"})
        world.cycle()
        cells = {
            r[2]: r[3]
            for r in load_workbook(world.workbook)["Risks"].iter_rows(min_row=2, values_only=True)
        }
        assert cells["Vendor late"] == "Medium"
        assert field.option_by(option_id=store.get(issue.key).fields[field.id]).value == "Medium"
        assert world.cycle().counts == {}
        world.runner.close()
