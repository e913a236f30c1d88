"""Putting the PMO functions into Excel: the xlwings add-in, user-wide or per workbook.

User-wide (`pmo-sync addin install`): the xlwings add-in is installed into Excel and its
user config (~/.xlwings/xlwings.conf) points UDF_MODULES at ``excel_addin.functions``,
with this Python as the interpreter and the state store path in the environment the
add-in passes to Python. Per workbook (`pmo-sync addin workbook PATH`): a workbook with
an ``xlwings.conf`` sheet (the xlwings add-in reads settings from such a sheet before
the user config) and a sheet of example formulas to start from.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook

from connectors.excel.newbook import save_new_workbook
from excel_addin.functions import FUNCTIONS

UDF_MODULE = "excel_addin.functions"
CONF_SHEET = "xlwings.conf"


class AddinUnavailable(RuntimeError):
    """Excel add-ins can only be installed where Excel runs (Windows, macOS)."""


def conf_entries(state_store: Path, python: str = sys.executable) -> dict[str, str]:
    key = "INTERPRETER_WIN" if platform.system() == "Windows" else "INTERPRETER_MAC"
    return {
        "UDF_MODULES": UDF_MODULE,
        key: python,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "PMO_SYNC_STATE_STORE": str(state_store.resolve()),
    }


def _write_user_conf(path: Path, entries: dict[str, str]) -> None:
    """Merge our keys into xlwings.conf ("KEY","VALUE" per line), keeping the others."""
    kept: list[str] = []
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            name = line.split(",", 1)[0].strip().strip('"')
            if name not in entries:
                kept.append(line)
    kept += [f'"{k}","{v}"' for k, v in entries.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(kept) + "\n", "utf-8")


def install_addin(
    state_store: Path,
    *,
    system: str | None = None,
    run: Callable[[Sequence[str]], object] = lambda cmd: subprocess.run(cmd, check=True),
    conf_path: Path | None = None,
) -> list[str]:
    """Install the xlwings add-in and point it at the PMO functions; returns what was done."""
    system = system or platform.system()
    if system not in ("Windows", "Darwin"):
        raise AddinUnavailable(
            "Excel add-ins install only where Excel runs (Windows or macOS). On the desktop "
            "with Excel: install Python and pmo-sync there, then run `pmo-sync addin install`;"
            " or write a workbook with `pmo-sync addin workbook PATH` and open it there."
        )
    run([sys.executable, "-m", "xlwings", "addin", "install"])
    conf = conf_path or Path.home() / ".xlwings" / "xlwings.conf"
    _write_user_conf(conf, conf_entries(state_store))
    return [
        "installed the xlwings add-in into Excel",
        f"set UDF_MODULES={UDF_MODULE} and the state store in {conf}",
        "in Excel: xlwings tab > Import Functions (or restart Excel) to load the PMO_ functions",
    ]


EXAMPLES = [
    ("Risk score (4 x 5)", "=PMO_RISK_SCORE(4,5)"),
    ("Risk level of 12", "=PMO_RISK_LEVEL(12)"),
    ("EMV: 30% of 50,000", "=PMO_RISK_EMV(0.3,50000)"),
    ("SPI (EV 40,000 / PV 50,000)", "=PMO_SPI(40000,50000)"),
    ("CPI (EV 40,000 / AC 45,000)", "=PMO_CPI(40000,45000)"),
    ("EAC (BAC 100,000)", "=PMO_EAC(100000,40000,45000)"),
    ("Health", "=PMO_RAG(0.8,0.89,0,0)"),
    ("Open risks, ALPHA", '=PMO_OPEN_RISKS("ALPHA")'),
    ("High or worse, ALPHA", '=PMO_OPEN_RISKS("ALPHA","High")'),
    ("Exposure, ALPHA", '=PMO_EXPOSURE("ALPHA")'),
    ("Approved changes, ALPHA", '=PMO_CHANGES("ALPHA","Approved")'),
    ("Overdue, ALPHA", '=PMO_OVERDUE("ALPHA")'),
    ("Compliance score, ALPHA", '=PMO_COMPLIANCE("ALPHA")'),
    ("Error breaches, ALPHA", '=PMO_BREACHES("ALPHA","error")'),
    ("Health (RAG), ALPHA", '=PMO_HEALTH("ALPHA")'),
    ("Last sync", "=PMO_LAST_SYNC()"),
]


def write_addin_workbook(path: Path, state_store: Path, *, overwrite: bool = False) -> Path:
    """A workbook ready for the PMO functions: settings sheet + example formulas."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass --force to replace it")
    book = Workbook()
    examples = book.active
    examples.title = "PMO functions"
    examples.append(["What", "Formula", "Result"])
    for what, formula in EXAMPLES:
        examples.append([what, formula.replace("=", "", 1), formula])
    reference = book.create_sheet("Reference")
    reference.append(["Function", "What it returns", "Arguments"])
    for doc in FUNCTIONS.values():
        args = "; ".join(f"{k}: {v}" for k, v in doc.args.items())
        reference.append([doc.name, doc.help, args or "(none)"])
    conf = book.create_sheet(CONF_SHEET)
    for key, value in conf_entries(state_store).items():
        conf.append([key, value])
    for sheet, widths in ((examples, (30, 40, 16)), (reference, (22, 70, 90)), (conf, (24, 70))):
        for letter, width in zip("ABC", widths, strict=False):
            sheet.column_dimensions[letter].width = width
    return save_new_workbook(book, path)
