"""Cian as the wizard tests see it: the two saved listings and a results page of six cards.

The wizard runs against the real `calculator.cian` and `calculator.valuation`; only the network
is replaced, by a `FakeCian` server (`settings.CIAN_BASE_URL` points at it).
"""

from __future__ import annotations

from tests.support.cian_pages import NEW_BUILD, RESALE, fixture_html
from tests.support.cian_search_pages import flat_card, results_page
from tests.support.fake_cian import FakeCian, Reply

NEW_BUILD_ID, RESALE_ID = 315831388, 319270312
NEW_BUILD_URL = f"https://spb.cian.ru/sale/flat/{NEW_BUILD_ID}/"
RESALE_URL = f"https://spb.cian.ru/sale/flat/{RESALE_ID}/"
LISTINGS = {NEW_BUILD_ID: NEW_BUILD, RESALE_ID: RESALE}
# Cian's anti-bot page, as it answers a server it turns away (HTTP 403 or 200).
WAF_PAGE = "<html><body><h1>Обнаружен подозрительный трафик</h1>cian_waf_block</body></html>"

SEARCH_CARDS = [
    (400000001, 3, 120.0, 3, 7, 70_000_000),
    (400000002, 3, 118.5, 5, 9, 66_500_000),
    (400000003, 3, 131.0, 2, 6, 79_000_000),
    (400000004, 3, 110.2, 6, 8, 62_000_000),
    (400000005, 3, 125.0, 4, 10, 74_500_000),
    (400000006, 3, 128.3, 7, 12, 71_000_000),
]


def search_page() -> str:
    """The results page the wizard's "find comparables" gets: the six SEARCH_CARDS."""
    return results_page([flat_card(*spec) for spec in SEARCH_CARDS])


def wizard_cian() -> FakeCian:
    """A started FakeCian serving both saved listings and the search page; close() it."""
    fake = FakeCian()
    fake.routes["/cat.php"] = Reply(200, search_page())
    for offer_id, name in LISTINGS.items():
        fake.routes[f"/sale/flat/{offer_id}/"] = Reply(200, fixture_html(name))
    return fake
