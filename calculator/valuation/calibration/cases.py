"""Targets and their comparables, picked from real listings as a careful visitor would.

A target is a listing whose asking price is hidden. Its comparables are other listings of the same
city with the same number of rooms and an area within 0.7–1.43× of the target's, on the market at
the same time (St Petersburg: put up within half a year of the target), nearest first: the
target's own house, then its street (Moscow) or the 500 m around it (St Petersburg), then the same
metro station or the 1.5 km around, then the district or the 3 km around. Inside a tier the
order is a seeded shuffle, as search results come in no meaningful order. Other listings of the
target's own flat (relistings) are never its comparables: an owner valuing a flat has no such
listing to copy.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from calculator.valuation.relistings import same_flat

AREA_RATIO = (0.7, 1.43)
MAX_COMPARABLES = 10
MIN_COMPARABLES = 3
SAME_TIME_DAYS = 183
SPB_TIERS_M = (500.0, 1500.0, 3000.0)


@dataclass(frozen=True)
class Case:
    target: dict[str, Any]
    comparables: list[dict[str, Any]]


def _tier_moscow(target: dict[str, Any], other: dict[str, Any]) -> int | None:
    if target.get("house_id") and target["house_id"] == other.get("house_id"):
        return 0
    if target.get("street") and target["street"] == other.get("street"):
        return 1
    if target.get("metro_name") and target["metro_name"] == other.get("metro_name"):
        return 2
    return 3 if target["district"] == other["district"] else None


def _tier_spb(target: dict[str, Any], other: dict[str, Any]) -> int | None:
    if target["house_id"] == other["house_id"]:
        return 0
    if abs((other["listed"] - target["listed"]).days) > SAME_TIME_DAYS:
        return None
    distance = math.dist(target["xy"], other["xy"])
    return next((t + 1 for t, limit in enumerate(SPB_TIERS_M) if distance <= limit), None)


def _similar(target: dict[str, Any], other: dict[str, Any]) -> bool:
    if other["rooms"] != target["rooms"] or other is target:
        return False
    ratio = other["total_area"] / target["total_area"]
    return AREA_RATIO[0] <= ratio <= AREA_RATIO[1] and not same_flat(target, other, price=False)


def _pool(listings: Sequence[dict[str, Any]]) -> dict[int | None, list[dict[str, Any]]]:
    by_rooms: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for listing in listings:
        by_rooms[listing["rooms"]].append(listing)
    return by_rooms


def cases(
    listings: Sequence[dict[str, Any]],
    targets: Sequence[dict[str, Any]],
    seed: int,
    limit: int = MAX_COMPARABLES,
) -> list[Case]:
    """A case per target that has at least MIN_COMPARABLES comparables; the asking price stays
    on the target (scoring reads it), the method must not."""
    rng = random.Random(seed)
    pool = _pool(listings)
    found = []
    for target in targets:
        tier = _tier_moscow if target["city"] == "Москва" else _tier_spb
        ranked: list[tuple[int, float, dict[str, Any]]] = []
        for other in pool[target["rooms"]]:
            if not _similar(target, other):
                continue
            t = tier(target, other)
            if t is not None:
                ranked.append((t, rng.random(), other))
        ranked.sort(key=lambda row: (row[0], row[1]))
        chosen = [other for _, _, other in ranked[:limit]]
        if len(chosen) >= MIN_COMPARABLES:
            found.append(Case(target, chosen))
    return found
