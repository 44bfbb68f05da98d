"""Coefficient tables and method constants of the valuation (docs/valuation.md, §1–§6).

Every hand-set number of the method lives here and nowhere else; the effects real listings can
speak to (floor, size, living and kitchen shares, ceiling, house type, build year, storeys, metro,
new build, apartments) are fitted instead and read from `calculator.valuation.market`.
`DEFAULT_PARAMS` holds the documented values; `resolve_params(overrides)` returns a copy with
overrides applied (tables are merged entry by entry, scalars replaced), and
`params_from_settings()` is the only place that reads Django settings (`HOUSLER_VALUATION`), so
the maths stays importable and testable alone.

A coefficient function returns None when the flat does not state the attribute: "unknown" must
stay distinguishable from "average" (1.0), because the valuation treats the two differently.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from calculator.numbers import to_number
from calculator.valuation import bands, market
from calculator.valuation.market import Market


def _frozen(table: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(table))


class Option(NamedTuple):
    """One value of an enum attribute: its key, its coefficient and the wizard's label for it."""

    key: str
    coef: float
    label: str | None = None  # None: accepted from listings, not offered in the wizard


def _coefficients(options: tuple[Option, ...]) -> Mapping[str, float]:
    return _frozen({option.key: option.coef for option in options})


def choices(options: tuple[Option, ...]) -> list[tuple[str, str]]:
    """The wizard's choices for an enum attribute: the offered options, in table order."""
    return [(option.key, option.label) for option in options if option.label is not None]


# Finish/repair level; "капитальная" is accepted as input although the wizard does not offer it.
REPAIR_OPTIONS = (
    Option("черновая", 0.90, "Без отделки"),
    Option("эконом", 0.95, "Косметический"),
    Option("стандартная", 1.00, "Стандартный"),
    Option("капитальная", 1.05),
    Option("улучшенная", 1.08, "Евроремонт"),
    Option("премиум", 1.12, "Премиум"),
    Option("люкс", 1.15, "Люкс"),
    Option("дизайнерская", 1.18, "Дизайнерский"),
)
# Window type: old wooden frames cost the most to replace, panoramic glazing is a premium.
WINDOW_OPTIONS = (
    Option("деревянные", 0.85, "Деревянные"),
    Option("алюм", 0.90),
    Option("пластиковые", 1.00, "Пластиковые"),
    Option("евро", 1.04, "Евроокна"),
    Option("панорамные", 1.06, "Панорамные"),
)
# Passenger lifts in the section: none is a real discount, a panoramic lift a small premium.
ELEVATOR_OPTIONS = (
    Option("нет", 0.95, "Нет"),
    Option("один", 1.00, "Один"),
    Option("два", 1.03, "Два"),
    Option("три+", 1.05, "Три и больше"),
    Option("панорамный", 1.07),
)
# View from the windows ("худогов" is the wizard's key for a poor view).
VIEW_OPTIONS = (
    Option("худогов", 0.97, "Плохой вид"),
    Option("дом", 1.00, "Во двор"),
    Option("улица", 1.00, "На улицу"),
    Option("парк", 1.03, "На парк"),
    Option("вода", 1.05, "На воду"),
    Option("город", 1.04, "На город"),
    Option("закат", 1.05, "На закат"),
    Option("премиум", 1.05),
)
REPAIR_LEVEL = _coefficients(REPAIR_OPTIONS)
WINDOW_TYPE = _coefficients(WINDOW_OPTIONS)
ELEVATOR_COUNT = _coefficients(ELEVATOR_OPTIONS)
VIEW_TYPE = _coefficients(VIEW_OPTIONS)
# Blocked statuses: a flat that is not built or no longer exists is not a market comparable.
BLOCKED_STATUSES = frozenset({"проект", "котлован", "снесен", "заморожен"})
# Three sale scenarios relative to fair: (key, label, start multiple, expected multiple, months).
SCENARIOS = (
    ("fast", "Быстро", 0.97, 0.95, 2),
    ("optimal", "Оптимально", 1.02, 0.98, 4),
    ("maximum", "Максимум", 1.08, 1.02, 10),
)


def _table(table: Mapping[str, float]) -> Any:
    """A read-only table as a dataclass default (mapping proxies are not hashable)."""
    return dataclasses.field(default_factory=lambda: table)


