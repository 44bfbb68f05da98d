"""Listing page → listing dict: embedded state first, JSON-LD and DOM for whatever it lacks.

Pure: no network, and Django only for `CIAN_ALLOWED_HOSTS` when configured. Each field falls back
independently, so a page whose state script is missing or broken still yields the core fields from
the rendered DOM. No value is trusted: a field of the wrong type is absent, a link that is not https
on an allowed Cian host is dropped (`urls.safe_url`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from lxml import html as lxml_html

from calculator.numbers import clean_text, digits, price_per_sqm, to_float, to_int
from calculator.regions import region_of_city

from . import dom, limits, vocabulary
from .errors import Blocked, ListingRemoved, NotAListing, ParseError
from .figures import (
    area_from_text,
    floor_from_text,
    metro_minutes,
    plausible_year,
    rooms_from_text,
    year_from_text,
)
from .page_config import listing_state
from .urls import image_url, offer_id_from_url, safe_url

LISTING_KEYS = (
    "offer_id", "url", "status", "is_archived", "category", "apartments",
    "price", "price_per_sqm", "total_area", "living_area", "kitchen_area", "rooms",
    "floor", "total_floors", "address", "city", "region_id", "lat", "lng", "metro",
    "metro_minutes", "metro_way", "metro_name",
    "jk_name", "jk_id", "house_id", "build_year", "deadline_year", "house_type",
    "ceiling_height", "repair_level", "bathrooms", "view_type", "elevator_count",
    "balconies", "loggias", "photos", "description",
)  # fmt: skip

BLOCK_SIGNALS = ("captcha-form", "не робот", 'class="g-recaptcha"', "smartcaptcha", "/captcha/")
REMOVED_SIGNALS = ("снято с публикации", "объявление удалено", "объявление не найдено", "в архиве")
MAX_PHOTOS = 100  # a listing shows a few dozen; a page listing thousands is not believed
# The nearest station, flattened for the valuation and the wizard (which keep no station list).
NEAREST_KEYS = ("metro_minutes", "metro_way", "metro_name")
_WAY_ORDER = {"walk": 0, "transport": 1}


def blank_listing() -> dict:
    """Every listing key, unknown: None, or an empty list for metro and photos."""
    fields = dict.fromkeys(LISTING_KEYS)
    fields["metro"], fields["photos"] = [], []
    return fields


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _dict(data: Any, *path: str) -> dict:
    """The dict at `path`, or {} when it is absent or of another type."""
    value = _dig(data, *path)
    return value if isinstance(value, dict) else {}


def _dicts(data: Any, *path: str) -> list[dict]:
    """The dicts of the list at `path`, among its first `limits.MAX_LIST_ITEMS` items; anything
    else there (or in it) is ignored."""
    value = _dig(data, *path)
    if not isinstance(value, list):
        return []
    return [item for item in value[: limits.MAX_LIST_ITEMS] if isinstance(item, dict)]


def _str(value: Any) -> str | None:
    """A non-blank string, stripped, else None: a number or a list is not text."""
    return (value.strip() or None) if isinstance(value, str) else None


def _mapped(table: dict[str, str], value: Any) -> str | None:
    """A vocabulary value for a Cian enum; a non-string (unhashable list…) maps to None."""
    return table.get(value) if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    """A JSON true/false; anything else (a string "false", 0, a list) is unknown."""
    return value if isinstance(value, bool) else None


def _positive(value: float | int | None) -> float | int | None:
    return value if value is not None and value > 0 else None


def _state_metro(geo: dict) -> list[dict]:
    return [
        {
            "name": _str(u.get("name")),
            "minutes": metro_minutes(to_int(u.get("travelTime"))),
            "travel_type": u["travelType"]
            if u.get("travelType") in ("walk", "transport")
            else None,
        }
        for u in _dicts(geo, "undergrounds")
        if _str(u.get("name"))
    ]


def nearest_station(metro: list[dict]) -> dict:
    """`NEAREST_KEYS` of the station fewest minutes away, walking winning a tie; all None when
    no station gives its minutes."""
    timed = [m for m in metro if m.get("minutes") is not None]
    if not timed:
        return dict.fromkeys(NEAREST_KEYS)
    best = min(timed, key=lambda m: (m["minutes"], _WAY_ORDER.get(m.get("travel_type"), 2)))
    return dict(
        zip(NEAREST_KEYS, (best["minutes"], best.get("travel_type"), best["name"]), strict=True)
    )


def _geo_fields(geo: dict) -> dict:
    """Address, city, region, house, coordinates and metro of an offer's `geo` object."""
    address = _dicts(geo, "address")
    first = address[0] if address else {}
    is_city = first.get("type") == "location"
    parts = [_str(a.get("shortName")) for a in address]
    return {
        "address": ", ".join(p for p in parts if p) or None,
        "city": (_str(first.get("shortName")) or _str(first.get("name"))) if is_city else None,
        "region_id": to_int(first.get("id")) if is_city else None,
        "house_id": next((to_int(a.get("id")) for a in address if a.get("type") == "house"), None),
        "lat": to_float(_dig(geo, "coordinates", "lat")),
        "lng": to_float(_dig(geo, "coordinates", "lng")),
        "metro": (metro := _state_metro(geo)),
        **nearest_station(metro),
    }


