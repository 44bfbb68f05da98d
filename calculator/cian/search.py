"""The search for comparables: Cian's own search URLs, fetching their result pages within a
deadline and a request budget, and parsing the cards and the embedded results state."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import islice
from typing import Literal
from urllib.parse import urlencode, urlsplit

from lxml import html as lxml_html

from calculator.conf import conf
from calculator.eligibility import eligible
from calculator.numbers import clean_text, digits, price_per_sqm, to_number
from calculator.regions import region_of_city

from . import dom, limits, vocabulary
from .bulkhead import cian_slot
from .errors import Blocked, CianError
from .fetch import Budget, fetch_page, new_session
from .figures import (
    area_from_text,
    floor_from_text,
    minutes_from_text,
    rooms_from_text,
    year_from_text,
)
from .page_config import search_offers
from .parse import blank_listing, nearest_station, offer_fields, photo_links
from .urls import offer_id_from_url, safe_url

SEARCH_BASE = "https://www.cian.ru/cat.php"
PRICE_BAND = 0.20
AREA_BAND = 0.20
MAX_SEARCH_PAGES = 3  # result pages read per search (house, ЖК, region)
StoppedBy = Literal["deadline", "budget", "blocked"]


def _listing_url(offer_id: int, link: str | None = None) -> str:
    """The offer's page on the host of a checked Cian `link`, else on www.cian.ru."""
    host = urlsplit(link).hostname if link else None
    return f"https://{host or 'www.cian.ru'}/sale/flat/{offer_id}/"


def _mark(value: str) -> dom.Key:
    return ("data-mark", value)


TITLE, SUBTITLE = _mark("OfferTitle"), _mark("OfferSubtitle")
PRICE, PRICE_INFO = _mark("MainPrice"), _mark("PriceInfo")
GEO, GEO_LABEL = ("data-name", "SpecialGeo"), ("data-name", "GeoLabel")
GALLERY, DESCRIPTION, LINK = ("data-name", "Gallery"), ("data-name", "Description"), (dom.TAG, "a")
GALLERY_LABELS = ("data-name", "GalleryLabels")
CARD_KEYS = (
    TITLE, SUBTITLE, PRICE, PRICE_INFO, GEO, GEO_LABEL, GALLERY, GALLERY_LABELS, DESCRIPTION, LINK,
)  # fmt: skip
CARD = ("data-name", "CardComponent")


def _first_text(blocks: dict[dom.Key, list], key: dom.Key, field: str = "label") -> str:
    found = blocks[key]
    return dom.text_of(found[0], field) if found else ""


def _card_metro(blocks: dict[dom.Key, list]) -> list[dict]:
    stations = []
    for geo in blocks[GEO][: limits.MAX_STATIONS]:
        name = dom.text_of(next(geo.iterdescendants("a"), None), "station")
        distance = clean_text(" ".join(dom.text_of(d) for d in geo.xpath("./div")))
        if not name:
            continue
        travel = vocabulary.travel_type(distance)
        stations.append(
            {"name": name, "minutes": minutes_from_text(distance), "travel_type": travel}
        )
    return stations


def _card_category(blocks: dict[dom.Key, list], subtitle: str) -> str | None:
    """New build when the card says so ("Новостройка от застройщика", "Сдача корпуса…");
    a card that says nothing is of an unknown segment, not resale."""
    labels = _first_text(blocks, GALLERY_LABELS).lower()
    if "новостройк" in labels or "сдача" in subtitle.lower():
        return "new"
    return "resale" if "вторичк" in labels else None


def _jk_name(blocks: dict[dom.Key, list]) -> str | None:
    """The name of the first link reading "ЖК «…»"."""
    for link in blocks[LINK]:
        if dom.starts_with(link, "ЖК «"):
            return dom.text_of(link, "jk_name").removeprefix("ЖК «").removesuffix("»") or None
    return None


def _photos(blocks: dict[dom.Key, list]) -> list[str]:
    """The gallery's images: thumbnails and the developer's logo sit outside it."""
    images = (img.get("src") for gallery in blocks[GALLERY] for img in gallery.iter("img"))
    return photo_links(islice(images, limits.MAX_LIST_ITEMS))


