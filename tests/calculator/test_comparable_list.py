"""Rules about the comparable list the visitor assembles on step 2."""

from __future__ import annotations

import pytest

from calculator import comparable_list
from calculator.eligibility import eligible, rejection
from calculator.regions import region_name, region_of_address, region_of_city
from calculator.valuation import value
from calculator.valuation.quality import quality


@pytest.mark.parametrize(
    ("count", "label"),
    [
        (0, "Критически мало данных"),
        (2, "Критически мало данных"),
        (3, "Мало аналогов — результат может быть неточным"),
        (4, "Мало аналогов — результат может быть неточным"),
        (5, "Приемлемо, но лучше добавить ещё"),
        (9, "Приемлемо, но лучше добавить ещё"),
        (10, "Отличная выборка"),
    ],
)
def test_quality_labels(count, label):
    assert quality(count).label == label


@pytest.mark.parametrize(
    ("cv", "level", "label"),
    [
        (None, "good", "Отличная выборка"),
        (0.12, "good", "Отличная выборка"),
        (0.35, "fair", "Аналогов достаточно, но цены за м² заметно расходятся"),
        (0.56, "fair", "Аналогов достаточно, но цены за м² сильно расходятся"),
    ],
)
def test_a_widely_spread_sample_is_never_called_excellent(cv, level, label):
    assert (quality(12, cv).level, quality(12, cv).label) == (level, label)
    assert quality(3, cv).level == "low"  # too few stays the first thing said


def flat(cid, price, total_area, address="Москва, ул. Ленина, 1"):
    return {"id": cid, "price": price, "total_area": total_area, "address": address}


@pytest.mark.parametrize("count", [3, 7, 12])
def test_step_two_and_the_result_name_the_sample_alike(count):
    comparables = [flat(f"c{i}", 10_000_000 + i * 50_000, 50) for i in range(count)]
    result = value({"total_area": 50, "price": 10_000_000}, comparables, bootstrap=0)
    label = quality(count).label
    assert (label in result["warnings"]) == (count < 10)


def test_spread_and_duplicate_warnings():
    coherent = [flat(f"c{i}", 10_000_000 + i * 100_000, 50) for i in range(5)]
    assert not any("разброс" in w for w in comparable_list.warnings(coherent))
    wide = [flat("c1", 5_000_000, 50), flat("c2", 10_000_000, 50), flat("c3", 16_000_000, 50)]
    assert any(w.startswith("Очень большой разброс цен") for w in comparable_list.warnings(wide))
    medium = [flat("c1", 6_000_000, 50), flat("c2", 10_000_000, 50), flat("c3", 12_000_000, 50)]
    assert any(w.startswith("Большой разброс цен") for w in comparable_list.warnings(medium))
    twins = [flat("c1", 10_000_000, 50.0), flat("c2", 10_150_000, 50.8, "москва ул. ленина 1")]
    assert any("одна и та же квартира" in w and "№1" in w for w in comparable_list.warnings(twins))
    far = [flat("c1", 10_000_000, 50.0), flat("c2", 10_500_000, 50.0)]
    assert not comparable_list.possible_duplicates(far)


def test_spread_ignores_comparables_without_a_usable_price_per_sqm():
    broken = [flat("c1", 10_000_000, 50), flat("c2", 10_100_000, 50), flat("c3", "много", 50)]
    broken.append(flat("c4", 90_000_000, 0))
    assert not any("разброс" in w for w in comparable_list.warnings(broken))


def test_a_comparable_needs_a_price_an_area_and_the_targets_region():
    target = {"region_id": 2}
    assert "нет цены или площади" in rejection({"price": None, "total_area": 50}, target)
    assert "нет цены или площади" in rejection({"price": 1, "total_area": None}, target)
    moscow = {"price": 1_000_000, "total_area": 50, "region_id": 1}
    assert rejection(moscow, target).endswith("(Санкт-Петербург)")
    assert not eligible(moscow, target)
    assert eligible({**moscow, "region_id": 2}, target)
    assert eligible(moscow, {"region_id": None})
    assert "регион оцениваемой квартиры" in rejection(moscow, {"region_id": 77})


@pytest.mark.parametrize(
    ("address", "region"),
    [("г. Санкт-Петербург, Невский пр., 1", 2), ("СПб, ул. Марата", 2), ("Москва, Тверская", 1)],
)
def test_a_typed_address_names_its_region(address, region):
    assert region_of_address(address) == region
    assert region_of_city(region_name(region)) == region


def test_an_address_elsewhere_has_no_region():
    assert region_of_address("Казань, ул. Баумана, 1") is None
