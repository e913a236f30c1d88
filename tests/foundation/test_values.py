from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings import values as vm
from mappings.errors import UnknownValueError


@pytest.mark.parametrize("raw", ["High", "H", "h", " high ", "4", 4, 4.0, "4.0", "Likely"])
def test_messy_probability_spellings_normalise(raw):
    assert vm.PROBABILITY.to_canonical(raw) == 4


@pytest.mark.parametrize("raw", ["Hgh", 6, 4.5, "", None, True, [4]])
def test_unknown_values_name_the_map_and_the_allowed_labels(raw):
    with pytest.raises(UnknownValueError) as caught:
        vm.PROBABILITY.to_canonical(raw)
    message = str(caught.value)
    assert "probability" in message
    assert "Very Low, Low, Medium, High, Very High" in message


def test_uk_response_strategies_are_aliases():
    assert vm.RESPONSE_STRATEGY.to_canonical("Treat") == "mitigate"
    assert vm.RESPONSE_STRATEGY.to_canonical("tolerate") == "accept"
    assert vm.RESPONSE_STRATEGY.to_canonical("Terminate") == "avoid"
    assert vm.RESPONSE_STRATEGY.to_canonical("transfer") == "transfer"


def test_a_label_cannot_mean_two_things():
    with pytest.raises(ValueError, match="maps to both"):
        vm.ValueMap("bad", {"a": ("X",), "b": ("x",)})


def test_side_labels_replace_preferred_label_but_keep_canonical_spelling():
    jira = vm.PROBABILITY.with_labels("p", {4: ["4 - High"]})
    assert jira.to_label(4) == "4 - High"
    assert jira.to_canonical("4 - high") == 4
    assert jira.to_canonical("4") == 4
    with pytest.raises(UnknownValueError):
        vm.PROBABILITY.with_labels("p", {9: ["Nine"]})


@given(st.sampled_from(sorted(vm.BUILTIN_MAPS)), st.data())
def test_every_builtin_map_round_trips(name, data):
    value_map = vm.BUILTIN_MAPS[name]
    canonical = data.draw(st.sampled_from(value_map.canonical_values))
    assert value_map.to_canonical(value_map.to_label(canonical)) == canonical
    label = data.draw(st.sampled_from(list(value_map.labels[canonical])))
    noisy = data.draw(st.sampled_from([label, label.upper(), f"  {label.lower()} "]))
    assert value_map.to_canonical(noisy) == canonical


@given(st.integers(min_value=0, max_value=100))
def test_percent_text_and_fraction_agree(percent):
    assert vm.parse_fraction(f"{percent}%") == pytest.approx(percent / 100)
    assert vm.parse_fraction(percent / 100) == pytest.approx(percent / 100)


@pytest.mark.parametrize("raw", [80, "80", "120%", -0.1, True, "eighty"])
def test_percentages_outside_range_or_ambiguous_are_refused(raw):
    with pytest.raises(ValueError):
        vm.parse_fraction(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-04", date(2026, 3, 4)),
        (datetime(2026, 3, 4, 15, 30), date(2026, 3, 4)),
        (date(2026, 3, 4), date(2026, 3, 4)),
        ("25/12/2026", date(2026, 12, 25)),
        ("04/04/2026", date(2026, 4, 4)),
        ("4 Mar 2026", date(2026, 3, 4)),
    ],
)
def test_dates(raw, expected):
    assert vm.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["03/04/2026", "next week", 45000, None])
def test_ambiguous_or_non_dates_are_refused(raw):
    with pytest.raises(ValueError):
        vm.parse_date(raw)


def test_numbers():
    assert vm.parse_number("1250.5") == 1250.5
    assert vm.parse_number(3) == 3.0
    for bad in ("1,250", True, None):
        with pytest.raises(ValueError):
            vm.parse_number(bad)


def test_infinity_and_nan_text_are_unknown_values_not_crashes():
    from mappings.errors import UnknownValueError
    from mappings.values import PROBABILITY

    for text in ("INF", "-inf", "nan", "Infinity"):
        with pytest.raises(UnknownValueError):
            PROBABILITY.to_canonical(text)
