"""Listing page → listing dict: embedded state first, JSON-LD and DOM for whatever it lacks.

Pure: no network, no Django. Each field falls back independently, so a page whose state script
is missing or broken still yields the core fields from the rendered DOM.
"""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html

from calculator.valuation import price_per_sqm

from . import dom, vocabulary
from .errors import Blocked, ListingRemoved, NotAListing, ParseError
from .numbers import (
    area_from_text,
    clean_text,
    floor_from_text,
    price_from_text,
    rooms_from_text,
    to_float,
    to_int,
    year_from_text,
)
from .state import listing_state
from .urls import offer_id_from_url

LISTING_KEYS = (
    "offer_id", "url", "status", "is_archived", "category",
    "price", "price_per_sqm", "total_area", "living_area", "kitchen_area", "rooms",
    "floor", "total_floors", "address", "city", "region_id", "lat", "lng", "metro",
    "jk_name", "jk_id", "house_id", "build_year", "deadline_year", "house_type",
    "ceiling_height", "repair_level", "bathrooms", "view_type", "elevator_count",
    "balconies", "loggias", "photos", "description",
)  # fmt: skip

BLOCK_SIGNALS = ("captcha-form", "не робот", 'class="g-recaptcha"', "smartcaptcha", "/captcha/")
REMOVED_SIGNALS = ("снято с публикации", "объявление удалено", "объявление не найдено", "в архиве")


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _positive(value: float | int | None) -> float | int | None:
    return value if value is not None and value > 0 else None


def _state_metro(geo: dict) -> list[dict]:
    return [
        {
            "name": u["name"],
            "minutes": to_int(u.get("travelTime")),
            "travel_type": u["travelType"]
            if u.get("travelType") in ("walk", "transport")
            else None,
        }
        for u in geo.get("undergrounds") or []
        if _dig(u, "name")
    ]


def offer_fields(offer: dict, offer_data: dict | None = None) -> dict:
    """Listing keys read from one Cian offer object (listing state or search results state)."""
    offer_data = offer_data or {}
    building = offer.get("building") if isinstance(offer.get("building"), dict) else {}
    geo = offer.get("geo") if isinstance(offer.get("geo"), dict) else {}
    address = [a for a in geo.get("address") or [] if isinstance(a, dict)]
    first = address[0] if address else {}
    jk = geo.get("jk") if isinstance(geo.get("jk"), dict) else {}
    newbuilding = offer.get("newbuilding") if isinstance(offer.get("newbuilding"), dict) else {}
    bti_material = _dig(offer_data, "bti", "houseData", "houseMaterialType")
    material = vocabulary.MATERIAL.get(bti_material) or vocabulary.MATERIAL.get(
        building.get("materialType")
    )
    repair = vocabulary.REPAIR_TYPE.get(offer.get("repairType")) or vocabulary.DECORATION.get(
        offer.get("decoration")
    )
    rooms = 0 if offer.get("flatType") == "studio" else to_int(offer.get("roomsCount"))
    coordinates = geo.get("coordinates") if isinstance(geo.get("coordinates"), dict) else {}
    build_year = to_int(building.get("buildYear")) or to_int(
        _dig(offer_data, "bti", "houseData", "yearRelease")
    )
    price = to_int(_dig(offer, "bargainTerms", "price")) or to_int(offer.get("priceTotalRur"))
    is_city = first.get("type") == "location"
    return {
        "offer_id": to_int(offer.get("cianId")) or to_int(offer.get("id")),
        "url": offer.get("fullUrl") or None,
        "status": offer.get("status") or None,
        "is_archived": bool(_dig(offer, "flags", "isArchived")),
        "category": vocabulary.CATEGORY.get(offer.get("category")),
        "price": _positive(price),
        "price_per_sqm": _positive(to_int(_dig(offer_data, "priceInfo", "pricePerSquareValue"))),
        "total_area": _positive(to_float(offer.get("totalArea"))),
        "living_area": _positive(to_float(offer.get("livingArea"))),
        "kitchen_area": _positive(to_float(offer.get("kitchenArea"))),
        "rooms": rooms,
        "floor": to_int(offer.get("floorNumber")),
        "total_floors": _positive(to_int(building.get("floorsCount"))),
        "address": ", ".join(a["shortName"] for a in address if a.get("shortName")) or None,
        "city": (first.get("shortName") or first.get("name")) if is_city else None,
        "region_id": to_int(first.get("id")) if is_city else None,
        "lat": to_float(coordinates.get("lat")),
        "lng": to_float(coordinates.get("lng")),
        "metro": _state_metro(geo),
        "jk_name": jk.get("name") or newbuilding.get("name") or None,
        "jk_id": to_int(jk.get("id")) or to_int(newbuilding.get("id")),
        "house_id": next((to_int(a.get("id")) for a in address if a.get("type") == "house"), None),
        "build_year": _positive(build_year),
        "deadline_year": to_int(_dig(building, "deadline", "year")),
        "house_type": material,
        "ceiling_height": _positive(to_float(building.get("ceilingHeight"))),
        "repair_level": repair,
        "bathrooms": vocabulary.bathrooms(
            to_int(offer.get("combinedWcsCount")), to_int(offer.get("separateWcsCount"))
        ),
        "view_type": vocabulary.VIEW.get(offer.get("windowsViewType")),
        "elevator_count": vocabulary.elevator_count(to_int(offer.get("passengerLiftsCount"))),
        "balconies": to_int(offer.get("balconiesCount")),
        "loggias": to_int(offer.get("loggiasCount")),
        "photos": [p["fullUrl"] for p in offer.get("photos") or [] if _dig(p, "fullUrl")],
        "description": (offer.get("description") or "").strip() or None,
    }


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