@dataclasses.dataclass(frozen=True)
class ValuationParams:
    """All tunables of the method; one immutable object per valuation call."""

    repair_level: Mapping[str, float] = _table(REPAIR_LEVEL)
    window_type: Mapping[str, float] = _table(WINDOW_TYPE)
    elevator_count: Mapping[str, float] = _table(ELEVATOR_COUNT)
    view_type: Mapping[str, float] = _table(VIEW_TYPE)
    # Bathrooms: +5 % per bathroom beyond the first, counted up to three; 0 means unknown.
    bathroom_step: float = 0.05
    bathroom_cap: int = 3
    # The fitted tables (effects, weights, range, confidence) and how much of each fitted
    # adjustment is applied: half, the share that predicted held-out listings best in both
    # cities (docs/valuation.md, "Fitted effects").
    market: Market = dataclasses.field(default_factory=market.shipped)
    adjustment_weight: float = 0.5
    # §1 validation limits of a comparable.
    min_price: float = 1_000_000
    min_area: float = 15.0
    max_area: float = 1000.0
    min_price_per_sqm: float = 30_000
    max_price_per_sqm: float = 2_000_000
    blocked_statuses: frozenset[str] = BLOCKED_STATUSES
    # §2 outliers on log ₽/м²: |x − median| > k · max(mad_scale · MAD, mad_floor), from n ≥ min_n.
    outlier_k: float = 3.0
    mad_scale: float = 1.4826
    mad_floor: float = 0.02
    outlier_min_n: int = 4
    # §3 a comparable whose gross adjustment exceeds this is a weak comparable.
    weak_gross: float = 0.40
    # §5 uncertainty: sd of the scale factor of a hand-set table (the fitted ones carry their
    # own standard errors), the smallest spread a range assumes, and ranges from 3 comparables;
    # below `confidence_cap_n` comparables the confidence is at most "средняя" and a caveat says
    # so; an 80 % range wider than `caveat_width` of the price gets a caveat of its own.
    sigma_coef: float = 0.25
    spread_floor: float = 0.02
    min_for_range: int = 3
    confidence_cap_n: int = 5
    caveat_width: float = 0.4
    # §6 verdict threshold on (asking − fair)/fair, scenarios, strengths threshold.
    verdict_threshold: float = 0.05
    scenarios: tuple[tuple[str, str, float, float, int], ...] = SCENARIOS
    strength_threshold: float = 0.02
    # Fair total and money figures are rounded to this many rubles.
    round_rubles: int = 1000

    def round_money(self, amount: float) -> int:
        """A money figure rounded to `round_rubles` (the precision the method can claim)."""
        return round(float(amount) / self.round_rubles) * self.round_rubles


DEFAULT_PARAMS = ValuationParams()
_TABLE_FIELDS = ("repair_level", "window_type", "elevator_count", "view_type")


def resolve_params(overrides: Mapping[str, Any] | ValuationParams | None = None) -> ValuationParams:
    """Defaults with `overrides` applied; unknown keys fail loudly rather than being ignored."""
    if overrides is None:
        return DEFAULT_PARAMS
    if isinstance(overrides, ValuationParams):
        return overrides
    names = {f.name for f in dataclasses.fields(ValuationParams)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"HOUSLER_VALUATION: unknown keys {unknown}")
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in _TABLE_FIELDS:
            merged = dict(getattr(DEFAULT_PARAMS, key))
            merged.update({str(k): float(v) for k, v in dict(value).items()})
            changes[key] = _frozen(merged)
        elif key == "blocked_statuses":
            changes[key] = frozenset(norm_text(s) for s in value)
        elif key == "scenarios":
            changes[key] = tuple(tuple(s) for s in value)
        else:
            changes[key] = value
    return dataclasses.replace(DEFAULT_PARAMS, **changes)


def params_from_settings(extra: Mapping[str, Any] | None = None) -> ValuationParams:
    """Read the `HOUSLER_VALUATION` setting (then `extra` on top); the only Django touch point."""
    from calculator.conf import conf

    overrides = dict(conf.HOUSLER_VALUATION or {})
    overrides.update(extra or {})
    return resolve_params(overrides)


# --- coefficient functions -------------------------------------------------------------------


def norm_text(value: object) -> str:
    return str(value).strip().lower().replace("ё", "е")


def table_coef(table: Mapping[str, float], value: object) -> float | None:
    """Coefficient of an enum value; None when missing or not a key of the table."""
    if value is None:
        return None
    return table.get(norm_text(value))


def elevator_key(value: object) -> object:
    """Lift counts may arrive as numbers (listing data): 0 нет, 1 один, 2 два, ≥3 три+."""
    if isinstance(value, str) and not value.strip().isdigit():
        return value
    number = to_number(value)
    if number is None:
        return value
    if number <= 0:
        return "нет"
    return {1: "один", 2: "два"}.get(int(number), "три+")


