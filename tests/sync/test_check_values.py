"""`pmo-sync check` finds, before the first sync, what the first sync would fail on:
option values Jira lacks, fields a transition requires, values outside a column's
drop-down list, and people no Jira user matches."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from typer.testing import CliRunner

from pmo_sync.cli import app
from sandbox import running_sandbox

MAPPING = """
name = "check_me"

[value_maps]
risk_category = { technical = ["技术"], weather = ["天气"] }

[[entity]]
type = "risk"
excel = { sheet = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Risk", jira = "summary", required = true },
  { name = "category", excel = "类别", jira = "Risk Category", value_map = "risk_category" },
  { name = "owner", excel = "负责人", jira = "assignee" },
  { name = "probability", excel = "Probability", jira = "Probability", value_map = "probability", excel_labels = { "1" = ["1"], "2" = ["2"], "3" = ["3"], "4" = ["4"], "5" = ["5"] } },
]

[[entity]]
type = "change_request"
excel = { sheet = "Changes" }
jira = { issue_type = "Change Request" }
field = [
  { name = "summary", excel = "Title", jira = "summary", required = true },
  { name = "status", excel = "Status", jira = "status", value_map = "change_request_status" },
]
"""


def _workbook(path: Path) -> None:
    book = Workbook()
    risks = book.active
    risks.title = "Risks"
    risks.append(["Jira Key", "Sync ID", "Risk", "类别", "负责人", "Probability"])
    risks.append([None, None, "Vendor late", "技术", "张伟", 2])
    risks.append([None, None, "Typhoon season", "天气", "李娜", 5])
    rule = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    rule.add("F2:F100")
    risks.add_data_validation(rule)
    changes = book.create_sheet("Changes")
    changes.append(["Jira Key", "Sync ID", "Title", "Status"])
    changes.append([None, None, "More racks", "Approved"])
    book.save(path)


def test_check_finds_what_the_first_sync_would_fail_on(tmp_path: Path):
    (tmp_path / "check_me.toml").write_text(MAPPING, "utf-8")
    _workbook(tmp_path / "tracker.xlsx")
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        config = tmp_path / "pmo-sync.toml"
        config.write_text(
            f'[jira]\nurl = "{server.url}"\nemail = "{server.credentials.email}"\n\n'
            '[[pair]]\nname = "p"\nworkbook = "tracker.xlsx"\nmapping = "check_me.toml"\n'
            'projects = ["ALPHA"]\n\n[people]\n"张伟" = "carol@example.com"\n',
            "utf-8",
        )
        env = {"PMO_SYNC_JIRA_TOKEN": server.credentials.api_token or "", "COLUMNS": "300"}
        result = CliRunner().invoke(app, ["check", "--config", str(config)], env=env)
        writes = [r for r in server.request_log if r.method in ("PUT", "POST", "DELETE")]
    out = result.output
    assert result.exit_code == 2, out
    lines = out.splitlines()

    def line(*words: str) -> str:
        found = [x for x in lines if all(w in x for w in words)]
        assert found, f"no line with {words} in:\n{out}"
        return found[0]

    assert "FAIL" in line("category", "'weather'", "rows 3", "Technical", "jira_labels")
    assert "FAIL" in line("owner", "李娜", "[people]")
    assert not [x for x in lines if "张伟" in x]  # mapped in [people]: resolves
    assert "warn" in line("probability", "'5'", "drop-down")
    assert "FAIL" in line("change_request", "Decision Date", "Approved", "rows 2")
    # `check` changes nothing (search/jql is a read that Cloud sends as POST)
    assert [w for w in writes if "search" not in w.path] == []
