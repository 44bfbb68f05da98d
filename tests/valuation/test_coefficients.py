"""Each coefficient function at its breakpoints, the fitted levels, plus the settings overrides."""

import math

import pytest
from django.test import override_settings

from calculator.valuation import coefficients as c

approx = pytest.approx
ATTRIBUTE = {a.key: a for a in c.ATTRIBUTES}


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


def _effect(key: str, band: str) -> float:
    return c.DEFAULT_PARAMS.market.effects[key]["bands"][band][0]


@pytest.mark.parametrize(
    ("floor", "total", "band"),
    [(1, 9, "first"), (9, 9, "last"), (2, 9, "low"), (5, 9, "middle"), (8, 9, "high")],
)
def test_floor_level_is_the_fitted_band(floor, total, band):
    level = ATTRIBUTE["floor"].level({"floor": floor, "total_floors": total}, c.DEFAULT_PARAMS)
    expected = 1.0 if band == "middle" else math.exp(_effect("floor", band))
    assert level == approx(expected)


@pytest.mark.parametrize(
    "flat",
    [
        {"floor": 3, "total_floors": None},
        {"floor": None, "total_floors": 9},
        {"floor": 12, "total_floors": 9},
        {"floor": 1, "total_floors": 1},
    ],
)
def test_floor_unknown_or_meaningless_is_none(flat):
    assert ATTRIBUTE["floor"].level(flat, c.DEFAULT_PARAMS) is None


def test_fitted_levels_carry_their_standard_errors():
    """A panel house of the 1970s is cheaper per m² than a monolith of 2006–2015 (the base bands),
    and each level's variance is its fitted effect's squared standard error."""
    flat = {"house_type": "панель", "build_year": 1975}
    for key, table, band in (
        ("house_type", "house_type", "панель"),
        ("build_year", "build_year", "1971–1990"),
    ):
        effect, se, _ = c.DEFAULT_PARAMS.market.effects[table]["bands"][band]
        assert effect < 0
        assert ATTRIBUTE[key].level(flat, c.DEFAULT_PARAMS) == approx(math.exp(effect))
        assert ATTRIBUTE[key].variance(flat, c.DEFAULT_PARAMS) == approx(se**2)
    assert ATTRIBUTE["repair_level"].variance({"repair_level": "люкс"}, c.DEFAULT_PARAMS) == 0


@pytest.mark.parametrize(
    ("key", "flat"),
    [
        ("ceiling_height", {"ceiling_height": "abc"}),
        ("ceiling_height", {"ceiling_height": 27}),
        ("living_share", {"living_area": 60, "total_area": 50}),
        ("kitchen_share", {"kitchen_area": None, "total_area": 50}),
        ("house_type", {"house_type": "шалаш"}),
        ("metro", {"metro_minutes": 7, "metro_way": "самолёт"}),
        ("apartments", {"apartments": "да"}),
    ],
)
def test_fitted_attribute_unknown_is_none(key, flat):
    assert ATTRIBUTE[key].level(flat, c.DEFAULT_PARAMS) is None


def test_every_fitted_attribute_reads_a_shipped_table():
    fitted = {a.fitted for a in c.ATTRIBUTES if a.fitted}
    assert fitted == set(c.DEFAULT_PARAMS.market.effects)


@pytest.mark.parametrize(("b", "coef"), [(1, 1.0), (2, 1.05), (3, 1.10), (4, 1.10), ("2", 1.05)])
def test_bathrooms(b, coef):
    assert c.bathrooms_coef(b) == approx(coef)


@pytest.mark.parametrize("b", [0, None, -1])
def test_bathrooms_zero_means_unknown(b):
    assert c.bathrooms_coef(b) is None


def test_size_effect_is_a_fitted_power_law():
    slope = c.DEFAULT_PARAMS.market.effects["size"]["slope"][0]
    level = lambda area: ATTRIBUTE["total_area"].level({"total_area": area}, c.DEFAULT_PARAMS)  # noqa: E731
    assert slope < 0  # larger flats cost less per m²
    assert level(100) / level(50) == approx(2**slope)


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
    with override_settings(HOUSLER_VALUATION={"adjustment_weight": 0.6}):
        assert c.params_from_settings().adjustment_weight == 0.6
        assert c.params_from_settings({"adjustment_weight": 0.7}).adjustment_weight == 0.7
    assert c.params_from_settings().adjustment_weight == 0.5