def _house_fields(offer: dict, offer_data: dict) -> dict:
    """The building's material, years, floors, ceiling and lifts."""
    building = _dict(offer, "building")
    bti_material = _dig(offer_data, "bti", "houseData", "houseMaterialType")
    build_year = to_int(building.get("buildYear")) or to_int(
        _dig(offer_data, "bti", "houseData", "yearRelease")
    )
    return {
        "total_floors": _positive(to_int(building.get("floorsCount"))),
        "build_year": plausible_year(build_year),
        "deadline_year": to_int(_dig(building, "deadline", "year")),
        "house_type": _mapped(vocabulary.MATERIAL, bti_material)
        or _mapped(vocabulary.MATERIAL, building.get("materialType")),
        "ceiling_height": _positive(to_float(building.get("ceilingHeight"))),
        "elevator_count": vocabulary.elevator_count(to_int(offer.get("passengerLiftsCount"))),
    }


def offer_fields(offer: dict, offer_data: dict | None = None) -> dict:
    """Listing keys read from one Cian offer object (listing state or search results state).

    Every value is type-checked: a field of the wrong type is absent (None), never an error.
    """
    offer_data = offer_data if isinstance(offer_data, dict) else {}
    jk, newbuilding = _dict(offer, "geo", "jk"), _dict(offer, "newbuilding")
    repair = _mapped(vocabulary.REPAIR_TYPE, offer.get("repairType")) or _mapped(
        vocabulary.DECORATION, offer.get("decoration")
    )
    rooms = 0 if offer.get("flatType") == "studio" else to_int(offer.get("roomsCount"))
    price = to_int(_dig(offer, "bargainTerms", "price")) or to_int(offer.get("priceTotalRur"))
    return {
        "offer_id": to_int(offer.get("cianId")) or to_int(offer.get("id")),
        "url": safe_url(offer.get("fullUrl")),
        "status": _str(offer.get("status")),
        "is_archived": bool(_dig(offer, "flags", "isArchived")),
        "category": _mapped(vocabulary.CATEGORY, offer.get("category")),
        "apartments": _bool(offer.get("isApartments")),
        "price": _positive(price),
        "price_per_sqm": _positive(to_int(_dig(offer_data, "priceInfo", "pricePerSquareValue"))),
        "total_area": _positive(to_float(offer.get("totalArea"))),
        "living_area": _positive(to_float(offer.get("livingArea"))),
        "kitchen_area": _positive(to_float(offer.get("kitchenArea"))),
        "rooms": rooms,
        "floor": to_int(offer.get("floorNumber")),
        **_geo_fields(_dict(offer, "geo")),
        "jk_name": _str(jk.get("name")) or _str(newbuilding.get("name")),
        "jk_id": to_int(jk.get("id")) or to_int(newbuilding.get("id")),
        **_house_fields(offer, offer_data),
        "repair_level": repair,
        "bathrooms": vocabulary.bathrooms(
            to_int(offer.get("combinedWcsCount")), to_int(offer.get("separateWcsCount"))
        ),
        "view_type": _mapped(vocabulary.VIEW, offer.get("windowsViewType")),
        "balconies": to_int(offer.get("balconiesCount")),
        "loggias": to_int(offer.get("loggiasCount")),
        "photos": photo_links(p.get("fullUrl") for p in _dicts(offer, "photos")),
        "description": _str(offer.get("description")),
    }