def _dom_fields(doc: lxml_html.HtmlElement) -> dict:
    """Listing keys read from the rendered DOM and JSON-LD (no walk/transport, no coordinates)."""
    labels = dom.labelled_values(doc)
    ld = dom.json_ld(doc)
    heading = dom.title(doc)
    floor, total_floors = floor_from_text(labels.get("этаж"))
    parts = dom.address_parts(doc)
    city = parts[0] if parts else None
    wcs = [to_int(p) for p in (labels.get("санузел") or "").split(",")]
    balconies, loggias = _balcony_counts(labels.get("балкон/лоджия"))
    images = ld.get("image")
    ld_price = _dig(ld, "offers", "price")
    canonical = dom.canonical_url(doc)
    return {
        "offer_id": to_int(ld.get("sku")) or offer_id_from_url(canonical),
        "url": canonical,
        "category": vocabulary.from_label(vocabulary.CATEGORY_LABEL, labels.get("тип жилья")),
        "price": price_from_text(dom.price_text(doc)) or to_int(ld_price),
        "price_per_sqm": price_from_text(labels.get("цена за метр")),
        "total_area": area_from_text(labels.get("общая площадь")) or area_from_text(heading),
        "living_area": area_from_text(labels.get("жилая площадь")),
        "kitchen_area": area_from_text(labels.get("площадь кухни")),
        "rooms": rooms_from_text(heading or ld.get("name")),
        "floor": floor,
        "total_floors": total_floors,
        "address": ", ".join(parts) or None,
        "city": city,
        "region_id": vocabulary.REGION_BY_CITY.get(city or ""),
        "metro": dom.metro(doc),
        "jk_name": dom.jk_name(doc),
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
        "photos": [str(i) for i in images] if isinstance(images, list) else dom.og_images(doc),
        "description": dom.description(doc) or ld.get("description") or None,
    }


# Cian's own anti-bot page (HTTP 403 to server traffic since 2026-09), lower-cased.
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


def parse_listing(html: str, url: str | None = None) -> dict:
    """Parse a Cian listing page.

    Raises Blocked (captcha page), ListingRemoved (archived / unpublished), NotAListing (no offer
    on the page) or ParseError (an offer page without price and area).
    """
    if not isinstance(html, str) or not html.strip():
        raise NotAListing("empty page")
    state = listing_state(html)
    fields = dict.fromkeys(LISTING_KEYS)
    fields["metro"], fields["photos"] = [], []
    if state is not None:
        offer_data = state["offerData"]
        offer = offer_data["offer"]
        fields.update(offer_fields(offer, offer_data))
        if fields["is_archived"] or (fields["status"] or "published") != "published":
            raise ListingRemoved(f"status={fields['status']!r} archived={fields['is_archived']}")
        subdomain = _dig(state, "pageData", "subdomain")
        if fields["offer_id"] and not fields["url"] and isinstance(subdomain, str):
            fields["url"] = f"https://{subdomain}.cian.ru/sale/flat/{fields['offer_id']}/"
    elif looks_blocked(html):
        raise Blocked("captcha page")

    if state is None or any(fields[k] in (None, []) for k in LISTING_KEYS):
        doc = dom.parse_document(html)
        if doc is None:
            raise NotAListing("not HTML")
        for key, value in _dom_fields(doc).items():
            if fields[key] in (None, []) and value not in (None, []):
                fields[key] = value
        if state is None:
            if not fields["price"] and not fields["total_area"]:
                if _looks_removed(doc):
                    raise ListingRemoved("removal banner")
                raise NotAListing("no offer state, price or area on the page")
            if _looks_removed(doc):
                raise ListingRemoved("removal banner")

    if url:
        fields["url"] = url
        fields["offer_id"] = fields["offer_id"] or offer_id_from_url(url)
    if not fields["price"] and not fields["total_area"]:
        raise ParseError("offer without price and area")
    if not fields["price_per_sqm"] and (computed := price_per_sqm(fields)):
        fields["price_per_sqm"] = round(computed)
    return fields
