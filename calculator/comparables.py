"""Rules about the comparable list that the user sees before any valuation runs.

Quality labels, spread and duplicate warnings, and whether a fetched listing may join the list.
They live apart from the valuation maths because they judge the *input* the user is assembling.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass

from django.conf import settings

from calculator import cian
from calculator.wizard import ComparablesFull, DuplicateComparable, WizardState

ENOUGH_COMPARABLES = 5

REGION_NAMES = {1: "Москва", 2: "Санкт-Петербург"}


@dataclass(frozen=True)
class Quality:
    level: str  # CSS-friendly: critical, low, fair, good
    label: str
    count: int


def quality(active_count: int) -> Quality:
    if active_count <= 2:
        return Quality("critical", "Критически мало данных", active_count)
    if active_count <= 4:
        return Quality("low", "Мало аналогов — результат может быть неточным", active_count)
    if active_count <= 9:
        return Quality("fair", "Приемлемо, но лучше добавить ещё", active_count)
    return Quality("good", "Отличная выборка", active_count)


def price_per_sqm(item: dict) -> float | None:
    price, total_area = item.get("price"), item.get("total_area")
    if not price or not total_area:
        return None
    return price / total_area


def _address_key(address: str | None) -> str:
    return " ".join((address or "").lower().replace(",", " ").split())


def _looks_like_twins(first: dict, second: dict) -> bool:
    if abs(first["total_area"] - second["total_area"]) > 1:
        return False
    return abs(first["price"] - second["price"]) <= 0.02 * max(first["price"], second["price"])


def possible_duplicates(items: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs that look like one flat listed twice: same address, area ±1 m², price ±2 %.

    Listings are grouped by address (a dict of keys) and sorted by area, so each one is compared
    only with the few of its address within 1 m², not with the whole list.
    """
    order = {id(item): index for index, item in enumerate(items)}

    def position(item: dict) -> int:
        return order[id(item)]

    by_address: dict[str, list[dict]] = {}
    for item in items:
        key = _address_key(item.get("address"))
        if key and item.get("price") and item.get("total_area"):
            by_address.setdefault(key, []).append(item)
    pairs = []
    for group in by_address.values():
        group.sort(key=lambda item: item["total_area"])
        for index, first in enumerate(group):
            for second in group[index + 1 :]:
                if second["total_area"] - first["total_area"] > 1:
                    break
                if _looks_like_twins(first, second):
                    pairs.append(tuple(sorted((first, second), key=position)))
    pairs.sort(key=lambda pair: (position(pair[0]), position(pair[1])))
    return pairs


def warnings(active: list[dict]) -> list[str]:
    """Warnings shown above the comparable table, one sentence each."""
    found = []
    values = [v for v in (price_per_sqm(item) for item in active) if v]
    if len(values) >= 2:
        spread = statistics.stdev(values) / statistics.median(values)
        if spread > 0.50:
            found.append(
                f"Очень большой разброс цен за м² ({round(spread * 100)} %): "
                "проверьте, что аналоги действительно похожи"
            )
        elif spread > 0.30:
            found.append(f"Большой разброс цен за м² ({round(spread * 100)} %)")
    for first, second in possible_duplicates(active):
        found.append(
            f"Возможно, одна и та же квартира: аналоги №{first['id'][1:]} и №{second['id'][1:]} "
            "(тот же адрес, площадь и цена). Исключите один из них"
        )
    return found


def rejection_reason(listing: dict, target: dict | None) -> str | None:
    """Why a fetched listing cannot be a comparable, or None when it can."""
    if not listing.get("price") or not listing.get("total_area"):
        return "В объявлении нет цены или площади — его нельзя использовать как аналог"
    target_region = (target or {}).get("region_id")
    region = listing.get("region_id")
    if target_region and region and region != target_region:
        here = REGION_NAMES.get(target_region, "регион оцениваемой квартиры")
        return f"Объявление из другого региона: аналоги должны быть из того же города ({here})"
    return None


# --- automatic search ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchOutcome:
    found: int
    added: int
    skipped: int
    truncated: bool
    seconds: float
    deadline: int
    full: bool = False


def search_deadline() -> int:
    """Total seconds one automatic search may take (well below gunicorn's worker timeout)."""
    return int(getattr(settings, "HOUSLER_SEARCH_DEADLINE", 20))


def auto_search(state: WizardState) -> SearchOutcome:
    """Fetch comparables within the deadline and *add* the usable ones; raises cian.CianError.

    The search adds and never removes: what the user added or excluded stays as it was. It stops
    adding at `max_comparables()`; the rest count as skipped and `full` says why.
    """
    deadline = search_deadline()
    started = time.monotonic()
    found = cian.search_comparables(state.target, limit=20, deadline=deadline)
    seconds = time.monotonic() - started
    truncated = getattr(found, "truncated", None)
    if truncated is None:
        truncated = seconds >= deadline * 0.95
    added = skipped = 0
    for listing in found:
        if rejection_reason(listing, state.target):
            skipped += 1
            continue
        try:
            state.add_comparable(listing, origin="search")
        except (DuplicateComparable, ComparablesFull):
            skipped += 1
            continue
        added += 1
    outcome = SearchOutcome(
        len(found), added, skipped, bool(truncated), round(seconds, 1), deadline, state.is_full
    )
    state.record_search(**asdict(outcome))
    return outcome
