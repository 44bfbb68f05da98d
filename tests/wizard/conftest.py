"""A local stand-in for Cian serving the saved fixture pages, and wizard helpers.

The wizard runs against the real `calculator.cian` and `calculator.valuation`; only the network
is replaced, by this server (`settings.CIAN_BASE_URL` points at it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.support.cian_pages import fixture_html
from tests.support.fake_cian import FakeCian, Reply

NEW_BUILD_ID, RESALE_ID = 315831388, 319270312
NEW_BUILD_URL = f"https://spb.cian.ru/sale/flat/{NEW_BUILD_ID}/"
RESALE_URL = f"https://spb.cian.ru/sale/flat/{RESALE_ID}/"


LISTINGS = {
    NEW_BUILD_ID: "cian_listing_spb_3room_newbuilding_315831388.html",
    RESALE_ID: "cian_listing_spb_3room_secondary_319270312.html",
}


def card(offer_id: int, rooms: int, area: float, floor: int, total: int, price: int) -> str:
    """The saved search card with another flat's numbers in it."""
    html = fixture_html("cian_search_card_spb_6room_newbuilding_309818461.html")
    area_text = f"{area:.1f}".replace(".", ",")
    html = html.replace("309818461", str(offer_id))
    html = html.replace(
        "6-комн. квартира, 251,3 м², 9/9 этаж",
        f"{rooms}-комн. квартира, {area_text} м², {floor}/{total} этаж",
    )
    html = re.sub(r"414\s645\s000\s₽", f"{price:,}".replace(",", " ") + " ₽", html)
    return html.replace("1 650 000 ₽/м²", f"{round(price / area):,} ₽/м²".replace(",", " "))


SEARCH_CARDS = [
    (400000001, 3, 120.0, 3, 7, 70_000_000),
    (400000002, 3, 118.5, 5, 9, 66_500_000),
    (400000003, 3, 131.0, 2, 6, 79_000_000),
    (400000004, 3, 110.2, 6, 8, 62_000_000),
    (400000005, 3, 125.0, 4, 10, 74_500_000),
    (400000006, 3, 128.3, 7, 12, 71_000_000),
]


def search_page() -> str:
    cards = "".join(card(*spec) for spec in SEARCH_CARDS)
    return f"<html><head><title>Поиск</title></head><body><div>{cards}</div></body></html>"


@pytest.fixture
def cian_server(settings) -> Iterator[FakeCian]:
    """Cian as the wizard sees it: the two saved listings and a results page of six cards."""
    fake = FakeCian()
    fake.routes["/cat.php"] = Reply(200, search_page())
    for offer_id, name in LISTINGS.items():
        fake.routes[f"/sale/flat/{offer_id}/"] = Reply(200, fixture_html(name))
    settings.CIAN_BASE_URL = fake.url
    settings.CIAN_TIMEOUT = 2.0
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> Iterator[None]:
    """Listings and rate-limit counters live in the default cache: start every test clean."""
    settings.HOUSLER_FETCH_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()
