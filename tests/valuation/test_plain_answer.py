"""What the valuation decides for the plain answer: the verdict against the 80 % range, the same
house by address, an outlier the visitor vouches for, warnings in plain Russian."""

import numpy as np
import pytest

from calculator.valuation import value
from calculator.valuation.coefficients import ATTRIBUTES, DEFAULT_PARAMS
from calculator.valuation.summary import attribute_warnings, verdict, verdict_bounds
from tests.support.valuation_factories import comparables, flat

COHERENT = [200_000, 204_000, 197_000, 210_000, 193_000, 201_000, 206_000, 199_000]
RANGE = {"low": 9_000_000, "high": 11_000_000}


@pytest.mark.parametrize(
    ("asking", "expected"),
    [
        (10_900_000, "В РЫНКЕ"),  # 9 % above fair, still inside the range
        (9_050_000, "В РЫНКЕ"),
        (11_000_001, "ПЕРЕОЦЕНЕНА"),
        (8_999_999, "ВЫГОДНАЯ ЦЕНА"),
        (None, None),
    ],
)
def test_the_verdict_is_the_asking_price_against_the_80_percent_range(asking, expected):
    assert verdict(asking, 10_000_000, RANGE, DEFAULT_PARAMS) == expected


def test_without_a_range_five_percent_around_fair_stands_in():
    assert verdict_bounds(10_000_000, None, 0.05) == pytest.approx((9_500_000, 10_500_000))
    assert verdict(10_400_000, 10_000_000, None, DEFAULT_PARAMS) == "В РЫНКЕ"
    assert verdict(10_600_000, 10_000_000, None, DEFAULT_PARAMS) == "ПЕРЕОЦЕНЕНА"


def test_a_result_never_calls_a_price_inside_its_range_over_or_under():
    for asking_sqm in (185_000, 196_000, 204_000, 215_000, 230_000):
        result = value(flat(asking_sqm), comparables(COHERENT), bootstrap=400)
        low, high = result["range_80"]["low"], result["range_80"]["high"]
        inside = low <= asking_sqm * 50 <= high
        assert (result["verdict"] == "В РЫНКЕ") == inside, (asking_sqm, result["range_80"])


ADDRESS = "Санкт-Петербург, проезд Петровская коса, 6к1"


def test_a_comparable_at_the_target_s_address_is_the_same_house_without_house_ids():
    comps = comparables(COHERENT[:5])
    for number, comp in enumerate(comps):
        comp["address"] = f"Санкт-Петербург, ул. Другая, {number + 1}"
    comps[0]["address"] = "СПб, Петровская коса пр-д, д. 6, корп. 1"
    target = flat(address=ADDRESS, house_id=None)
    rows = {row["id"]: row for row in value(target, comps, bootstrap=0)["comparables"]}
    assert rows["c0"]["similarity_label"] == "тот же дом"
    assert rows["c1"]["similarity_label"] == "другой дом"
    assert rows["c0"]["weight_share"] > 2 * rows["c1"]["weight_share"]  # its own house says more


def test_a_target_with_a_house_id_meets_a_comparable_known_only_by_address():
    comps = comparables(COHERENT[:5])
    comps[2]["address"] = ADDRESS
    target = flat(address="Санкт-Петербург, Петровская коса, 6 к1", house_id=9172715)
    rows = {row["id"]: row for row in value(target, comps, bootstrap=0)["comparables"]}
    assert rows["c2"]["similarity_label"] == "тот же дом"


def test_two_listings_of_one_flat_typed_by_hand_weigh_as_one():
    single = [
        flat(200_000 + 1000 * i, id=f"s{i}", address=f"ул. Ленина, {i + 1}") for i in range(4)
    ]
    copies = [
        flat(215_000, id="r0", address="Москва, ул. Садовая, д. 5", floor=7),
        flat(215_000, id="r1", address="садовая улица 5", floor=7),
    ]
    rows = {row["id"]: row for row in value(flat(), single + copies, bootstrap=0)["comparables"]}
    assert rows["r0"]["listings_of_flat"] == rows["r1"]["listings_of_flat"] == 2


def test_an_outlier_the_visitor_vouches_for_stays_in_the_calculation():
    wild = flat(300_000, id="wild")
    dropped = value(flat(), [*comparables(COHERENT), wild], bootstrap=200)
    assert [e["id"] for e in dropped["excluded"]] == ["wild"]
    assert dropped["excluded"][0]["outlier"] is True and dropped["excluded"][0]["off_percent"] > 0
    kept = value(flat(), [*comparables(COHERENT), {**wild, "keep": True}], bootstrap=200)
    assert kept["excluded"] == []
    assert "wild" in {row["id"] for row in kept["comparables"]}
    assert kept["fair_price_total"] >= dropped["fair_price_total"]


def test_attribute_warnings_are_sentences_with_plain_lists():
    n = len(ATTRIBUTES)
    target = flat(window_type=None, living_area=30.0, total_area=50.0)
    levels = np.array([np.nan] * n)
    used = np.full((2, n), np.nan)
    warnings = attribute_warnings(target, levels, used, np.zeros(n, dtype=bool))
    assert warnings[0].startswith("У этой квартиры не указано:")
    assert "окна" in warnings[0] and "поправок на это нет" in warnings[0]
    assert all(", %" not in w and "указывает" not in w for w in warnings)
    levels = np.ones(n)
    (warning,) = attribute_warnings(target, levels, used, np.zeros(n, dtype=bool))
    assert warning.startswith("Ни у одного аналога не указано: ремонт, окна, лифты, вид из окон")
    assert " и апартаменты — поправок на это нет" in warning
    assert ", %" not in warning