def parse_card(card: lxml_html.HtmlElement) -> dict | None:
    """One `article[data-name=CardComponent]`; None when it has no listing link."""
    hrefs = card.xpath('.//a[contains(@href, "/sale/flat/")]/@href')
    offer_id = offer_id_from_url(hrefs[0]) if hrefs else None
    if offer_id is None:
        return None
    blocks = dom.outermost(card, CARD_KEYS)
    fields = blank_listing()
    title = _first_text(blocks, TITLE)
    subtitle = _first_text(blocks, SUBTITLE)
    floor, total_floors = floor_from_text(title)
    if floor is None:
        floor, total_floors = floor_from_text(subtitle)
    labels = [dom.text_of(a, "address") for a in blocks[GEO_LABEL] if a.tag == "a"]
    places = [label for label in labels if label and not label.startswith("м. ")]
    city = places[0] if places else None
    rooms = rooms_from_text(title)
    if rooms is None:
        rooms = rooms_from_text(subtitle)
    metro = _card_metro(blocks)
    fields.update(
        offer_id=offer_id,
        url=_listing_url(offer_id, safe_url(str(hrefs[0]))),
        price=digits(_first_text(blocks, PRICE, "figure")),
        price_per_sqm=digits(_first_text(blocks, PRICE_INFO, "figure")),
        total_area=area_from_text(title) or area_from_text(subtitle),
        rooms=rooms,
        floor=floor,
        total_floors=total_floors,
        address=", ".join(places) or None,
        city=city,
        region_id=region_of_city(city),
        metro=metro,
        **nearest_station(metro),
        category=_card_category(blocks, subtitle),
        apartments=vocabulary.apartments(title, subtitle),
        jk_name=_jk_name(blocks),
        deadline_year=year_from_text(subtitle) if "сдача" in subtitle.lower() else None,
        photos=_photos(blocks),
        description=_first_text(blocks, DESCRIPTION, "description") or None,
    )
    return limits.check_listing(fields)


def _cards(html: str, budget: limits.CpuBudget) -> list[dict]:
    doc = dom.parse_document(html) if html and html.strip() else None
    budget.check("DOM")
    cards = dom.outermost(doc, [CARD])[CARD] if doc is not None else []
    found = []
    for card in [card for card in cards if card.tag == "article"][: limits.MAX_OFFERS]:
        if fields := parse_card(card):
            found.append(fields)
        budget.check("cards")
    return found


def parse_search_results(html: str, *, budget: limits.CpuBudget | None = None) -> list[dict]:
    """Offers on a results page, de-duplicated by offer id, in page order.

    The page's embedded state (`frontend-serp` → `initialState.results.offers`) is preferred;
    without it the rendered `CardComponent` cards are read. At most `limits.MAX_OFFERS` of
    either are read; PageTooComplex past the parser's other bounds.
    """
    budget = budget or limits.CpuBudget()
    found: list[dict] = []
    offers = search_offers(html) if html else None
    budget.check("state")
    if offers:
        for offer in offers[: limits.MAX_OFFERS]:
            fields = blank_listing()
            fields.update(offer_fields(offer))
            if fields["offer_id"] and not fields["url"]:
                fields["url"] = _listing_url(fields["offer_id"])
            found.append(limits.check_listing(fields))
    else:
        found = _cards(html, budget)
    unique: dict[int, dict] = {}
    for fields in found:
        if fields["offer_id"] and fields["offer_id"] not in unique:
            if not fields["price_per_sqm"] and (computed := price_per_sqm(fields)):
                fields["price_per_sqm"] = round(computed)
            unique[fields["offer_id"]] = fields
    return list(unique.values())


def _room_params(rooms: int | None) -> dict[str, int]:
    if rooms is None:
        return {}
    return {"room9" if rooms == 0 else f"room{min(rooms, 6)}": 1}


SEARCH_BASE_PARAMS = {"deal_type": "sale", "engine_version": 2, "offer_type": "flat"}


def _region_search(listing: dict) -> dict | None:
    """Flats like this one in its region: same rooms and category, area ±20 %, and price ±20 %
    when the price is known (an owner may not have set one)."""
    price, area = to_number(listing.get("price")), to_number(listing.get("total_area"))
    region = listing.get("region_id")
    if not (isinstance(region, int) and region > 0 and area and area > 0):
        return None
    object_type = {"resale": 1, "new": 2}.get(listing.get("category") or "")
    search = {
        **SEARCH_BASE_PARAMS,
        "region": region,
        **({"object_type[0]": object_type} if object_type else {}),
        **_room_params(listing.get("rooms")),
    }
    if price and price > 0:
        search.update(
            minprice=round(price * (1 - PRICE_BAND)), maxprice=round(price * (1 + PRICE_BAND))
        )
    search.update(
        mintarea=round(area * (1 - AREA_BAND), 1), maxtarea=round(area * (1 + AREA_BAND), 1)
    )
    return search


