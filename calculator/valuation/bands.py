"""How a flat's attributes are read for the fitted adjustments: the bands and the centred
numbers that calibration fits and the method applies, defined once so the two never disagree.

Each reader returns None when the flat does not state the attribute (or states nonsense):
unknown must stay distinguishable from any band.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from calculator.numbers import to_number


def _number(flat: Mapping[str, Any], key: str) -> float | None:
    value = to_number(flat.get(key))
    return None if value is None or not math.isfinite(value) else value


def floor_band(flat: Mapping[str, Any]) -> str | None:
    """first, low, middle, high or last floor of the house (only from 2 storeys up)."""
    floor, storeys = _number(flat, "floor"), _number(flat, "total_floors")
    if floor is None or storeys is None or storeys < 2 or not 1 <= floor <= storeys:
        return None
    if floor == 1:
        return "first"
    if floor == storeys:
        return "last"
    position = floor / storeys
    return "low" if position < 0.34 else "high" if position > 0.67 else "middle"


def log_area(flat: Mapping[str, Any]) -> float | None:
    """log of the total area over 50 m² (the size effect is a power law)."""
    area = _number(flat, "total_area")
    return math.log(area / 50.0) if area is not None and 10 <= area <= 1000 else None


def _share(flat: Mapping[str, Any], key: str, centre: float) -> float | None:
    part, total = _number(flat, key), _number(flat, "total_area")
    if part is None or total is None or not 0 < part < total:
        return None
    return part / total - centre


def living_share(flat: Mapping[str, Any]) -> float | None:
    """Living area over total, minus a typical 0.55."""
    return _share(flat, "living_area", 0.55)


def kitchen_share(flat: Mapping[str, Any]) -> float | None:
    """Kitchen area over total, minus a typical 0.17."""
    return _share(flat, "kitchen_area", 0.17)


def ceiling(flat: Mapping[str, Any]) -> float | None:
    """Ceiling height minus 2.7 m, held to 2.4–4.0 m (a typo is not a 27 m ceiling)."""
    height = _number(flat, "ceiling_height")
    if height is None or not 2.0 <= height <= 6.0:
        return None
    return min(max(height, 2.4), 4.0) - 2.7


HOUSE_TYPES = ("монолит", "кирпич", "монолит-кирпич", "панель", "блочный", "дерево")


def house_type(flat: Mapping[str, Any]) -> str | None:
    value = flat.get("house_type")
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if value in HOUSE_TYPES else None


# (last year of the band, band); a year past the last band's is a house still being built.
_YEAR_BANDS = (
    (1917, "до 1917"),
    (1955, "1918–1955"),
    (1970, "1956–1970"),
    (1990, "1971–1990"),
    (2005, "1991–2005"),
    (2015, "2006–2015"),
    (2023, "2016–2023"),
)


def build_year(flat: Mapping[str, Any]) -> str | None:
    year = _number(flat, "build_year")
    if year is None or not 1700 <= year <= 2100:
        return None
    return next((band for last, band in _YEAR_BANDS if year <= last), "2024 и позже")


_STOREY_BANDS = ((5, "1–5"), (9, "6–9"), (16, "10–16"), (25, "17–25"))


def storeys(flat: Mapping[str, Any]) -> str | None:
    count = _number(flat, "total_floors")
    if count is None or not 1 <= count <= 200:
        return None
    return next((band for last, band in _STOREY_BANDS if count <= last), "26 и выше")


_WALK_BANDS = ((5, "пешком до 5 мин"), (10, "пешком 6–10 мин"), (20, "пешком 11–20 мин"))


def metro(flat: Mapping[str, Any]) -> str | None:
    """Minutes to the nearest station and how: on foot in bands, or by transport."""
    minutes, way = _number(flat, "metro_minutes"), flat.get("metro_way")
    if minutes is None or not 0 <= minutes <= 180 or way not in ("walk", "transport"):
        return None
    if way == "transport":
        return "транспортом до 10 мин" if minutes <= 10 else "транспортом дольше 10 мин"
    return next((band for last, band in _WALK_BANDS if minutes <= last), "пешком дольше 20 мин")


def segment(flat: Mapping[str, Any]) -> str | None:
    value = flat.get("category")
    return (
        {"new": "новостройка", "resale": "вторичка"}.get(value) if isinstance(value, str) else None
    )


def apartments(flat: Mapping[str, Any]) -> str | None:
    value = flat.get("apartments")
    if isinstance(value, bool):
        return "апартаменты" if value else "квартира"
    return None


def metro_station(flat: Mapping[str, Any]) -> str | None:
    """The nearest station's name, compared without case or ё."""
    value = flat.get("metro_name")
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.lower().replace("ё", "е").split())


# Every fitted attribute's reader by the key the tables use (calibration and method alike).
READERS = {
    "floor": floor_band,
    "size": log_area,
    "living_share": living_share,
    "kitchen_share": kitchen_share,
    "ceiling": ceiling,
    "house_type": house_type,
    "build_year": build_year,
    "storeys": storeys,
    "metro": metro,
    "segment": segment,
    "apartments": apartments,
}
