"""Synthetic local markets with a known true value, for the calibration test.

The generator is deliberately *not* the valuation's own model: every attribute's true effect is
the table's log-effect times a per-market factor drawn from U(0.5, 1.5) (the tables are only
roughly right), houses differ by N(0, 0.05²) in log ₽/м², asking prices scatter around value by
N(0, 0.07²), some comparables do not state some attributes, the target sometimes lacks its living
area (so that factor goes unadjusted), and one market in five carries a listing with a typo in
the price (an extra zero). These figures were fixed before the method was run on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from calculator.valuation.coefficients import ATTRIBUTES, DEFAULT_PARAMS

HOUSE_SD = 0.05
LISTING_SD = 0.07
EFFECT_FACTOR_RANGE = (0.5, 1.5)
MISSING_ON_COMPARABLE = 0.15
TARGET_WITHOUT_LIVING_AREA = 0.2
TYPO_SHARE = 0.2
SAME_HOUSE_SHARE = 0.3

REPAIR = ("черновая", "эконом", "стандартная", "улучшенная", "премиум", "люкс", "дизайнерская")
WINDOWS = ("деревянные", "пластиковые", "евро", "панорамные")
LIFTS = ("нет", "один", "два", "три+")
VIEWS = ("худогов", "дом", "улица", "парк", "вода", "город", "закат")
STOREYS = (5, 9, 12, 14, 17, 22, 25)
OPTIONAL = ("repair_level", "window_type", "elevator_count", "view_type", "ceiling_height",
            "living_area", "floor", "bathrooms")  # fmt: skip


@dataclass(frozen=True)
class Market:
    target: dict[str, Any]
    comparables: list[dict[str, Any]]
    true_total: float


def _flat(rng: np.random.Generator) -> dict[str, Any]:
    area = round(float(rng.uniform(28, 110)), 1)
    storeys = int(rng.choice(STOREYS))
    return {
        "total_area": area,
        "living_area": round(area * float(rng.uniform(0.35, 0.72)), 1),
        "rooms": max(0, min(5, int(area // 25))),
        "floor": int(rng.integers(1, storeys + 1)),
        "total_floors": storeys,
        "repair_level": str(rng.choice(REPAIR, p=(0.1, 0.15, 0.35, 0.2, 0.1, 0.05, 0.05))),
        "window_type": str(rng.choice(WINDOWS, p=(0.1, 0.6, 0.2, 0.1))),
        "elevator_count": str(rng.choice(LIFTS, p=(0.1, 0.4, 0.35, 0.15))),
        "view_type": str(rng.choice(VIEWS)),
        "ceiling_height": round(float(rng.uniform(2.45, 3.3)), 2),
        "bathrooms": int(rng.choice((1, 2, 3), p=(0.6, 0.3, 0.1))),
    }


def _true_log_effect(flat: dict[str, Any], factors: np.ndarray) -> float:
    """The market's own pricing of attributes: the tables' effects, each scaled differently."""
    total = 0.0
    for factor, attribute in zip(factors, ATTRIBUTES, strict=True):
        level = attribute.level(flat, DEFAULT_PARAMS)
        if level is not None:  # an attribute these flats never state has no effect here
            total += factor * math.log(level)
    return total


def generate_market(rng: np.random.Generator) -> Market:
    mu = math.log(float(rng.uniform(150_000, 400_000)))
    factors = rng.uniform(*EFFECT_FACTOR_RANGE, size=len(ATTRIBUTES))
    n = int(rng.integers(3, 26))
    n_houses = int(rng.integers(1, max(2, n // 2) + 1))
    house_effects = rng.normal(0.0, HOUSE_SD, size=n_houses + 1)  # the last: the target's own

    comparables = []
    for i in range(n):
        flat = _flat(rng)
        house = int(rng.integers(0, n_houses))
        log_ppsm = mu + _true_log_effect(flat, factors) + house_effects[house]
        log_ppsm += rng.normal(0.0, LISTING_SD)
        flat["price"] = round(math.exp(log_ppsm) * flat["total_area"], -3)
        for key in OPTIONAL:
            if rng.random() < MISSING_ON_COMPARABLE:
                flat[key] = None
        flat.update(id=f"m{i}", house_id=f"h{house}")
        comparables.append(flat)
    if rng.random() < TYPO_SHARE:
        comparables[int(rng.integers(0, n))]["price"] *= 10

    target = _flat(rng)
    house = int(rng.integers(0, n_houses)) if rng.random() < SAME_HOUSE_SHARE else n_houses
    true_log = mu + _true_log_effect(target, factors) + house_effects[house]
    true_total = math.exp(true_log) * target["total_area"]
    target["price"] = round(true_total * math.exp(rng.normal(0.0, LISTING_SD)), -3)
    target["house_id"] = f"h{house}"
    if rng.random() < TARGET_WITHOUT_LIVING_AREA:
        target["living_area"] = None
    return Market(target, comparables, true_total)
