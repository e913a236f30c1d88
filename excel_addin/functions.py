"""PMO worksheet functions for Excel (xlwings UDFs): ``=PMO_SPI(D4, E4)`` and friends.

Thin wrappers over ``metrics`` (pure formulas) and ``lookups`` (the synced portfolio in
the local state store; no formula ever calls Jira). Every failure becomes a cell text
starting with the Excel error code (``#DIV/0! SPI is undefined: PV is zero``): the
open-source xlwings cannot return real Excel error values, and a readable reason beats
a bare ``#VALUE!`` when a PMO analyst has to fix the input.

Only the BSD-licensed parts of xlwings are used (``xw.func``, ``xw.arg``, ``xw.ret``,
``xw.sub``). On Windows the xlwings add-in imports this module through ``UDF_MODULES``;
elsewhere the decorators are inert and the functions are plain Python, which is how
the tests call them. ``FUNCTIONS`` lists each function's name, help and argument help,
the same texts Excel's function wizard shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlwings as xw

from excel_addin import metrics
from excel_addin.capacity import capacity_of, demand_of, overallocated_in, utilisation_of
from excel_addin.lookups import Portfolio
from excel_addin.metrics import MetricError
from excel_addin.snapshot import ADDIN_MAX_STALENESS
from mappings.scoring import RiskLevelThresholds


@dataclass(frozen=True)
class FunctionDoc:
    """What Excel shows for one worksheet function."""

    name: str
    help: str
    args: dict[str, str]


FUNCTIONS: dict[str, FunctionDoc] = {}
# The store path comes from PMO_SYNC_STATE_STORE / the config. The store is looked at
# (stat) at most every ADDIN_MAX_STALENESS seconds: a recalculation of thousands of
# formulas costs one look; a sync's changes show from the first call after that.
PORTFOLIO = Portfolio(max_staleness=ADDIN_MAX_STALENESS)


def _blank(value: Any) -> Any:
    """Excel passes empty cells as None and sometimes whole numbers as floats."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def worksheet_function(**arg_docs: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a worksheet function: help texts for Excel, errors as cell text."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def safe(*args: Any, **kwargs: Any) -> Any:
            try:
                for arg in args:  # most calls have no float: no new argument tuple
                    if isinstance(arg, float):
                        args = tuple([_blank(a) for a in args])
                        break
                return fn(*args, **kwargs)
            except MetricError as exc:
                return exc.cell_text
            except Exception as exc:
                return f"#VALUE! {type(exc).__name__}: {exc}"

        doc = (fn.__doc__ or "").strip().splitlines()[0]
        FUNCTIONS[fn.__name__] = FunctionDoc(fn.__name__, doc, dict(arg_docs))
        wrapped: Callable[..., Any] = safe
        for name, text in reversed(arg_docs.items()):
            wrapped = xw.arg(name, doc=text)(wrapped)
        return xw.func(wrapped)

    return register


# -- risk ----------------------------------------------------------------------------------


@worksheet_function(probability="1-5 or a label (High = 4)", impact="1-5 or a label")
def PMO_RISK_SCORE(probability: Any, impact: Any) -> Any:
    """Risk score on the 5 x 5 matrix: probability x impact (1-25)."""
    return metrics.risk_score(probability, impact)


@worksheet_function(
    score="A risk score, 1-25",
    low_max="Optional: highest Low score (4)",
    medium_max="Optional: highest Medium score (9)",
    high_max="Optional: highest High score (15)",
)
def PMO_RISK_LEVEL(
    score: Any, low_max: Any = None, medium_max: Any = None, high_max: Any = None
) -> Any:
    """Risk level of a score: Low (1-4), Medium (5-9), High (10-15) or Critical (16-25)."""
    bands = {"low_max": low_max, "medium_max": medium_max, "high_max": high_max}
    given = {k: int(metrics.number(v, k)) for k, v in bands.items() if v not in (None, "")}
    if not given:
        return metrics.risk_level(score)
    try:
        thresholds = RiskLevelThresholds(**given)
    except ValueError as exc:
        raise MetricError("#NUM!", str(exc).splitlines()[-1].strip()) from None
    return metrics.risk_level(score, thresholds)


@worksheet_function(probability_pct="0.3, 30 or 30%", cost_impact="Cost if the risk occurs")
def PMO_RISK_EMV(probability_pct: Any, cost_impact: Any) -> Any:
    """Expected monetary value of a risk: probability x cost impact."""
    return metrics.risk_emv(probability_pct, cost_impact)


# -- earned value --------------------------------------------------------------------------


@worksheet_function(ev="Earned value", pv="Planned value")
def PMO_SV(ev: Any, pv: Any) -> Any:
    """Schedule variance: EV - PV (negative = behind schedule)."""
    return metrics.sv(ev, pv)


