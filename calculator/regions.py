"""The regions Housler values flats in, by Cian's region id: one table for every reader.

A listing's region comes from Cian's page (its city) or, for a flat typed by hand, from its
address; comparables must share the target's region, and the sentence that refuses one names it.
"""

from __future__ import annotations

REGIONS = {1: "Москва", 2: "Санкт-Петербург"}
_BY_CITY = {name: region_id for region_id, name in REGIONS.items()}
# Words of a hand-typed address that place it, lowercased; the first match wins.
_ADDRESS_WORDS = ((("петербург", "спб"), 2), (("москв",), 1))


def region_of_city(city: str | None) -> int | None:
    """Cian's region id of a city name as Cian writes it ("Санкт-Петербург"), else None."""
    return _BY_CITY.get(city or "")


def region_of_address(address: str) -> int | None:
    """Region of a hand-typed address, so the comparable search knows which city to look in."""
    lowered = address.lower()
    for words, region_id in _ADDRESS_WORDS:
        if any(word in lowered for word in words):
            return region_id
    return None


def region_name(region_id: object) -> str | None:
    return REGIONS.get(region_id) if isinstance(region_id, int) else None
