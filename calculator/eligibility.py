"""Can this listing be a comparable for the flat being valued? One answer for every way in.

The automatic search, a pasted link, an uploaded listing page and an uploaded results page all
ask it, so a listing the search would skip is never accepted by hand, and the other way round.
Whether the listing is already in the list is the wizard's question, not this one.
"""

from __future__ import annotations

from calculator.regions import region_name


def rejection(listing: dict, target: dict | None) -> str | None:
    """The visitor's sentence saying why `listing` cannot be a comparable, or None when it can.

    It needs a price and an area (a ₽/м² to compare) and, when both regions are known, the
    target's region: a Moscow flat is not priced from St Petersburg.
    """
    if not listing.get("price") or not listing.get("total_area"):
        return "В объявлении нет цены или площади — его нельзя использовать как аналог"
    target_region = (target or {}).get("region_id")
    region = listing.get("region_id")
    if target_region and region and region != target_region:
        here = region_name(target_region) or "регион оцениваемой квартиры"
        return f"Объявление из другого региона: аналоги должны быть из того же города ({here})"
    return None


def eligible(listing: dict, target: dict | None) -> bool:
    return rejection(listing, target) is None