@worksheet_function(ev="Earned value", ac="Actual cost")
def PMO_CV(ev: Any, ac: Any) -> Any:
    """Cost variance: EV - AC (negative = over budget)."""
    return metrics.cv(ev, ac)


@worksheet_function(ev="Earned value", pv="Planned value")
def PMO_SPI(ev: Any, pv: Any) -> Any:
    """Schedule performance index: EV / PV (below 1 = behind schedule)."""
    return metrics.spi(ev, pv)


@worksheet_function(ev="Earned value", ac="Actual cost")
def PMO_CPI(ev: Any, ac: Any) -> Any:
    """Cost performance index: EV / AC (below 1 = over budget)."""
    return metrics.cpi(ev, ac)


_EAC_ARGS = {
    "bac": "Budget at completion",
    "ev": "Earned value",
    "ac": "Actual cost",
    "method": "cpi (default), atypical, cpi_spi or bottom_up (or 1-4)",
    "pv": "Planned value (for cpi_spi)",
    "etc": "Bottom-up estimate to complete (for bottom_up)",
}


@worksheet_function(**_EAC_ARGS)
def PMO_EAC(bac: Any, ev: Any, ac: Any, method: Any = None, pv: Any = None, etc: Any = None) -> Any:
    """Estimate at completion by a PMBOK method (BAC/CPI by default)."""
    return metrics.eac(bac, ev, ac, method or "cpi", pv=pv, etc=etc)


@worksheet_function(**_EAC_ARGS)
def PMO_ETC(bac: Any, ev: Any, ac: Any, method: Any = None, pv: Any = None, etc: Any = None) -> Any:
    """Estimate to complete: EAC - AC."""
    return metrics.etc_(bac, ev, ac, method or "cpi", pv=pv, etc=etc)


@worksheet_function(bac="Budget at completion", eac="Estimate at completion")
def PMO_VAC(bac: Any, eac: Any) -> Any:
    """Variance at completion: BAC - EAC (negative = expected overrun)."""
    return metrics.vac(bac, eac)


@worksheet_function(
    bac="Budget at completion", ev="Earned value", ac="Actual cost", eac="Optional: EAC target"
)
def PMO_TCPI(bac: Any, ev: Any, ac: Any, eac: Any = None) -> Any:
    """To-complete performance index: (BAC - EV) / (BAC - AC), or / (EAC - AC)."""
    return metrics.tcpi(bac, ev, ac, eac)


@worksheet_function(
    spi="Schedule performance index (blank if none)",
    cpi="Cost performance index (blank if none)",
    critical_risks="Open critical risks (default 0)",
    overdue="Overdue items (default 0)",
)
def PMO_RAG(spi: Any = None, cpi: Any = None, critical_risks: Any = 0, overdue: Any = 0) -> Any:
    """Project health: Red, Amber or Green (rules in the add-in's README)."""
    return metrics.rag(spi, cpi, critical_risks, overdue)


# -- portfolio lookups ----------------------------------------------------------------------


@worksheet_function(project="Jira project key, or * for all", min_level="Optional: Low..Critical")
def PMO_OPEN_RISKS(project: Any, min_level: Any = None) -> Any:
    """Open risks of a project (at or above a level), from the last sync."""
    return PORTFOLIO.open_risks(project, min_level)


@worksheet_function(project="Jira project key, or * for all")
def PMO_EXPOSURE(project: Any) -> Any:
    """Risk exposure of a project: the sum of its open risks' scores."""
    return PORTFOLIO.exposure(project)


@worksheet_function(project="Jira project key, or * for all", decision="Optional: approved...")
def PMO_CHANGES(project: Any, decision: Any = None) -> Any:
    """Change requests of a project, optionally with one decision."""
    return PORTFOLIO.changes(project, decision)


@worksheet_function(
    project="Jira project key, or * for all",
    kind="cost or schedule",
    decision="Optional: approved (default), pending, ... or * for all",
)
def PMO_CHANGE_IMPACT(project: Any, kind: Any = "cost", decision: Any = "approved") -> Any:
    """Total cost (or schedule days) impact of a project's change requests."""
    return PORTFOLIO.change_impact(project, kind, decision)


@worksheet_function(project="Jira project key, or * for all", by="Optional: count or estimate")
def PMO_PROGRESS(project: Any, by: Any = None) -> Any:
    """Fraction of a project's work items done (by estimate when all have one)."""
    return PORTFOLIO.progress(project, by)


