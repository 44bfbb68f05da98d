"""Small builders of flats for the valuation tests."""

from __future__ import annotations

from typing import Any

BASE: dict[str, Any] = {
    "total_area": 50.0,
    "rooms": 2,
    "floor": 5,
    "total_floors": 12,
    "repair_level": "стандартная",
    "window_type": "пластиковые",
    "elevator_count": "один",
    "view_type": "улица",
}


def flat(price_per_sqm: float | None = None, **overrides: Any) -> dict[str, Any]:
    """A flat like BASE; `price_per_sqm` sets the price from the (possibly overridden) area."""
    result = {**BASE, **overrides}
    if price_per_sqm is not None:
        result["price"] = round(price_per_sqm * result["total_area"])
    return result


def comparables(prices_per_sqm: list[float], **overrides: Any) -> list[dict[str, Any]]:
    return [flat(p, id=f"c{i}", **overrides) for i, p in enumerate(prices_per_sqm)]


def weighted_median(values: list[float], weights: list[float]) -> float:
    """The rule of docs/valuation.md §4, written plainly, as an oracle for the vectorised one."""
    pairs = sorted(zip(values, weights, strict=True))
    total = sum(weights)
    cumulative = 0.0
    for k, (v, w) in enumerate(pairs):
        cumulative += w
        if abs(cumulative - total / 2) <= 1e-9 * total:
            return (v + pairs[k + 1][0]) / 2
        if cumulative > total / 2:
            return v
    raise AssertionError("unreachable")