def living_share_percent(living_area: object, total_area: object) -> float | None:
    """Living area as a percent of total; None unless 0 < living < total."""
    living, total = to_number(living_area), to_number(total_area)
    if living is None or total is None or not 0 < living < total:
        return None
    return living / total * 100.0


def bathrooms_coef(bathrooms: object, p: ValuationParams = DEFAULT_PARAMS) -> float | None:
    """+5 % per extra bathroom up to three; 0 or missing means unknown."""
    b = to_number(bathrooms)
    if b is None or b < 1:
        return None
    return 1.0 + p.bathroom_step * (min(int(b), p.bathroom_cap) - 1)


# --- attribute registry: how each factor reads a flat ------------------------------------------


class Attribute(NamedTuple):
    """One adjustment factor: stable key, Russian label, and how to read a flat's level/display.

    `fitted` names the market table the level comes from (None: a hand-set table of this module).
    """

    key: str
    label: str
    level: Callable[[Mapping[str, Any], ValuationParams], float | None]
    display: Callable[[Mapping[str, Any]], object]
    quality: bool  # counts for strengths/weaknesses (the size effect is a scale, not a quality)
    fitted: str | None = None

    def variance(self, flat: Mapping[str, Any], p: ValuationParams) -> float:
        """Variance of the flat's log level: the fitted effect's squared standard error; 0 for a
        hand-set table (its doubt is the table-wide `sigma_coef`)."""
        if self.fitted is None:
            return 0.0
        found = p.market.log_effect(self.fitted, flat)
        return 0.0 if found is None else found[1]


def _enum_display(key: str) -> Callable[[Mapping[str, Any]], object]:
    def display(flat: Mapping[str, Any]) -> object:
        value = flat.get(key)
        if key == "elevator_count":
            value = elevator_key(value)
        return None if value is None else norm_text(value)

    return display


def _floor_display(flat: Mapping[str, Any]) -> object:
    f, total = to_number(flat.get("floor")), to_number(flat.get("total_floors"))
    if f is None and total is None:
        return None
    fmt = lambda x: "?" if x is None else str(int(x))  # noqa: E731
    return f"{fmt(f)}/{fmt(total)}"


def _share_display(key: str) -> Callable[[Mapping[str, Any]], object]:
    def display(flat: Mapping[str, Any]) -> object:
        share = living_share_percent(flat.get(key), flat.get("total_area"))
        return None if share is None else round(share, 1)

    return display


def _number_display(key: str) -> Callable[[Mapping[str, Any]], object]:
    def display(flat: Mapping[str, Any]) -> object:
        return to_number(flat.get(key))

    return display


def _hand_set(key: str, label: str, table: str) -> Attribute:
    read = elevator_key if key == "elevator_count" else (lambda value: value)
    return Attribute(
        key,
        label,
        lambda f, p: table_coef(getattr(p, table), read(f.get(key))),
        _enum_display(key),
        True,
    )


def _fitted(
    key: str, label: str, table: str, display: Callable[[Mapping[str, Any]], object]
) -> Attribute:
    def level(flat: Mapping[str, Any], p: ValuationParams) -> float | None:
        found = p.market.log_effect(table, flat)
        return None if found is None else math.exp(found[0])

    return Attribute(key, label, level, display, table != "size", table)


ATTRIBUTES: tuple[Attribute, ...] = (
    _hand_set("repair_level", "Ремонт", "repair_level"),
    _hand_set("window_type", "Окна", "window_type"),
    _hand_set("elevator_count", "Лифты", "elevator_count"),
    _hand_set("view_type", "Вид из окон", "view_type"),
    Attribute(
        "bathrooms",
        "Санузлы",
        lambda f, p: bathrooms_coef(f.get("bathrooms"), p),
        _number_display("bathrooms"),
        True,
    ),
    _fitted("ceiling_height", "Высота потолков", "ceiling", _number_display("ceiling_height")),
    _fitted("living_share", "Доля жилой площади, %", "living_share", _share_display("living_area")),
    _fitted("kitchen_share", "Доля кухни, %", "kitchen_share", _share_display("kitchen_area")),
    _fitted("floor", "Этаж", "floor", _floor_display),
    _fitted("total_area", "Площадь (эффект размера), м²", "size", _number_display("total_area")),
    _fitted("house_type", "Тип дома", "house_type", bands.house_type),
    _fitted("build_year", "Год постройки", "build_year", _number_display("build_year")),
    _fitted("total_floors", "Этажность дома", "storeys", _number_display("total_floors")),
    _fitted("metro", "До метро", "metro", bands.metro),
    _fitted("category", "Новостройка или вторичка", "segment", bands.segment),
    _fitted("apartments", "Апартаменты", "apartments", bands.apartments),
)
