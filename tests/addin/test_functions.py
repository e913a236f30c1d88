"""The worksheet functions as Excel sees them: names, help, errors, and formulas in cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from excel_addin import functions as f
from excel_addin.lookups import Portfolio

EXPECTED = {
    "PMO_RISK_SCORE", "PMO_RISK_LEVEL", "PMO_RISK_EMV", "PMO_SV", "PMO_CV", "PMO_SPI",
    "PMO_CPI", "PMO_EAC", "PMO_ETC", "PMO_VAC", "PMO_TCPI", "PMO_RAG", "PMO_OPEN_RISKS",
    "PMO_EXPOSURE", "PMO_CHANGES", "PMO_CHANGE_IMPACT", "PMO_PROGRESS", "PMO_OVERDUE",
    "PMO_HEALTH", "PMO_STATUS", "PMO_FIELD", "PMO_ITEMS", "PMO_LAST_SYNC", "PMO_UTILIZATION",
    "PMO_COMPLIANCE", "PMO_BREACHES", "PMO_CAPACITY", "PMO_DEMAND", "PMO_UTILISATION",
    "PMO_OVERALLOCATED",
}  # fmt: skip


def test_every_function_is_registered_with_help_for_each_argument():
    import inspect

    assert set(f.FUNCTIONS) == EXPECTED
    for name, doc in f.FUNCTIONS.items():
        fn = getattr(f, name)
        assert doc.help and len(doc.help) < 120, name
        assert list(doc.args) == list(inspect.signature(fn).parameters), name
        assert all(doc.args.values()), name


def test_errors_become_cell_text_never_a_traceback():
    assert f.PMO_SPI(40000, 0) == "#DIV/0! SPI is undefined: PV is zero"
    assert f.PMO_CPI("x", 1).startswith("#VALUE!")
    assert f.PMO_RISK_SCORE(9, 9).startswith("#NUM!")
    assert f.PMO_SPI(40000.0, 50000.0) == pytest.approx(0.8)
    assert f.PMO_RISK_LEVEL(5) == "Medium" and f.PMO_RISK_LEVEL(5, 5, 10, 20) == "Low"
    assert f.PMO_RISK_LEVEL(5, 9, 5, 20).startswith("#NUM!")
    assert f.PMO_EAC(100000, 40000, 45000) == pytest.approx(112500)
    assert f.PMO_EAC(100000, 40000, 45000, None, 50000) == pytest.approx(112500)


def test_lookups_read_the_configured_store(synced, monkeypatch):
    monkeypatch.setattr(f, "PORTFOLIO", Portfolio(synced.store))
    assert isinstance(f.PMO_OPEN_RISKS("ALPHA"), int)
    assert f.PMO_OPEN_RISKS("NOPE").startswith("#N/A no project")
    table = f.PMO_ITEMS("risk", "ALPHA")
    assert table[0] == ["key", "summary", "status", "owner", "due_date"] and len(table) > 1


def _evaluate(path: Path) -> dict[str, object]:
    """Calculate a workbook headlessly with the PMO functions registered (formulas pkg)."""
    import formulas

    def plain(value: object) -> object:
        value = getattr(value, "value", value)
        if isinstance(value, np.ndarray):
            value = value.ravel()[0] if value.size == 1 else value.tolist()
        if type(value).__name__ == "Token":  # formulas' empty cell
            return None
        return value

    registry = formulas.get_functions()
    for name in f.FUNCTIONS:
        fn = getattr(f, name)
        registry[name] = lambda *args, fn=fn: fn(*(plain(a) for a in args))
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    found = {}
    for ref, value in solution.items():
        if "!" in ref:
            cell = ref.split("!")[1]
            found[cell] = plain(value)
    return found


def test_a_workbook_of_pmo_formulas_gives_the_expected_values(tmp_path, synced, monkeypatch):
    monkeypatch.setattr(f, "PORTFOLIO", Portfolio(synced.store))
    book = Workbook()
    sheet = book.active
    sheet.title = "EVM"
    sheet.append(["BAC", "PV", "EV", "AC"])
    sheet.append([100000, 50000, 40000, 45000])
    formulas_in_cells = {
        "A4": "=PMO_SV(C2,B2)",
        "B4": "=PMO_CV(C2,D2)",
        "C4": "=PMO_SPI(C2,B2)",
        "D4": "=PMO_CPI(C2,D2)",
        "E4": "=PMO_EAC(A2,C2,D2)",
        "F4": "=PMO_VAC(A2,E4)",
        "G4": "=PMO_TCPI(A2,C2,D2)",
        "H4": "=PMO_RAG(C4,D4,0,0)",
        "A5": "=PMO_RISK_SCORE(4,5)",
        "B5": "=PMO_RISK_LEVEL(A5)",
        "C5": "=PMO_RISK_EMV(0.3,50000)",
        "D5": "=PMO_SPI(C2,0)",
        "E5": '=PMO_OPEN_RISKS("ALPHA")',
        "F5": '=PMO_EXPOSURE("ALPHA")',
        "G5": '=PMO_CHANGES("ALPHA")',
        "H5": '=PMO_HEALTH("BETA")',
        "A6": '=PMO_FIELD("ALPHA","ev")/PMO_FIELD("ALPHA","pv")',
    }
    for cell, formula in formulas_in_cells.items():
        sheet[cell] = formula
    path = tmp_path / "pmo_formulas.xlsx"
    book.save(path)
    values = _evaluate(path)
    portfolio = Portfolio(synced.store)
    assert values["A4"] == -10000 and values["B4"] == -5000
    assert values["C4"] == pytest.approx(0.8) and values["D4"] == pytest.approx(0.8889, abs=1e-4)
    assert values["E4"] == pytest.approx(112500) and values["F4"] == pytest.approx(-12500)
    assert values["G4"] == pytest.approx(60000 / 55000)
    assert values["H4"] == "Red"  # SPI 0.8 is below the Red line
    assert (
        values["A5"] == 20 and values["B5"] == "Critical" and values["C5"] == pytest.approx(15000)
    )
    assert values["D5"] == "#DIV/0! SPI is undefined: PV is zero"
    assert values["E5"] == portfolio.open_risks("ALPHA")
    assert values["F5"] == portfolio.exposure("ALPHA")
    assert values["G5"] == portfolio.changes("ALPHA")
    assert values["H5"] == portfolio.health("BETA") in ("Red", "Amber", "Green")
    assert values["A6"] == pytest.approx(0.9)  # ALPHA's SPI from its Projects-sheet row


def test_the_refresh_button_syncs_the_workbook_and_says_what_happened(synced, monkeypatch):
    monkeypatch.setenv("PMO_SYNC_JIRA_TOKEN", synced.server.credentials.api_token or "")
    monkeypatch.setenv("PMO_SYNC_CONFIG", str(synced.config))
    workbook = synced.config.parent / "raid.xlsx"
    risk = sorted(i.key for i in synced.server.store.issues.values() if i.key.startswith("ALPHA-"))[
        0
    ]
    synced.server.store.human_edit(risk, {"summary": "Renamed in Jira"})
    message = f.refresh_message(workbook)
    assert message.startswith("pmo-sync:") and "open conflict" in message, message
    assert "Error" not in message, message
    assert f.refresh_message(synced.config.parent / "other.xlsx").startswith("pmo-sync could not")


def test_the_refresh_macro_reports_to_excel(monkeypatch, tmp_path):
    shown = {}

    class FakeApp:
        status_bar = None

        def alert(self, text, title):
            shown["alert"] = (text, title)

    class FakeBook:
        fullname = str(tmp_path / "raid.xlsx")
        app = FakeApp()

    monkeypatch.setattr(f.xw.Book, "caller", staticmethod(lambda: FakeBook()))
    monkeypatch.setattr(f, "refresh_message", lambda path: "pmo-sync: 2 excel write; 0 open\nmore")
    f.refresh_workbook()
    assert FakeBook.app.status_bar == "pmo-sync: 2 excel write; 0 open"
    assert shown["alert"][1] == "pmo-sync"


def test_install_and_the_per_workbook_setup(tmp_path):
    from excel_addin.install import AddinUnavailable, install_addin, write_addin_workbook

    with pytest.raises(AddinUnavailable, match="Windows or macOS"):
        install_addin(tmp_path / "state.db", system="Linux")
    ran = []
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    conf.write_text('"LICENSE_KEY","keep-me"\n"UDF_MODULES","old"\n')
    steps = install_addin(tmp_path / "state.db", system="Windows", run=ran.append, conf_path=conf)
    assert ran and ran[0][-3:] == ["xlwings", "addin", "install"] and len(steps) == 3
    text = conf.read_text()
    assert '"LICENSE_KEY","keep-me"' in text and '"UDF_MODULES","excel_addin.functions"' in text
    assert text.count("UDF_MODULES") == 1 and "PMO_SYNC_STATE_STORE" in text
    path = write_addin_workbook(tmp_path / "pmo.xlsx", tmp_path / "state.db")
    book = load_workbook(path)
    assert book.sheetnames == ["PMO functions", "Reference", "xlwings.conf"]
    conf_sheet = {r[0]: r[1] for r in book["xlwings.conf"].iter_rows(values_only=True)}
    assert conf_sheet["UDF_MODULES"] == "excel_addin.functions"
    assert book["PMO functions"]["C2"].value == "=PMO_RISK_SCORE(4,5)"
    assert {r[0] for r in book["Reference"].iter_rows(min_row=2, values_only=True)} == EXPECTED
    with pytest.raises(FileExistsError):
        write_addin_workbook(path, tmp_path / "state.db")
