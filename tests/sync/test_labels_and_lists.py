"""Labels stay per side, and a column's drop-down list is respected.

A Chinese RAID log (title block, headers in Chinese, 高/中/低 scales and Chinese category
names as drop-down lists) synced with Jira's English options: each side gets its own
labels; a column keeps the label style it uses; a Jira value the column's list does not
allow is reported (and, with ``outside_list = "skip"``, not written).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch

MAPPING = """
name = "raid_cn"
description = "A Chinese RAID log"

[value_maps]
risk_category = { technical = ["技术"], schedule = ["进度"], cost = ["成本"], resource = ["资源"], scope = ["范围"], external = ["外部"], information = ["信息"], process = ["流程"], system = ["系统"], other = ["其他"], weather = ["天气"] }

[[entity]]
type = "risk"
excel = { sheet = "风险登记册", key_column = "Jira 编号", sync_id_column = "同步 ID" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "风险描述", jira = "summary", required = true },
  { name = "category", excel = "类别", jira = "Risk Category", value_map = "risk_category" },
  { name = "probability", excel = "概率", jira = "Probability", value_map = "probability", excel_labels = { "1" = ["1", "很低"], "2" = ["2", "低"], "3" = ["3", "中"], "4" = ["4", "高"], "5" = ["5", "很高"] } },
  { name = "status", excel = "状态", jira = "status", value_map = "risk_status", excel_labels = { open = ["打开"], mitigating = ["处理中"], closed = ["关闭"] } },
]
"""
HEADERS = ["Jira 编号", "同步 ID", "风险描述", "类别", "概率", "状态"]


def _chinese_raid_log(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "风险登记册"
    sheet["A1"] = "项目风险登记册"
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(3, column, header)
    sheet.append([None, None, "供应商交付延迟", "技术", "高", "打开"])
    for formula, cells in (
        ('"技术,进度,成本,资源,范围"', "D4:D200"),
        ('"很低,低,中,高,很高"', "E4:E200"),
        ('"打开,处理中,关闭"', "F4:F200"),
    ):
        rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        rule.add(cells)
        sheet.add_data_validation(rule)
    book.save(path)


def _jira(world, key: str, name: str) -> str | None:
    store = world.server.store
    fd = store.catalog.field_by_name_or_id(name)
    value = store.get(key).fields.get(fd.id)
    return None if value is None else fd.option_by(option_id=value).value


def _cells(world) -> dict[str, list]:
    sheet = load_workbook(world.workbook)["风险登记册"]
    rows = {}
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if row[2]:
            rows[row[2]] = list(row)
    return rows


def test_labels_stay_per_side_and_follow_the_columns_style(mapped_world):
    with mapped_world(MAPPING, _chinese_raid_log, name="风险登记册.xlsx") as world:
        first = world.cycle()
        assert first.outcome == "ok", first.all_errors
        key = (
            world.rows("risk").rows[0].record.key if world.rows("risk").rows[0].record.key else None
        )
        row = next(r for r in world.rows("risk").rows if r.record.summary == "供应商交付延迟")
        key = row.record.key
        assert key, first.all_errors
        assert _jira(world, key, "Risk Category") == "Technical"  # Jira's option, not 技术
        assert _jira(world, key, "Probability") == "High"
        world.server.store.human_edit(key, {"Probability": "Medium"})
        world.server.store.human_create(
            "ALPHA", "Risk", "机房搬迁", {"Probability": "Very High", "Risk Category": "Schedule"}
        )
        second = world.cycle()
        assert second.outcome == "ok", second.all_errors
        cells = _cells(world)
        assert cells["供应商交付延迟"][4] == "中"  # the column's style, not the mapping's "3"
        assert cells["机房搬迁"][3:5] == ["进度", "很高"]
        assert cells["供应商交付延迟"][5] == "打开"
        assert world.cycle().counts == {}


def test_a_value_the_drop_down_does_not_allow_is_reported_and_written(mapped_world):
    with mapped_world(MAPPING, _chinese_raid_log, name="风险登记册.xlsx") as world:
        world.cycle()
        key = world.rows("risk").rows[0].record.key
        world.server.store.human_edit(key, {"Risk Category": "External"})  # 外部: not listed
        result = world.cycle()
        assert _cells(world)["供应商交付延迟"][3] == "外部"
        assert any("外部" in w and "drop-down" in w for w in result.all_warnings), (
            result.all_warnings
        )


def test_with_outside_list_skip_the_cell_and_jira_keep_their_values(mapped_world):
    with mapped_world(
        MAPPING, _chinese_raid_log, name="风险登记册.xlsx", sync_settings='outside_list = "skip"'
    ) as world:
        world.cycle()
        key = world.rows("risk").rows[0].record.key
        world.server.store.human_edit(key, {"Risk Category": "External"})
        result = world.cycle()
        assert _cells(world)["供应商交付延迟"][3] == "技术"
        assert _jira(world, key, "Risk Category") == "External"
        assert any("not written" in w for w in result.all_warnings)
        again = world.cycle()  # still reported, still nothing written either way
        assert _jira(world, key, "Risk Category") == "External"
        assert _cells(world)["供应商交付延迟"][3] == "技术"
        assert any("外部" in w for w in again.all_warnings) or again.counts == {}
        # A person picks a listed value while Jira holds another: both sides changed
        # since they last agreed, so it is a conflict for a person to decide.
        read = world.rows("risk")
        patch = WorkbookPatch().set_in(read.location, read.rows[0].row_number, "类别", "成本")
        apply_patch(world.workbook, patch, expected=Fingerprint.of_file(world.workbook), live=False)
        assert world.cycle().outcome == "conflicts"
        (conflict,) = world.store.open_conflicts()
        assert (conflict.field, conflict.jira, conflict.excel) == ("category", "external", "cost")


def test_a_value_no_jira_option_matches_fails_its_row_alone_and_says_which_options_exist(
    mapped_world,
):
    with mapped_world(MAPPING, _chinese_raid_log, name="风险登记册.xlsx") as world:
        read = world.rows("risk")
        patch = WorkbookPatch().set_in(read.location, read.rows[0].row_number, "类别", "天气")
        apply_patch(world.workbook, patch, expected=Fingerprint.of_file(world.workbook), live=False)
        world.server.store.human_create("ALPHA", "Risk", "机房搬迁", {"Probability": "Low"})
        result = world.cycle()
        assert "机房搬迁" in _cells(world)  # the rest of the pair synced
        (error,) = [e for e in result.all_errors if "weather" in e]
        assert "Risk Category" in error and "Technical" in error and "jira_labels" in error
        assert "row 4" in error
