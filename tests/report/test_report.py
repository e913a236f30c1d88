"""The status report from a real sync of the sandbox demo portfolio, checked figure by
figure against the state store, opened in LibreOffice and rendered to PNG."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from excel_addin.lookups import Portfolio
from excel_addin.metrics import rag
from mappings.config import load_config
from mappings.model import build_record
from report import generate
from report.figures import LEVELS
from report.pdf import to_pdf, to_png
from sandbox.testing import make_jira
from sync.runner import Runner
from sync.store import StateStore

AS_OF = date(2026, 11, 28)


def need_program(name: str) -> None:
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required when CI is set (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")


def _cycle(synced) -> None:
    config = load_config(synced.config)
    site = open_site(make_jira(synced.server), "cloud", RetryPolicy(sleep=lambda s: None))
    runner = Runner(config, site=site)
    assert all(r.outcome in ("ok", "conflicts") for r in runner.run())
    runner.close()


@pytest.fixture(scope="module")
def store_copy(synced, tmp_path_factory):
    """A second cycle (so the trend has two points) on the synced store."""
    _cycle(synced)
    return synced.store


def _expected(store: StateStore) -> dict[str, dict]:
    """Per-project figures recomputed here, straight from the stored items."""
    out: dict[str, dict] = {}
    for entity in ("risk", "change_request", "work_item", "raid_issue"):
        for item in store.items(entity):
            row = out.setdefault(
                item["project"], {"levels": Counter(), "exposure": 0, "pending": 0, "overdue": 0}
            )
            if entity == "risk" and item["status"] != "closed":
                row["levels"][item["level"]] += 1
                row["exposure"] += item["score"]
            if entity == "change_request" and item["decision"] == "pending":
                row["pending"] += 1
            closed = {"closed", "done", "implemented", "rejected", "deferred"}
            if item.get("due_date") and item["due_date"] < AS_OF and item["status"] not in closed:
                row["overdue"] += 1
    return out


def test_every_portfolio_figure_matches_the_store(store_copy, project_budgets, tmp_path):
    with StateStore(store_copy) as store:
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, remember=False)
        expected = _expected(store)
        risks = [r for r in store.items("risk") if r["status"] != "closed"]
    book = load_workbook(result.path)
    sheet = book["Portfolio"]
    header = [c.value for c in sheet[4]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=5, values_only=True)
    }
    assert set(rows) == set(expected) == {"ALPHA", "BETA"}
    for key, want in expected.items():
        got = rows[key]
        assert [got[level.capitalize()] for level in LEVELS] == [
            want["levels"][lv] for lv in LEVELS
        ]
        assert got["Open risks"] == sum(want["levels"].values())
        assert got["Exposure"] == want["exposure"]
        assert got["Pending changes"] == want["pending"]
        assert got["Overdue"] == want["overdue"]
        # The Projects sheet's own figures, copied into the store by the sync.
        budget = project_budgets[key]
        assert (got["Name"], got["Manager"]) == (budget["name"], budget["manager"])
        assert got["SPI"] == pytest.approx(budget["ev"] / budget["pv"])
        assert got["CPI"] == pytest.approx(budget["ev"] / budget["ac"])
        assert got["RAG"] == Portfolio(store_copy).health(key, AS_OF)  # same as =PMO_HEALTH
        assert got["RAG"] == rag(
            got["SPI"], got["CPI"], want["levels"]["critical"], want["overdue"]
        )
    assert sheet["F5"].number_format == sheet["G5"].number_format == "0.00"  # SPI, CPI
    # RAG colours are conditional formats on the RAG column, not static fills.
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules if r.type == "cellIs"]
    assert sorted(r.formula[0] for r in rules) == ['"Amber"', '"Green"', '"Red"']
    bars = [cf.sqref for cf in sheet.conditional_formatting for r in cf.rules if r.dataBar]
    assert [str(ref) for ref in bars] == ["E5:E6"]  # progress as data bars
    assert all(sheet.cell(r, 4).fill.fgColor.rgb in (None, "00000000") for r in range(5, 7))
    # Heat map: every open risk with a probability and impact is counted once.
    heat = book["Risk Heat Map"]
    matrix = [[heat.cell(4 + r, 2 + c).value for c in range(5)] for r in range(5)]
    assert sum(map(sum, matrix)) == sum(1 for r in risks if r["probability"] and r["impact"])
    for risk in risks:
        if risk["probability"] and risk["impact"]:
            assert matrix[5 - risk["probability"]][risk["impact"] - 1] >= 1
    top = [heat.cell(r, 3).value for r in range(13, 23) if heat.cell(r, 1).value]
    assert top == sorted(top, reverse=True) and len(top) == min(10, len(risks))
    # Change log summary.
    changes = book["Changes"]
    by_decision = {changes.cell(r, 1).value: changes.cell(r, 2).value for r in range(4, 8)}
    with StateStore(store_copy) as store:
        counted = Counter(c["decision"] for c in store.items("change_request"))
    assert by_decision == {
        d.capitalize(): counted.get(d, 0) for d in ("pending", "approved", "rejected", "deferred")
    }
    # Native charts: progress and risk levels, and the trend from the per-cycle snapshots.
    assert len(book["Charts"]._charts) == 3
    trend = [r for r in book["Trend"].iter_rows(min_row=2, values_only=True)]
    assert len(trend) >= 2 and trend[-1][1] == len(risks)


def test_since_shows_new_and_closed_risks_and_rag_changes(synced, store_copy, tmp_path):
    with StateStore(store_copy) as store:
        generate(store, tmp_path / "first.xlsx", as_of=AS_OF)
    store = synced.server.store
    risk = next(
        i
        for i in store.issues.values()
        if i.key.startswith("ALPHA-")
        and store.catalog.issue_types[i.fields["issuetype"]].name == "Risk"
        and store.catalog.statuses[i.fields["status"]].name == "Mitigating"
    )
    store.human_transition(risk.key, "Close Risk")
    new = store.human_create(
        "ALPHA",
        "Risk",
        "Key supplier insolvent",
        {"Probability": "Very High", "Impact": "Very High"},
    )
    _cycle(synced)
    with StateStore(store_copy) as state:
        result = generate(state, tmp_path / "second.xlsx", since=timedelta(days=7), as_of=AS_OF)
    assert result.changes.baseline is not None
    assert new.key in result.changes.new_risks and risk.key in result.changes.closed_risks
    since = load_workbook(result.path)["Since"]
    text = [c for row in since.iter_rows(values_only=True) for c in row if c]
    assert new.key in text and risk.key in text


def test_the_report_opens_in_libreoffice_and_renders_to_png(store_copy, tmp_path):
    need_program("soffice")
    need_program("pdftoppm")
    with StateStore(store_copy) as store:
        result = generate(store, tmp_path / "report.xlsx", as_of=AS_OF, pdf=True, remember=False)
    assert result.pdf is not None and result.pdf.stat().st_size > 1000
    (png,) = to_png(result.pdf, first_page=1, last_page=1)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_an_empty_portfolio_gives_an_empty_but_valid_report(tmp_path):
    with StateStore(tmp_path / "state.db") as store:
        result = generate(store, tmp_path / "empty.xlsx")
    book = load_workbook(result.path)
    assert book["Portfolio"].max_row == 4 and book["Charts"]._charts == []
    assert "first report" in book["Since"]["A2"].value
    if shutil.which("soffice"):
        assert to_pdf(result.path).exists()


def test_a_thousand_projects_stay_bounded(tmp_path):
    with StateStore(tmp_path / "state.db") as store, store.transaction():
        records = []
        for n in range(3000):
            project = f"P{n % 1000:04d}"[:10]
            risk = build_record(
                "risk",
                {
                    "key": f"{project}-{n + 1}",
                    "project": project,
                    "summary": f"risk {n}",
                    "probability": 1 + n % 5,
                    "impact": 1 + n % 4,
                },
                source="test",
            ).model_dump()
            risk["sync_id"] = str(risk["sync_id"])
            records.append(risk)
        store.save_items("big", "risk", records)
    with StateStore(tmp_path / "state.db") as store:
        result = generate(store, tmp_path / "big.xlsx")
    assert len(result.figures.projects) == 1000
    assert result.path.stat().st_size < 1_000_000
    book = load_workbook(result.path)
    assert book["Portfolio"].max_row == 4 + 1000
    assert "first 25 of 1000" in book["Charts"]["A2"].value


def test_text_from_jira_is_never_a_formula(tmp_path):
    with StateStore(tmp_path / "state.db") as store, store.transaction():
        risk = build_record(
            "risk",
            {
                "key": "ZED-1",
                "project": "ZED",
                "summary": '=HYPERLINK("http://evil")',
                "probability": 5,
                "impact": 5,
            },
            source="test",
        ).model_dump()
        risk["sync_id"] = str(risk["sync_id"])
        store.save_items("p", "risk", [risk])
    with StateStore(tmp_path / "state.db") as store:
        result = generate(store, tmp_path / "r.xlsx")
    cell = load_workbook(result.path)["Risk Heat Map"]["G13"]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"


def test_an_issue_two_pairs_sync_is_counted_once(tmp_path, sandbox_issues, portfolio_config):
    """A project's RAID log and the PMO's change log both hold its change requests."""
    from connectors.excel.template import write_template
    from excel_addin.lookups import Portfolio
    from mappings.mapping import load_mapping
    from report.figures import compute
    from sandbox import running_sandbox

    pairs = {
        "raid": ("raid.xlsx", "builtin:raid_log"),
        "changes": ("changes.xlsx", "builtin:change_log"),
    }
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        write_template(load_mapping("builtin:raid_log"), tmp_path / "raid.xlsx")
        write_template(load_mapping("builtin:change_log"), tmp_path / "changes.xlsx")
        path = tmp_path / "pmo-sync.toml"
        path.write_text(portfolio_config(server.url, server.credentials.email, pairs, ["ALPHA"]))
        site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=lambda s: None))
        runner = Runner(load_config(path), site=site)
        assert all(r.outcome == "ok" for r in runner.run())
        runner.close()
        expected = len(sandbox_issues(server, "ALPHA", "Change Request"))
    with StateStore(tmp_path / "state.db") as store:
        assert len(store.items("change_request", "raid")) == expected
        assert len(store.items("change_request", "changes")) == expected
        assert len(store.items("change_request")) == expected  # the portfolio: once
        figures = compute(store, as_of=AS_OF)
        (alpha,) = figures.projects
        assert alpha.pending_changes == sum(
            1 for c in store.items("change_request") if c["decision"] == "pending"
        )
        counted = sum(v["count"] for v in figures.changes_by_decision.values())
        assert counted == expected
    assert Portfolio(tmp_path / "state.db").changes("ALPHA") == expected


def _inline_strings_without_text(path) -> list[str]:
    """Cells typed as inline strings but holding no <is> (what openpyxl writes for "");
    Excel repairs the file when it opens it."""
    import re
    import zipfile

    found = []
    with zipfile.ZipFile(path) as package:
        for part in package.namelist():
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                xml = package.read(part).decode()
                for cell in re.finditer(r"<c\b[^>]*\bt=\"inlineStr\"[^>]*?(?:/>|>(.*?)</c>)", xml):
                    if "<is>" not in (cell.group(1) or ""):
                        found.append(f"{part}: {cell.group(0)[:60]}")
    return found


def test_a_project_without_name_or_manager_leaves_those_cells_empty(tmp_path):
    """Jira had no project details for ZED: its name and manager are "" in the figures,
    which openpyxl wrote as inline strings without text (a repair prompt in Excel)."""
    with StateStore(tmp_path / "state.db") as store, store.transaction():
        risk = build_record(
            "risk",
            {"key": "ZED-1", "project": "ZED", "summary": "s", "probability": 1, "impact": 2},
            source="test",
        ).model_dump()
        risk["sync_id"] = str(risk["sync_id"])
        store.save_items("p", "risk", [risk])
    with StateStore(tmp_path / "state.db") as store:
        result = generate(store, tmp_path / "r.xlsx")
    assert result.figures.projects[0].manager == ""  # the case this test is about
    assert _inline_strings_without_text(result.path) == []
    sheet = load_workbook(result.path)["Portfolio"]
    assert sheet["A5"].value == "ZED" and sheet["C5"].value is None


def test_any_text_from_jira_reaches_the_report_intact(tmp_path):
    """A control character (openpyxl refused it: the report crashed) and text that looks
    like an OOXML escape (Excel would show "A" for "_x0041_") in a risk's summary."""
    from connectors.excel.strings import unescape_ooxml

    summary = "tab\there, VT\x0bthere, _x0041_ literal, \x01"
    with StateStore(tmp_path / "state.db") as store, store.transaction():
        risk = build_record(
            "risk",
            {"key": "ZED-1", "project": "ZED", "summary": summary, "probability": 5, "impact": 5},
            source="test",
        ).model_dump()
        risk["sync_id"] = str(risk["sync_id"])
        store.save_items("p", "risk", [risk])
    with StateStore(tmp_path / "state.db") as store:
        result = generate(store, tmp_path / "r.xlsx")
    stored = load_workbook(result.path)["Risk Heat Map"]["G13"].value
    assert stored != summary and unescape_ooxml(stored) == summary  # as Excel reads it
