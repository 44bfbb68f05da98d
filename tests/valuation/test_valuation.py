"""The sanity examples of docs/valuation.md and the result contract the website relies on."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from django.test import override_settings

from calculator.valuation import InvalidTarget, NotEnoughComparables, value, value_with_settings
from calculator.valuation.coefficients import DEFAULT_PARAMS
from calculator.valuation.reconciliation import weighted_median as vector_weighted_median
from tests.support.valuation_factories import comparables, flat, weighted_median


def geometric_mean(values: list[float], weights: list[float] | None = None) -> float:
    """The precision-weighted mean of log ₽/м² (docs/valuation.md §4), written plainly."""
    weights = weights or [1.0] * len(values)
    return math.exp(
        sum(w * math.log(v) for v, w in zip(values, weights, strict=True)) / sum(weights)
    )


OUTPUT_KEYS = {
    "market_statistics", "comparables", "excluded", "fair_price_per_sqm", "fair_price_total",
    "range_80", "range_95", "confidence", "adjusted_cv", "loo_mdape", "verdict", "diff_percent",
    "scenarios", "strengths", "weaknesses", "warnings", "method_version", "caveats",
}  # fmt: skip
COHERENT = [200_000, 204_000, 197_000, 210_000, 193_000, 201_000, 206_000, 199_000]


# --- sanity examples (docs/valuation.md#sanity-examples) ------------------------------------------


def test_better_target_is_adjusted_by_the_product_of_its_coefficients():
    comps = comparables([190_000, 195_000, 200_000, 205_000, 210_000])
    target = flat(
        repair_level="премиум", window_type="панорамные", elevator_count="три+", view_type="парк"
    )
    result = value(target, comps, bootstrap=300)
    typical = geometric_mean([190_000, 195_000, 200_000, 205_000, 210_000])
    expected = typical * 1.12 * 1.06 * 1.05 * 1.03
    assert expected == pytest.approx(typical * 1.284, rel=1e-3)
    assert result["fair_price_per_sqm"] == pytest.approx(expected, abs=1)
    assert result["fair_price_total"] == round(expected * 50, -3)
    low, high = result["range_95"]["low"], result["range_95"]["high"]
    assert low <= result["fair_price_total"] <= high


def test_identical_target_gets_the_precision_weighted_mean_without_hidden_adjustment():
    prices = [180_000, 190_000, 200_000, 230_000, 240_000]
    comps = comparables(prices)
    comps[4]["house_id"] = comps[3]["house_id"] = "H1"
    target = flat(house_id="H1")
    result = value(target, comps, bootstrap=0)
    market = DEFAULT_PARAMS.market
    own, other = (
        1 / market.pair_variance(target, comps[3], True),
        1 / market.pair_variance(target, comps[0], False),
    )
    assert own > 2 * other  # a listing of the target's own house says much more
    expected = geometric_mean(prices, [other, other, other, own, own])
    assert result["fair_price_per_sqm"] == round(expected)
    assert result["fair_price_total"] == round(expected * 50, -3)
    assert all(c["net"] == 0 and c["gross"] == 0 for c in result["comparables"])


def test_exact_copy_of_the_target_pulls_fair_towards_its_price():
    comps = comparables(COHERENT[:5])
    target = flat(repair_level="улучшенная", view_type="парк")
    before = value(target, comps, bootstrap=0)["fair_price_per_sqm"]
    copy_price = 230_000  # the others adjust to ≈ 222 000
    after = value(target, [*comps, flat(copy_price, **target)], bootstrap=0)
    assert abs(after["fair_price_per_sqm"] - copy_price) < abs(before - copy_price)


def test_one_wild_outlier_does_not_move_fair():
    comps = comparables(COHERENT)
    base = value(flat(), comps, bootstrap=300)
    wild = flat(2_000_000 - 1, id="wild")  # 10× ₽/м² and still inside the validation limits
    result = value(flat(), [*comps, wild], bootstrap=300)
    assert result["fair_price_per_sqm"] == pytest.approx(base["fair_price_per_sqm"], rel=0.01)
    assert [e["id"] for e in result["excluded"]] == ["wild"]
    assert result["excluded"][0]["outlier"] is True
    assert result["excluded"][0]["reason"].startswith("цена сильно отличается от остальных")


# --- the result contract --------------------------------------------------------------------------


def test_output_has_exactly_the_reference_keys_and_is_plain_json():
    comps = comparables(COHERENT, ceiling_height=2.7)
    comps[0]["ceiling_height"] = None
    result = value(flat(price=10_500_000, ceiling_height=3.0), comps, bootstrap=200)
    assert set(result) == OUTPUT_KEYS
    text = json.dumps(result, sort_keys=True, allow_nan=False)
    assert json.loads(text) == result  # no tuples, numpy scalars, NaN or inf

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        else:
            assert node is None or type(node) in (int, float, str, bool), type(node)

    walk(result)
    for key in ("fair_price_total", "fair_price_per_sqm"):
        assert type(result[key]) is int
    for rng in (result["range_80"], result["range_95"]):
        assert type(rng["low"]) is int and type(rng["high"]) is int


def test_same_seed_is_byte_for_byte_stable():
    comps = comparables(COHERENT, ceiling_height=2.8)
    target = flat(price=11_000_000, repair_level="люкс")
    runs = {json.dumps(value(target, comps, seed=7), sort_keys=True) for _ in range(3)}
    assert len(runs) == 1
    other = json.dumps(value(target, comps, seed=8), sort_keys=True)
    assert other != runs.pop()  # the seed really drives the bootstrap


def test_reader_can_follow_a_comparable_from_raw_price_to_weight():
    comps = comparables(COHERENT[:5], bathrooms=1)
    comps[0].update(repair_level=None, house_id="H", floor=1)
    target = flat(repair_level="улучшенная", bathrooms=2, house_id="H", total_area=60.0)
    result = value(target, comps, bootstrap=0)
    first = next(c for c in result["comparables"] if c["id"] == "c0")
    product = math.prod(f["coef"] for f in first["factors"])
    assert first["net"] == pytest.approx(product - 1, abs=1e-3)
    assert first["adjusted_price_per_sqm"] == pytest.approx(
        first["price_per_sqm"] * product, rel=1e-3
    )
    assert first["gross"] == pytest.approx(
        sum(abs(f["coef"] - 1) for f in first["factors"]), abs=1e-3
    )
    others = [c for c in result["comparables"] if c["id"] != "c0"]
    assert all(first["weight"] > c["weight"] for c in others)  # its own house outweighs
    assert sum(c["weight_share"] for c in result["comparables"]) == pytest.approx(1, abs=1e-3)
    repair = next(f for f in first["factors"] if f["key"] == "repair_level")
    assert repair["imputed"] and repair["comparable"] is None
    assert repair["coef"] == pytest.approx(1.08)  # the others' median is "стандартная"
    floor = next(f for f in first["factors"] if f["key"] == "floor")
    first_floor = DEFAULT_PARAMS.market.effects["floor"]["bands"]["first"][0]
    half = DEFAULT_PARAMS.adjustment_weight
    assert floor["comparable"] == "1/12"
    assert floor["coef"] == pytest.approx(math.exp(-half * first_floor), abs=1e-4)
    assert {f["key"] for f in first["factors"]} == {
        "repair_level", "window_type", "elevator_count", "view_type", "floor", "bathrooms",
        "total_area", "total_floors",
    }  # fmt: skip
    assert any("высота потолков" in w for w in result["warnings"])  # unknown on the target


def test_unusual_target_is_not_pulled_towards_comparables_that_omit_the_attribute():
    comps = comparables(COHERENT[:5])
    for c in comps[:4]:
        c["view_type"] = None  # only c4 states "улица"
    result = value(flat(view_type="вода"), comps, bootstrap=0)
    views = [f for c in result["comparables"] for f in c["factors"] if f["key"] == "view_type"]
    assert all(f["coef"] == pytest.approx(1.05) for f in views)


def test_validation_reasons_and_ids():
    comps = [
        flat(200_000, id="ok1"),
        flat(200_000, id="ok2"),
        flat(200_000, id="user", excluded=True),
        flat(200_000, id="cheap", total_area=4.0),
        flat(None, id="noprice"),
        flat(200_000, id="small", total_area=14.0, price=2_000_000),
        flat(20_000, id="lowsqm", total_area=100.0),
        flat(200_000, id="pit", status="Котлован"),
        flat(200_000, id="gone", status="снесён"),
        {"price": 5_000_000},
    ]
    result = value(flat(), comps, bootstrap=0)
    reasons = {e["id"]: e["reason"] for e in result["excluded"]}
    assert set(reasons) == {"user", "cheap", "noprice", "small", "lowsqm", "pit", "gone", "#10"}
    assert reasons["user"] == "исключён пользователем"
    assert "ниже" in reasons["cheap"] and "площадь" in reasons["small"]
    assert "котлован" in reasons["pit"] and "снесен" in reasons["gone"]
    assert [c["id"] for c in result["comparables"]] == ["ok1", "ok2"]


def test_fewer_than_three_gives_no_range_and_a_warning():
    result = value(flat(price=10_000_000), comparables([200_000, 210_000]))
    assert result["range_80"] is None and result["range_95"] is None
    assert any("Недостаточно данных" in w for w in result["warnings"])
    assert result["fair_price_per_sqm"] == 205_000  # too few to screen: the weighted median


def test_no_usable_comparable_raises_with_russian_message():
    with pytest.raises(NotEnoughComparables) as info:
        value(flat(), [flat(200_000, excluded=True, id="x")])
    assert info.value.message == "Недостаточно аналогов для анализа: найдено 0"
    assert info.value.excluded[0]["id"] == "x"
    with pytest.raises(NotEnoughComparables):
        value(flat(), [])


def test_target_without_area_is_rejected():
    with pytest.raises(InvalidTarget):
        value({"price": 1}, comparables(COHERENT))
    with pytest.raises(InvalidTarget):
        value(flat(total_area=1e308), comparables(COHERENT))


def test_unknown_asking_price_gives_no_verdict():
    result = value(flat(), comparables(COHERENT), bootstrap=0)
    assert result["verdict"] is None and result["diff_percent"] is None
    assert result["market_statistics"]["target_percentile"] is None


@pytest.mark.parametrize(
    ("asking_per_sqm", "verdict"),
    [(230_000, "ПЕРЕОЦЕНЕНА"), (200_000, "В РЫНКЕ"), (180_000, "ВЫГОДНАЯ ЦЕНА")],
)
def test_verdict(asking_per_sqm, verdict):
    result = value(flat(asking_per_sqm), comparables(COHERENT), bootstrap=0)
    assert result["verdict"] == verdict
    fair = result["fair_price_total"]
    assert result["diff_percent"] == round((asking_per_sqm * 50 - fair) / fair * 100, 1)


def test_scenarios_and_commission():
    result = value(flat(), comparables(COHERENT), bootstrap=0, commission=0.03)
    fair = result["fair_price_total"]
    by_key = {s["key"]: s for s in result["scenarios"]}
    assert [s["name"] for s in result["scenarios"]] == ["Быстро", "Оптимально", "Максимум"]
    assert by_key["fast"]["start_price"] == round(fair * 0.97, -3)
    assert by_key["maximum"]["expected_price"] == round(fair * 1.02, -3)
    assert by_key["optimal"]["net_proceeds"] == round(
        by_key["optimal"]["expected_price"] * 0.97, -3
    )
    assert [s["months"] for s in result["scenarios"]] == [2, 4, 10]


def test_strengths_and_weaknesses():
    target = flat(repair_level="люкс", window_type="деревянные", view_type="дом", floor=1)
    result = value(target, comparables(COHERENT), bootstrap=0)
    assert result["strengths"][0]["target"] == "люкс"
    strengths = {s["key"]: s["percent"] for s in result["strengths"]}
    weaknesses = {s["key"]: s["percent"] for s in result["weaknesses"]}
    assert strengths == {"repair_level": 15.0}
    first_floor = DEFAULT_PARAMS.market.effects["floor"]["bands"]["first"][0]
    assert weaknesses == {"window_type": -15.0, "floor": round(math.expm1(first_floor) * 100, 1)}


def test_market_statistics():
    result = value(flat(price=10_100_000), comparables(COHERENT), bootstrap=0)
    stats = result["market_statistics"]
    assert stats["count"] == 8 and stats["min"] == 193_000 and stats["max"] == 210_000
    assert stats["median"] == round(float(np.median(COHERENT)))
    assert stats["target_price_per_sqm"] == 202_000
    assert stats["target_percentile"] == 62.5


def test_confidence_and_accuracy_figures():
    # Coherent comparables in the target's own house: narrow range, высокая. The same prices
    # from other houses leave the target's own house unknown: a wider range (fitted quantiles).
    result = value(flat(house_id="H"), comparables(COHERENT, house_id="H"), bootstrap=500)
    assert result["confidence"] == "высокая"
    elsewhere = value(flat(), comparables(COHERENT), bootstrap=500)
    width = lambda r: r["range_80"]["high"] - r["range_80"]["low"]  # noqa: E731
    assert width(elsewhere) > width(result)
    assert any("этом же доме" in c for c in elsewhere["caveats"])
    assert not result["caveats"]
    assert result["loo_mdape"]["label"] == "точность предсказания одного объявления"
    assert 0 < result["loo_mdape"]["percent"] < 5
    few = value(flat(house_id="H"), comparables(COHERENT[:4], house_id="H"), bootstrap=500)
    assert few["confidence"] == "средняя"  # n < 5 caps it


def test_settings_wrapper_reads_housler_valuation():
    comps = comparables(COHERENT)
    target = flat(repair_level="премиум")
    with override_settings(HOUSLER_VALUATION={"repair_level": {"премиум": 1.30}}):
        result = value_with_settings(target, comps, bootstrap=0)
    assert result["fair_price_per_sqm"] == pytest.approx(
        value(target, comps, bootstrap=0)["fair_price_per_sqm"] * 1.30 / 1.12, abs=2
    )


def test_maths_does_not_import_django():
    code = (
        "import sys, calculator.valuation; print(any(m.startswith('django') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_vectorised_weighted_median_matches_the_plain_rule():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 9))
        values = rng.choice([1.0, 2.0, 3.0, 5.0, 8.0], size=n).tolist()
        weights = rng.choice([0.5, 1.0, 2.0], size=n).tolist()
        got = vector_weighted_median(np.array([values]), np.array([weights]))[0]
        assert got == pytest.approx(weighted_median(values, weights))