def _searches(listing: dict) -> list[dict]:
    """The searches for comparables, most similar first: same house, same ЖК, then the region
    (`_region_search`)."""
    rooms = _room_params(listing.get("rooms"))
    searches: list[dict] = []
    if listing.get("house_id"):
        searches.append({**SEARCH_BASE_PARAMS, "house[0]": listing["house_id"], **rooms})
    if listing.get("jk_id"):
        searches.append({**SEARCH_BASE_PARAMS, "newobject[0]": listing["jk_id"], **rooms})
    if region := _region_search(listing):
        searches.append(region)
    return searches


def _page_url(search: dict, page: int) -> str:
    return f"{SEARCH_BASE}?{urlencode({**search, 'p': page})}"


def build_search_urls(listing: dict, page: int = 1) -> list[str]:
    """Page `page` of each search for comparables, most similar first."""
    return [_page_url(search, page) for search in _searches(listing)]


def similar_flats_url(listing: dict | None) -> str | None:
    """The one Cian results page a visitor opens in their own browser and saves for step 2: the
    region search, whose first page is full (a house or ЖК may hold only a few offers)."""
    region = _region_search(listing or {})
    return f"{SEARCH_BASE}?{urlencode(region)}" if region else None


@dataclass(frozen=True)
class SearchResult:
    """The offers one search found, and why it stopped: None when it read every result page it
    meant to or reached its `limit`; "deadline", "budget" or "blocked" when it was cut short."""

    offers: list[dict]
    stopped_by: StoppedBy | None = None

    @property
    def truncated(self) -> bool:
        """Cut by its deadline: the visitor is told the list is what was found in the time."""
        return self.stopped_by == "deadline"


def search_comparables(
    listing: dict,
    limit: int = 20,
    *,
    deadline: float | None = None,
    budget: Budget | None = None,
) -> SearchResult:
    """Comparable offers for `listing`: same house, same ЖК, then the region's price/area band.

    De-duplicated by offer id, without the target itself and only offers `eligible` beside it.
    `deadline` is the total time in seconds for all page fetches and `budget` caps the requests
    sent; when either runs out the offers found so far are returned. Raises the first CianError
    only when nothing at all was found.
    """
    stop_at = time.monotonic() + deadline if deadline is not None else None
    found: dict[int, dict] = {}
    first_error: CianError | None = None
    with cian_slot(), new_session(budget) as session:
        for search in _searches(listing):
            for page in range(1, MAX_SEARCH_PAGES + 1):
                remaining = stop_at - time.monotonic() if stop_at is not None else None
                if remaining is not None and remaining <= 0:
                    return _result(found, first_error, "deadline")
                if session.budget.exhausted:
                    return _result(found, first_error, "budget")
                timeout = min(conf.CIAN_TIMEOUT, remaining or conf.CIAN_TIMEOUT)
                url = _page_url(search, page)
                try:
                    html, _final = fetch_page(url, session, timeout=timeout, stop_at=stop_at)
                except CianError as exc:
                    first_error = first_error or exc
                    if isinstance(exc, Blocked):
                        return _result(found, first_error, "blocked")
                    break
                if not _add_results(parse_search_results(html), listing, found, limit):
                    break
                if len(found) >= limit:
                    return SearchResult(list(found.values()))
    late = stop_at is not None and time.monotonic() >= stop_at
    return _result(found, first_error, "deadline" if late else None)


def _add_results(results: list[dict], listing: dict, found: dict[int, dict], limit: int) -> int:
    """Add the usable results to `found` (up to `limit`); how many were added."""
    added = 0
    for result in results:
        if len(found) >= limit:
            break
        offer_id = result["offer_id"]
        new = offer_id and offer_id != listing.get("offer_id") and offer_id not in found
        if new and eligible(result, listing):
            found[offer_id] = result
            added += 1
    return added


def _result(
    found: dict[int, dict], error: CianError | None, stopped_by: StoppedBy | None
) -> SearchResult:
    if not found and error is not None:
        raise error
    return SearchResult(list(found.values()), stopped_by)
