"""The real listings shipped with the valuation
(calculator/valuation/calibration/data/README.md), read into the listing dicts the method values,
so calibration and the benchmark speak the wizard's language.

Each city's table has its own columns; this module is the one place that maps them to listing keys
and gives every listing the grouping keys a fit needs: `house_id` (the same building),
`district` (the unit held out when scoring) and, for St Petersburg, approximate plane
coordinates. Rows that cannot be a comparable (no price or area, shares, typos) are dropped here.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from calculator.numbers import to_float, to_int

DATA_DIR = Path(__file__).resolve().parent / "data"
MOSCOW = "moscow-cian-2023.csv.gz"
SPB = "spb-yandex-2014-2017.csv.gz"
# Cian's wording of the house material → the wizard's vocabulary (calculator/cian/vocabulary.py).
_MATERIAL = {
    "монолитный": "монолит",
    "кирпичный": "кирпич",
    "монолитно-кирпичный": "монолит-кирпич",
    "монолитно-кирпичный, монолитный": "монолит-кирпич",
    "панельный": "панель",
    "панельный, монолитный": "панель",
    "блочный": "блочный",
    "газосиликатный блок": "блочный",
    "сталинский": "кирпич",
    "старый фонд": "кирпич",
}
_TITLE_AREA = re.compile(r"(\d+(?:,\d+)?)\s*м²")
# Plausible asking ₽/м² for a whole flat in either city; outside it a row is a share or a typo.
_PPSM_LIMITS = (40_000, 3_000_000)


@dataclass(frozen=True)
class Dataset:
    """One city's listings and the checksum of the file they came from."""

    city: str
    listings: list[dict[str, Any]]
    sha256: str
    rows: int  # rows in the file, before the checks


def _rows(name: str) -> tuple[list[dict[str, str]], str]:
    raw = (DATA_DIR / name).read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    return list(csv.DictReader(text.splitlines())), hashlib.sha256(raw).hexdigest()


def _house_key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:12]


def _plausible(listing: dict[str, Any]) -> bool:
    price, area = listing["price"], listing["total_area"]
    if not price or not area or not 12 <= area <= 500:
        return False
    return _PPSM_LIMITS[0] <= price / area <= _PPSM_LIMITS[1]


def _moscow_area(row: dict[str, str]) -> float | None:
    """The title's exact area ("45,91 м²") where it agrees with the rounded column, or fills it."""
    stated = to_float(row["total_area"])
    found = _TITLE_AREA.search(row["title"] or "")
    exact = to_float(found.group(1)) if found else None
    if exact and (stated is None or abs(exact - stated) < 1.0):
        return exact
    return stated


def _moscow_listing(row: dict[str, str]) -> dict[str, Any]:
    street, number = (row["street"] or "").strip(), (row["house_number"] or "").strip()
    known_house = bool(street and number)
    segment = row["segment"] or None
    return {
        "id": f"msk-{row['offer_id']}",
        "price": to_float(row["price"]),
        "total_area": _moscow_area(row),
        "living_area": to_float(row["living_area"]),
        "kitchen_area": to_float(row["kitchen_area"]),
        "rooms": to_int(row["rooms"]),
        "floor": to_int(row["floor"]),
        "total_floors": to_int(row["total_floors"]),
        "ceiling_height": to_float(row["ceiling_height"]),
        "build_year": to_int(row["build_year"]),
        "house_type": _MATERIAL.get((row["house_type"] or "").strip().lower()),
        "category": segment if segment in ("new", "resale") else None,
        "apartments": row["apartments"] == "1",
        "metro_minutes": to_int(row["metro_minutes"]),
        "metro_way": row["metro_way"] or None,
        "house_id": _house_key("msk", street, number) if known_house else None,
        "address": f"Москва, {street}, {number}" if known_house else None,
        "street": street or None,
        "metro_name": row["metro"] or None,
        "district": row["district"],
        "city": "Москва",
    }


def moscow() -> Dataset:
    rows, digest = _rows(MOSCOW)
    listings = [x for x in map(_moscow_listing, rows) if _plausible(x)]
    return Dataset("Москва", listings, digest, len(rows))


# St Petersburg rows give distances (m) to the centre and to the airport, not coordinates. The
# airport lies south of the centre; with the centre at the origin and the airport on the −y axis
# at distance D, the two distances fix a point up to its mirror image across that axis (east and
# west at the same distances coincide). That is enough to tell near from far for neighbourhoods.
_SPB_CENTRE_AIRPORT_M = 19_326.0  # the smallest sum of the two distances in the data ≈ D
_SPB_CELL_M = 2_500.0  # side of the square cells that stand for districts


def _spb_position(centre: float, airport: float) -> tuple[float, float]:
    d = _SPB_CENTRE_AIRPORT_M
    y = (airport**2 - centre**2 - d**2) / (2 * d)
    x = math.sqrt(max(centre**2 - y**2, 0.0))
    return x, y


def _spb_listing(row: dict[str, str]) -> dict[str, Any] | None:
    centre, airport = to_float(row["cityCenters_nearest"]), to_float(row["airports_nearest"])
    if row["locality_name"] != "Санкт-Петербург" or centre is None or airport is None:
        return None
    x, y = _spb_position(centre, airport)
    studio = row["studio"] == "True"
    return {
        "id": f"spb-{row['_n']}",
        "price": to_float(row["last_price"]),
        "total_area": to_float(row["total_area"]),
        "living_area": to_float(row["living_area"]),
        "kitchen_area": to_float(row["kitchen_area"]),
        "rooms": 0 if studio else to_int(row["rooms"]),
        "floor": to_int(row["floor"]),
        "total_floors": to_int(row["floors_total"]),
        "ceiling_height": to_float(row["ceiling_height"]),
        "apartments": True if row["is_apartment"] == "True" else None,
        "house_id": _house_key("spb", centre, airport),
        "district": f"spb-{int(x // _SPB_CELL_M)}-{int(y // _SPB_CELL_M)}",
        "xy": (x, y),
        "listed": date.fromisoformat(row["first_day_exposition"][:10]),
        "city": "Санкт-Петербург",
    }


def spb() -> Dataset:
    rows, digest = _rows(SPB)
    listings = []
    for n, row in enumerate(rows):
        listing = _spb_listing({**row, "_n": str(n)})
        if listing is not None and _plausible(listing):
            listings.append(listing)
    return Dataset("Санкт-Петербург", listings, digest, len(rows))


def both() -> Iterator[Dataset]:
    yield moscow()
    yield spb()
