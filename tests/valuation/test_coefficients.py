"""Each coefficient function at its breakpoints, plus the settings overrides."""

import pytest
from django.test import override_settings

from calculator.valuation import coefficients as c

approx = pytest.approx


@pytest.mark.parametrize(
    ("table", "key", "coef"),
    [
        (c.REPAIR_LEVEL, "черновая", 0.90),
        (c.REPAIR_LEVEL, "стандартная", 1.00),
        (c.REPAIR_LEVEL, "капитальная", 1.05),
        (c.REPAIR_LEVEL, "дизайнерская", 1.18),
        (c.WINDOW_TYPE, "деревянные", 0.85),
        (c.WINDOW_TYPE, "панорамные", 1.06),
        (c.ELEVATOR_COUNT, "нет", 0.95),
        (c.ELEVATOR_COUNT, "три+", 1.05),
        (c.ELEVATOR_COUNT, "панорамный", 1.07),
        (c.VIEW_TYPE, "худогов", 0.97),
        (c.VIEW_TYPE, "город", 1.04),
        (c.VIEW_TYPE, "премиум", 1.05),
    ],
)
def test_table_values(table, key, coef):
    assert c.table_coef(table, key) == coef
    assert c.table_coef(table, f"  {key.upper()} ") == coef  # case and spaces do not matter


def test_table_unknown_is_none():
    assert c.table_coef(c.REPAIR_LEVEL, None) is None
    assert c.table_coef(c.REPAIR_LEVEL, "евроремонт") is None


@pytest.mark.parametrize(
    ("value", "key"),
    [(0, "нет"), (1, "один"), ("2", "два"), (3, "три+"), (7, "три+"), ("два", "два")],
)
def test_elevator_counts_from_numbers(value, key):
    assert c.elevator_key(value) == key


@pytest.mark.parametrize(
    ("h", "coef"),
    [
        (2.0, 0.95),
        (2.4999, 0.95),
        (2.5, 0.95),
        (2.6, 0.975),
        (2.7, 1.00),
        (2.85, 1.0 + 0.067 * 0.15),
        (2.9999, 1.0 + 0.067 * 0.2999),
        (3.0, 1.02),
        (3.5, 1.0275),
        (5.0, 1.05),
        (9.0, 1.05),
    ],
)
def test_ceiling(h, coef):
    assert c.ceiling_coef(h) == approx(coef)


@pytest.mark.parametrize("h", [None, 0, -1, "abc", float("nan")])
def test_ceiling_unknown(h):
    assert c.ceiling_coef(h) is None


@pytest.mark.parametrize(
    ("living", "coef"),
    [
        (10.0, 0.92),  # 10 %: saturated at −8 %
        (20.0, 0.96),  # 20 %: half way
        (29.9, 1 - 0.08 * 0.1 / 20),
        (30.0, 1.0),
        (50.0, 1.0),
        (60.0, 1.04),
        (70.0, 1.08),
        (90.0, 1.08),
    ],
)
def test_living_share(living, coef):
    assert c.living_share_coef(living, 100.0) == approx(coef)


@pytest.mark.parametrize(("living", "total"), [(None, 50), (0, 50), (50, 50), (60, 50), (20, None)])
def test_living_share_unknown(living, total):
    assert c.living_share_coef(living, total) is None


@pytest.mark.parametrize(
    ("floor", "total", "coef"),
    [
        (1, 4, 1.0),  # fewer than 5 floors: no floor effect at all
        (4, 4, 1.0),
        (None, 3, 1.0),
        (1, 5, 0.95),
        (5, 5, 0.98),
        (2, 10, 1.00),  # r = 0.2
        (3, 10, 1.02),  # r = 0.3
        (7, 10, 1.02),  # r = 0.7
        (8, 10, 1.00),  # r = 0.8
        (10, 10, 0.98),
        (1, 25, 0.95),
    ],
)
def test_floor(floor, total, coef):
    assert c.floor_coef(floor, total) == approx(coef)


@pytest.mark.parametrize(("floor", "total"), [(3, None), (None, 9), (12, 9), (0, 9)])
def test_floor_unknown(floor, total):
    assert c.floor_coef(floor, total) is None


@pytest.mark.parametrize(("b", "coef"), [(1, 1.0), (2, 1.05), (3, 1.10), (4, 1.10), ("2", 1.05)])
def test_bathrooms(b, coef):
    assert c.bathrooms_coef(b) == approx(coef)


@pytest.mark.parametrize("b", [0, None, -1])
def test_bathrooms_zero_means_unknown(b):
    assert c.bathrooms_coef(b) is None


def test_size_effect():
    assert c.size_coef(50, 50) == 1.0
    assert c.size_coef(100, 50) == approx(2**-0.08)  # the larger target: lower ₽/м²
    assert c.size_coef(25, 50) == approx(2**0.08)
    assert c.area_level(100) / c.area_level(50) == approx(c.size_coef(100, 50))


def test_overrides_merge_tables_and_replace_scalars():
    p = c.resolve_params({"repair_level": {"премиум": 1.2}, "sigma_coef": 0.3})
    assert p.repair_level["премиум"] == 1.2
    assert p.repair_level["люкс"] == 1.15
    assert p.sigma_coef == 0.3
    assert c.DEFAULT_PARAMS.repair_level["премиум"] == 1.12  # defaults untouched
    with pytest.raises(TypeError):
        p.repair_level["люкс"] = 2.0  # type: ignore[index]


def test_unknown_override_fails_loudly():
    with pytest.raises(ValueError, match="unknown keys"):
        c.resolve_params({"sigma": 0.3})


def test_params_from_settings():
    with override_settings(HOUSLER_VALUATION={"tau_default": 0.06}):
        assert c.params_from_settings().tau_default == 0.06
        assert c.params_from_settings({"tau_default": 0.07}).tau_default == 0.07
    assert c.params_from_settings().tau_default == 0.04
