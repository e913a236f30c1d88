"""Metrics against worked PMBOK examples, edge cases and the RAG rule table."""

from __future__ import annotations

import pytest

from excel_addin import metrics as m
from excel_addin.metrics import MetricError, RagThresholds

# The textbook project: BAC 100,000; at the status date PV 50,000, EV 40,000, AC 45,000.
BAC, PV, EV, AC = 100_000, 50_000, 40_000, 45_000


def test_earned_value_worked_example():
    assert m.sv(EV, PV) == -10_000
    assert m.cv(EV, AC) == -5_000
    assert m.spi(EV, PV) == pytest.approx(0.8)
    assert m.cpi(EV, AC) == pytest.approx(0.8889, abs=1e-4)
    assert m.eac(BAC, EV, AC) == pytest.approx(112_500)
    assert m.etc_(BAC, EV, AC) == pytest.approx(67_500)
    assert m.vac(BAC, m.eac(BAC, EV, AC)) == pytest.approx(-12_500)
    assert m.tcpi(BAC, EV, AC) == pytest.approx(60_000 / 55_000)
    assert m.tcpi(BAC, EV, AC, 112_500) == pytest.approx(60_000 / 67_500)


def test_the_four_eac_methods():
    assert m.eac(BAC, EV, AC, "cpi") == pytest.approx(112_500)
    assert m.eac(BAC, EV, AC, "atypical") == 105_000  # AC + (BAC - EV)
    assert m.eac(BAC, EV, AC, "cpi_spi", pv=PV) == pytest.approx(
        45_000 + 60_000 / (0.8889 * 0.8), rel=1e-3
    )
    assert m.eac(BAC, EV, AC, "bottom_up", etc=70_000) == 115_000
    assert m.eac(BAC, EV, AC, 2) == m.eac(BAC, EV, AC, "atypical")  # methods by number too
    with pytest.raises(MetricError, match="needs PV"):
        m.eac(BAC, EV, AC, "cpi_spi")
    with pytest.raises(MetricError, match="bottom-up ETC"):
        m.eac(BAC, EV, AC, "bottom_up")
    with pytest.raises(MetricError, match="not one of"):
        m.eac(BAC, EV, AC, "guess")


def test_ahead_and_under_budget_gives_positive_variances():
    assert m.sv(60_000, 50_000) == 10_000 and m.spi(60_000, 50_000) == pytest.approx(1.2)
    assert m.cv(60_000, 55_000) == 5_000 and m.cpi(60_000, 55_000) > 1


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: m.spi(EV, 0), "#DIV/0!"),
        (lambda: m.cpi(EV, 0), "#DIV/0!"),
        (lambda: m.eac(BAC, 0, AC), "#DIV/0!"),  # CPI 0: the cost efficiency says never
        (lambda: m.tcpi(BAC, EV, BAC), "#DIV/0!"),  # budget spent: (BAC - AC) is 0
        (lambda: m.spi(None, PV), "#VALUE!"),
        (lambda: m.spi("forty", PV), "#VALUE!"),
        (lambda: m.cv(EV, ""), "#VALUE!"),
        (lambda: m.risk_score(6, 1), "#NUM!"),
        (lambda: m.risk_score(2.5, 1), "#NUM!"),
        (lambda: m.risk_score("Huge", 1), "#VALUE!"),
        (lambda: m.risk_level(26), "#NUM!"),
        (lambda: m.risk_emv("150%", 100), "#NUM!"),
        (lambda: m.rag(1, 1, -1), "#NUM!"),
        (lambda: m.rag("late", 1), "#VALUE!"),
    ],
)
def test_bad_input_is_an_excel_error_not_a_crash(call, code):
    with pytest.raises(MetricError) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.cell_text.startswith(code)


def test_risk_scoring_and_levels():
    assert m.risk_score(4, 5) == 20
    assert m.risk_score("High", "Very High") == 20  # the matrix's labels work too
    assert m.risk_score("3", 2.0) == 6
    assert [m.risk_level(s) for s in (1, 4, 5, 9, 10, 15, 16, 25)] == [
        "Low",
        "Low",
        "Medium",
        "Medium",
        "High",
        "High",
        "Critical",
        "Critical",
    ]
    from mappings.scoring import RiskLevelThresholds

    assert m.risk_level(5, RiskLevelThresholds(low_max=5, medium_max=10, high_max=20)) == "Low"


def test_expected_monetary_value_accepts_every_way_of_writing_a_percentage():
    for probability in (0.3, 30, "30%"):
        assert m.risk_emv(probability, 50_000) == pytest.approx(15_000)
    assert m.risk_emv(1, 200) == 200  # 1 is 100%, not 1%


RAG_TABLE = [
    # spi, cpi, critical risks, overdue -> rag
    (1.0, 1.0, 0, 0, "Green"),
    (0.95, 0.95, 0, 0, "Green"),  # the Green threshold is inclusive
    (0.94, 1.0, 0, 0, "Amber"),
    (1.0, 0.90, 0, 0, "Amber"),
    (1.0, 1.0, 1, 0, "Amber"),
    (1.0, 1.0, 0, 1, "Amber"),
    (0.85, 0.85, 0, 0, "Amber"),  # Red starts below 0.85
    (0.84, 1.0, 0, 0, "Red"),
    (1.0, 0.5, 0, 0, "Red"),
    (1.0, 1.0, 2, 0, "Red"),
    (1.0, 1.0, 0, 5, "Red"),
    (None, None, 0, 0, "Green"),  # no budget figures: risks and dates decide
    (None, 0.8, 0, 0, "Red"),
    (None, None, 1, 0, "Amber"),
]


@pytest.mark.parametrize(("spi", "cpi", "critical", "overdue", "expected"), RAG_TABLE)
def test_rag_rules(spi, cpi, critical, overdue, expected):
    assert m.rag(spi, cpi, critical, overdue) == expected


def test_rag_thresholds_are_configurable_and_checked():
    strict = RagThresholds(green_index=1.0, red_index=0.9)
    assert m.rag(0.97, 1.0, thresholds=strict) == "Amber"
    with pytest.raises(ValueError, match="red_index <= green_index"):
        RagThresholds(green_index=0.8, red_index=0.9)


def test_performance_indices_of_a_projects_figures_leave_out_what_is_missing():
    assert m.performance_indices({"ev": 180, "pv": 200, "ac": 240}) == (0.9, 0.75)
    assert m.performance_indices({"ev": 180, "pv": 0}) == (None, None)  # PV zero, no AC
    assert m.performance_indices({"pv": 200, "ac": 240}) == (None, None)  # no EV yet
    assert m.performance_indices({}) == (None, None)
