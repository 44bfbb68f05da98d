"""One flat, several listings: agents relist the same flat under new offer ids at equal or close
prices. Counted separately, one flat would carry the weight of several comparables, so the method
groups them (same house, same floor, area within 0.5 m², price within 3 %) and lets each group
weigh as one listing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from calculator.addresses import house_key
from calculator.numbers import to_number

AREA_TOLERANCE = 0.5  # m²
PRICE_TOLERANCE = 0.03  # relative


def _house(flat: Mapping[str, Any]) -> str | None:
    return house_key(flat)


def same_flat(a: Mapping[str, Any], b: Mapping[str, Any], *, price: bool = True) -> bool:
    """Both listings state one house and floor, and their areas (and prices) agree.

    `price=False` asks only whether they describe the same flat, whatever its price.
    """
    house = _house(a)
    if house is None or house != _house(b) or a.get("floor") is None:
        return False
    if to_number(a.get("floor")) != to_number(b.get("floor")):
        return False
    area_a, area_b = to_number(a.get("total_area")), to_number(b.get("total_area"))
    if area_a is None or area_b is None or abs(area_a - area_b) > AREA_TOLERANCE:
        return False
    if not price:
        return True
    price_a, price_b = to_number(a.get("price")), to_number(b.get("price"))
    if price_a is None or price_b is None:
        return False
    return abs(price_a - price_b) <= PRICE_TOLERANCE * min(price_a, price_b)


def groups(flats: Sequence[Mapping[str, Any]]) -> list[int]:
    """A group number per listing (the index of its group's first listing): listings linked by
    `same_flat`, transitively, share one number."""
    parent = list(range(len(flats)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_house: dict[str, list[int]] = {}
    for i, flat in enumerate(flats):
        house = _house(flat)
        if house is not None:
            by_house.setdefault(house, []).append(i)
    for members in by_house.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if same_flat(flats[i], flats[j]):
                    parent[max(root(i), root(j))] = min(root(i), root(j))
    return [root(i) for i in range(len(flats))]
