"""PMO metrics as plain functions: risk scoring, earned value (PMBOK), RAG health.

No I/O here, so the same rules serve worksheet formulas, the status report and tests.
Bad input raises MetricError carrying the Excel error code a cell should show, so the
worksheet wrappers can turn any failure into ``#DIV/0! PV is zero`` instead of a
Python traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mappings.scoring import DEFAULT_THRESHOLDS, RiskLevelThresholds
from mappings.values import BUILTIN_MAPS, parse_fraction, parse_number

ExcelCode = Literal["#VALUE!", "#DIV/0!", "#N/A", "#NUM!"]


class MetricError(ValueError):
    """A metric that cannot be computed; ``code`` is the Excel error it stands for."""

    def __init__(self, code: ExcelCode, message: str) -> None:
        super().__init__(message)
        self.code = code

    @property
    def cell_text(self) -> str:
        return f"{self.code} {self}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: Any, name: str) -> float:
    """A required number (numeric text accepted; blanks and words are #VALUE!)."""
    if _missing(value):
        raise MetricError("#VALUE!", f"{name} is missing")
    try:
        return parse_number(value, name)
    except ValueError:
        raise MetricError("#VALUE!", f"{name} must be a number, got {value!r}") from None


def optional_number(value: Any, name: str) -> float | None:
    return None if _missing(value) else number(value, name)


def _ratio(top: float, bottom: float, what: str, bottom_name: str) -> float:
    if bottom == 0:
        raise MetricError("#DIV/0!", f"{what} is undefined: {bottom_name} is zero")
    return top / bottom


# -- risk ---------------------------------------------------------------------------------


def _scale(value: Any, name: str) -> int:
    """1..5, from a number or a label of the matrix ("High" = 4)."""
    if _missing(value):
        raise MetricError("#VALUE!", f"{name} is missing")
    if isinstance(value, str) and not value.strip().lstrip("-").replace(".", "").isdigit():
        try:
            return int(BUILTIN_MAPS[name].to_canonical(value))
        except ValueError:
            raise MetricError("#VALUE!", f"{name} {value!r} is not a 1-5 level") from None
    level = number(value, name)
    if level != int(level) or not 1 <= level <= 5:
        raise MetricError("#NUM!", f"{name} must be a whole number from 1 to 5, got {value!r}")
    return int(level)


def risk_score(probability: Any, impact: Any) -> int:
    """Risk score on the 5 x 5 matrix: probability x impact (1-25)."""
    return _scale(probability, "probability") * _scale(impact, "impact")


def risk_level(score: Any, thresholds: RiskLevelThresholds | None = None) -> str:
    """Risk level of a score: Low, Medium, High or Critical (bands configurable)."""
    value = number(score, "score")
    if value != int(value) or not 1 <= value <= 25:
        raise MetricError("#NUM!", f"score must be a whole number from 1 to 25, got {score!r}")
    canonical = (thresholds or DEFAULT_THRESHOLDS).level(int(value))
    return BUILTIN_MAPS["risk_level"].to_label(canonical)


def probability_fraction(value: Any) -> float:
    """0.3, 30, "30%" -> 0.3 (a bare number above 1 is read as a percentage)."""
    if _missing(value):
        raise MetricError("#VALUE!", "probability is missing")
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100:
        return float(value) / 100
    if isinstance(value, str) and value.strip().endswith("%"):
        value = number(value.strip()[:-1], "probability") / 100
    if isinstance(value, int | float) and not 0 <= value <= 1:
        raise MetricError("#NUM!", "probability must be between 0% and 100%")
    try:
        fraction = parse_fraction(value, "probability")
    except ValueError:
        raise MetricError("#VALUE!", f"probability {value!r} is not a percentage") from None
    if not 0 <= fraction <= 1:
        raise MetricError("#NUM!", f"probability must be between 0% and 100%, got {value!r}")
    return fraction


def risk_emv(probability_pct: Any, cost_impact: Any) -> float:
    """Expected monetary value of a risk: probability x cost impact."""
    return probability_fraction(probability_pct) * number(cost_impact, "cost impact")


# -- earned value (PMBOK) ---------------------------------------------------------------------


def sv(ev: Any, pv: Any) -> float:
    """Schedule variance: EV - PV (negative = behind schedule)."""
    return number(ev, "EV") - number(pv, "PV")


def cv(ev: Any, ac: Any) -> float:
    """Cost variance: EV - AC (negative = over budget)."""
    return number(ev, "EV") - number(ac, "AC")


def spi(ev: Any, pv: Any) -> float:
    """Schedule performance index: EV / PV (below 1 = behind schedule)."""
    return _ratio(number(ev, "EV"), number(pv, "PV"), "SPI", "PV")


def cpi(ev: Any, ac: Any) -> float:
    """Cost performance index: EV / AC (below 1 = over budget)."""
    return _ratio(number(ev, "EV"), number(ac, "AC"), "CPI", "AC")


def performance_indices(figures: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(SPI, CPI) of a project's earned-value figures (``ev``, ``pv``, ``ac``); each is
    None where the figures are missing or zero, so health falls back on the other inputs
    instead of a guess."""
    found: list[float | None] = []
    for metric, base in ((spi, "pv"), (cpi, "ac")):
        try:
            found.append(metric(figures.get("ev"), figures.get(base)))
        except MetricError:
            found.append(None)
    return found[0], found[1]


EAC_METHODS = {
    "cpi": "cpi",
    "typical": "cpi",
    "1": "cpi",
    "atypical": "atypical",
    "budget": "atypical",
    "2": "atypical",
    "cpi_spi": "cpi_spi",
    "composite": "cpi_spi",
    "3": "cpi_spi",
    "bottom_up": "bottom_up",
    "bottom-up": "bottom_up",
    "etc": "bottom_up",
    "4": "bottom_up",
}


def eac(
    bac: Any, ev: Any, ac: Any, method: Any = "cpi", *, pv: Any = None, etc: Any = None
) -> float:
    """Estimate at completion by one of the four PMBOK methods.

    cpi (1): BAC / CPI, the current cost efficiency continues;
    atypical (2): AC + (BAC - EV), the variance so far was a one-off;
    cpi_spi (3): AC + (BAC - EV) / (CPI x SPI), schedule pressure also weighs (needs PV);
    bottom_up (4): AC + a bottom-up ETC (needs etc).
    """
    name = EAC_METHODS.get(str(method or "cpi").strip().casefold().removesuffix(".0"))
    if name is None:
        raise MetricError(
            "#VALUE!", f"EAC method {method!r} is not one of cpi, atypical, cpi_spi, bottom_up"
        )
    total, earned, actual = number(bac, "BAC"), number(ev, "EV"), number(ac, "AC")
    if name == "cpi":
        return _ratio(total, cpi(earned, actual), "EAC (BAC/CPI)", "CPI")
    if name == "atypical":
        return actual + (total - earned)
    if name == "cpi_spi":
        if _missing(pv):
            raise MetricError("#VALUE!", "the cpi_spi method needs PV")
        index = cpi(earned, actual) * spi(earned, pv)
        return actual + _ratio(total - earned, index, "EAC (CPI x SPI)", "CPI x SPI")
    if _missing(etc):
        raise MetricError("#VALUE!", "the bottom_up method needs a bottom-up ETC")
    return actual + number(etc, "ETC")


def etc_(
    bac: Any, ev: Any, ac: Any, method: Any = "cpi", *, pv: Any = None, etc: Any = None
) -> float:
    """Estimate to complete: EAC - AC."""
    return eac(bac, ev, ac, method, pv=pv, etc=etc) - number(ac, "AC")


def vac(bac: Any, eac_value: Any) -> float:
    """Variance at completion: BAC - EAC (negative = expected overrun)."""
    return number(bac, "BAC") - number(eac_value, "EAC")


def tcpi(bac: Any, ev: Any, ac: Any, eac_value: Any = None) -> float:
    """To-complete performance index: (BAC - EV) / (BAC - AC), or / (EAC - AC) given EAC."""
    total, earned, actual = number(bac, "BAC"), number(ev, "EV"), number(ac, "AC")
    if _missing(eac_value):
        return _ratio(total - earned, total - actual, "TCPI", "BAC - AC")
    return _ratio(total - earned, number(eac_value, "EAC") - actual, "TCPI", "EAC - AC")


# -- health -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RagThresholds:
    """When a project is Red, Amber or Green (see the table in excel_addin/README.md)."""

    green_index: float = 0.95  # SPI and CPI at or above this can be Green
    red_index: float = 0.85  # SPI or CPI below this is Red
    amber_critical_risks: int = 1  # this many open critical risks make it at least Amber
    red_critical_risks: int = 2
    amber_overdue: int = 1  # this many overdue items make it at least Amber
    red_overdue: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.red_index <= self.green_index:
            raise ValueError("RAG thresholds need 0 < red_index <= green_index")
        if not 0 < self.amber_critical_risks <= self.red_critical_risks:
            raise ValueError("RAG thresholds need 0 < amber_critical_risks <= red_critical_risks")
        if not 0 < self.amber_overdue <= self.red_overdue:
            raise ValueError("RAG thresholds need 0 < amber_overdue <= red_overdue")


DEFAULT_RAG = RagThresholds()


def rag(
    spi_value: Any = None,
    cpi_value: Any = None,
    critical_risks: Any = 0,
    overdue: Any = 0,
    thresholds: RagThresholds = DEFAULT_RAG,
) -> str:
    """Project health: "Red", "Amber" or "Green" from SPI, CPI, critical risks, overdue items.

    A missing SPI or CPI (no budget figures) is left out; the other inputs still count.
    """
    indices = [
        v
        for v in (optional_number(spi_value, "SPI"), optional_number(cpi_value, "CPI"))
        if v is not None
    ]
    critical = optional_number(critical_risks, "critical risks") or 0
    late = optional_number(overdue, "overdue items") or 0
    if critical < 0 or late < 0:
        raise MetricError("#NUM!", "counts of critical risks and overdue items cannot be negative")
    t = thresholds
    if (
        any(v < t.red_index for v in indices)
        or critical >= t.red_critical_risks
        or late >= t.red_overdue
    ):
        return "Red"
    if (
        any(v < t.green_index for v in indices)
        or critical >= t.amber_critical_risks
        or late >= t.amber_overdue
    ):
        return "Amber"
    return "Green"