def photo_links(links: Iterable[Any]) -> list[str]:
    """Photo links that pass `image_url`, at most MAX_PHOTOS of them, looking at no more than
    `limits.MAX_LIST_ITEMS` links."""
    found = filter(None, map(image_url, islice(links, limits.MAX_LIST_ITEMS)))
    return list(islice(found, MAX_PHOTOS))


def _balcony_counts(text: str | None) -> tuple[int | None, int | None]:
    """ "1 балкон, 2 лоджии" → (1, 2); a shown label without one kind means zero of it."""
    if not text:
        return None, None
    balconies = loggias = 0
    for part in clean_text(text).lower().split(","):
        count = to_int(part) or 1
        if "балкон" in part:
            balconies += count
        elif "лодж" in part:
            loggias += count
    return balconies, loggias


def _lifts(text: str | None) -> str | None:
    """ "1 пассажирский, 1 грузовой" → passenger lifts "один"; "Нет" → "нет"."""
    text = clean_text(text).lower()
    if text == "нет":
        return "нет"
    for part in text.split(","):
        if "пассаж" in part:
            return vocabulary.elevator_count(to_int(part))
    return None


def _dom_fields(page: dom.Page) -> dict:
    """Listing keys read from the rendered DOM and JSON-LD (no coordinates)."""
    doc = page.doc
    labels = dom.labelled_values(page)
    ld = dom.json_ld(doc)
    heading = dom.title(page)
    floor, total_floors = floor_from_text(labels.get("этаж"))
    parts = dom.address_parts(page)
    city = parts[0] if parts else None
    wcs = [to_int(p) for p in (labels.get("санузел") or "").split(",")]
    balconies, loggias = _balcony_counts(labels.get("балкон/лоджия"))
    images = ld.get("image")
    ld_price = _dig(ld, "offers", "price")
    canonical = safe_url(dom.canonical_url(doc))
    return {
        "offer_id": to_int(ld.get("sku")) or offer_id_from_url(canonical),
        "url": canonical,
        "category": vocabulary.from_label(vocabulary.CATEGORY_LABEL, labels.get("тип жилья")),
        "apartments": vocabulary.apartments(labels.get("тип жилья"), heading),
        "price": digits(dom.price_text(page)) or to_int(ld_price),
        "price_per_sqm": digits(labels.get("цена за метр")),
        "total_area": area_from_text(labels.get("общая площадь")) or area_from_text(heading),
        "living_area": area_from_text(labels.get("жилая площадь")),
        "kitchen_area": area_from_text(labels.get("площадь кухни")),
        "rooms": rooms_from_text(heading or ld.get("name")),
        "floor": floor,
        "total_floors": total_floors,
        "address": ", ".join(parts) or None,
        "city": city,
        "region_id": region_of_city(city),
        "metro": (metro := dom.metro(page)),
        **nearest_station(metro),
        "jk_name": dom.jk_name(page),
        "build_year": year_from_text(labels.get("год постройки")),
        "deadline_year": year_from_text(labels.get("год сдачи")),
        "house_type": vocabulary.from_label(vocabulary.MATERIAL_LABEL, labels.get("тип дома")),
        "ceiling_height": to_float(labels.get("высота потолков")),
        "repair_level": vocabulary.from_label(
            vocabulary.REPAIR_LABEL, labels.get("ремонт") or labels.get("отделка")
        ),
        "bathrooms": sum(w for w in wcs if w) or None,
        "view_type": vocabulary.from_label(vocabulary.VIEW_LABEL, labels.get("вид из окон")),
        "elevator_count": _lifts(labels.get("количество лифтов")),
        "balconies": balconies,
        "loggias": loggias,
        "photos": photo_links(images if isinstance(images, list) else dom.og_images(doc)),
        "description": dom.description(page) or _str(ld.get("description")),
    }