@worksheet_function(project="Jira project key, or * for all", as_of="Optional: date (today)")
def PMO_OVERDUE(project: Any, as_of: Any = None) -> Any:
    """Open items of a project whose due date has passed."""
    return PORTFOLIO.overdue(project, as_of)


@worksheet_function(project="Jira project key", as_of="Optional: date for overdue items (today)")
def PMO_HEALTH(project: Any, as_of: Any = None) -> Any:
    """A project's RAG as the status report shows it (budget figures, risks, overdue)."""
    return PORTFOLIO.health(project, as_of)


@worksheet_function(key="Jira issue key, e.g. ALPHA-12")
def PMO_STATUS(key: Any) -> Any:
    """Status of a synced issue, as of the last sync."""
    return PORTFOLIO.status(key)


@worksheet_function(key="Jira issue key", field="Field name, e.g. owner or due_date")
def PMO_FIELD(key: Any, field: Any) -> Any:
    """Any synced field of an issue."""
    return PORTFOLIO.field(key, field)


@worksheet_function(
    entity="risk, change_request, raid_issue, work_item ...",
    project="Optional: project key",
    filter="Optional: field=value; field=value",
    fields="Optional: comma-separated fields",
)
def PMO_ITEMS(entity: Any, project: Any = None, filter: Any = None, fields: Any = None) -> Any:
    """A table of synced items with a header row (spills in Excel 365)."""
    return PORTFOLIO.items(entity, project, filter, fields)


@worksheet_function()
def PMO_LAST_SYNC() -> Any:
    """When the last sync cycle finished (local time)."""
    return PORTFOLIO.last_sync()


@worksheet_function(
    person="Assignee name",
    start="Window start date",
    end="Window end date",
    hours_per_day="Optional: working hours a day (8)",
)
def PMO_UTILIZATION(person: Any, start: Any, end: Any, hours_per_day: Any = 8) -> Any:
    """Share of a person's working hours booked by their work items' estimates."""
    return PORTFOLIO.utilization(person, start, end, hours_per_day or 8)


# -- compliance (the newest audit kept by the last sync cycles) ----------------------------


@worksheet_function(project="Jira project key, or * for the whole portfolio")
def PMO_COMPLIANCE(project: Any) -> Any:
    """Compliance score (0-1) of a project in the newest policy audit of the store."""
    return PORTFOLIO.compliance(project)


@worksheet_function(
    project="Jira project key, or * for all", severity="Optional: error, warning or info"
)
def PMO_BREACHES(project: Any, severity: Any = None) -> Any:
    """Policy breaches of a project in the newest audit: a table that spills."""
    return PORTFOLIO.breaches(project, severity)


# -- the refresh button ---------------------------------------------------------------------


@xw.sub
def refresh_workbook() -> None:
    """Sync the active workbook's pair now (a macro for a button or the ribbon)."""
    book = xw.Book.caller()
    message = refresh_message(Path(book.fullname))
    book.app.status_bar = message.splitlines()[0]
    book.app.alert(message, title="pmo-sync")


def refresh_message(path: Path) -> str:
    """Run one cycle for the pair of ``path`` and describe it for a person."""
    try:
        from sync.refresh import refresh_open_workbook
    except ImportError as exc:
        return f"pmo-sync's sync engine is not installed in this Python ({exc})."
    try:
        return refresh_open_workbook(path)
    except Exception as exc:
        return f"pmo-sync could not sync {path.name}: {exc}"
    finally:
        PORTFOLIO.expire()  # the formulas show this sync at once, not up to 0.5 s later


# -- resources (the resource plan against Jira's open work) ---------------------------------


@worksheet_function(
    person="Jira email or name, as the resource plan lists them", week="A date in the week"
)
def PMO_CAPACITY(person: Any, week: Any) -> Any:
    """Hours a person can work in a week: the plan's hours, less holidays."""
    return capacity_of(PORTFOLIO, person, week)


@worksheet_function(
    person="Jira email or name", week="A date in the week", project="Optional project key"
)
def PMO_DEMAND(person: Any, week: Any, project: Any = None) -> Any:
    """Hours of a person's open Jira work falling in a week (remaining estimates)."""
    return demand_of(PORTFOLIO, person, week, project)


@worksheet_function(person="Jira email or name", week="A date in the week")
def PMO_UTILISATION(person: Any, week: Any) -> Any:
    """A person's demand over capacity in a week (1 = fully booked)."""
    return utilisation_of(PORTFOLIO, person, week)


@worksheet_function(week="A date in the week", threshold="Over this share (default 1 = 100%)")
def PMO_OVERALLOCATED(week: Any, threshold: Any = 1) -> Any:
    """People booked over capacity in a week, most loaded first (a spilled table)."""
    return overallocated_in(PORTFOLIO, week, float(threshold or 1))