# Cian's own anti-bot page (served to most server traffic, as HTTP 403 or 200), lower-cased.
WAF_SIGNALS = ("обнаружен подозрительный трафик", "cian_waf_block")


def looks_blocked(html: str) -> bool:
    """A captcha or anti-bot page: the one detector for fetched and uploaded pages."""
    lowered = html.lower()
    return any(signal in lowered for signal in (*BLOCK_SIGNALS, *WAF_SIGNALS))


def _looks_removed(doc: lxml_html.HtmlElement) -> bool:
    """Removal banners, searched outside the seller's own description text."""
    for noise in doc.xpath('//script | //style | //*[@data-name="Description"]'):
        noise.drop_tree()
    text = clean_text(doc.text_content()).lower()
    return any(signal in text for signal in REMOVED_SIGNALS)


def parse_listing(
    html: str, url: str | None = None, *, budget: limits.CpuBudget | None = None
) -> dict:
    """Parse a Cian listing page.

    Raises Blocked (captcha page), ListingRemoved (archived / unpublished), NotAListing (no offer
    on the page), PageTooComplex (past a bound of `limits`, `budget` included) or ParseError (an
    offer page without price and area).
    """
    if not isinstance(html, str) or not html.strip():
        raise NotAListing("empty page")
    budget = budget or limits.CpuBudget()
    state = listing_state(html)
    budget.check("state")
    fields = blank_listing()
    if state is not None:
        offer_data = state["offerData"]
        offer = offer_data["offer"]
        fields.update(offer_fields(offer, offer_data))
        if fields["is_archived"] or (fields["status"] or "published") != "published":
            raise ListingRemoved(f"status={fields['status']!r} archived={fields['is_archived']}")
        subdomain = _dig(state, "pageData", "subdomain")
        if fields["offer_id"] and not fields["url"] and isinstance(subdomain, str):
            fields["url"] = safe_url(f"https://{subdomain}.cian.ru/sale/flat/{fields['offer_id']}/")
    elif looks_blocked(html):
        raise Blocked("captcha page")

    if state is None or any(fields[k] in (None, []) for k in LISTING_KEYS):
        doc = dom.parse_document(html)
        if doc is None:
            raise NotAListing("not HTML")
        budget.check("DOM")
        fallback = _dom_fields(dom.Page(doc))
        for key, value in fallback.items():
            if fields[key] in (None, []) and value not in (None, []) and key not in NEAREST_KEYS:
                fields[key] = value
        if fields["metro_minutes"] is None:  # one station's minutes, way and name, not a mix
            fields.update({key: fallback[key] for key in NEAREST_KEYS})
        budget.check("DOM fields")
        if state is None:
            if not fields["price"] and not fields["total_area"]:
                if _looks_removed(doc):
                    raise ListingRemoved("removal banner")
                raise NotAListing("no offer state, price or area on the page")
            if _looks_removed(doc):
                raise ListingRemoved("removal banner")

    if url:
        fields["url"] = safe_url(url) or fields["url"]
        fields["offer_id"] = fields["offer_id"] or offer_id_from_url(url)
    if not fields["price"] and not fields["total_area"]:
        raise ParseError("offer without price and area")
    if not fields["price_per_sqm"] and (computed := price_per_sqm(fields)):
        fields["price_per_sqm"] = round(computed)
    return limits.check_listing(fields)
