"""Links and field types from Cian pages are never trusted."""

from __future__ import annotations

import pytest

from calculator import cian
from calculator.cian.urls import safe_url
from tests.support.cian_page_config import listing_state_page, search_offer, serp_state_page
from tests.support.cian_pages import CARD, RESALE, fixture_html

HOSTILE_LINKS = [
    "javascript:alert(1)",
    " JavaScript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "//evil.example/sale/flat/7/",
    "https://evil.example/sale/flat/7/",
    "http://evil.example/",
    "https://evil-cian.ru/sale/flat/7/",
    "https://www.cian.ru@evil.example/sale/flat/7/",
    "https://www.cian.ru%2f.evil.example/sale/flat/7/",
    "https://www.cian.ru:8443/sale/flat/7/",
    "https://127.0.0.1/sale/flat/7/",
    "vbscript:msgbox(1)",
    "/sale/flat/7/",
    "",
]
NOT_STRINGS = [None, 7, 7.5, True, ["https://www.cian.ru/"], {"url": "https://www.cian.ru/"}]


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_safe_url_drops_every_link_not_on_cian_over_https(link: str) -> None:
    assert safe_url(link) is None


@pytest.mark.parametrize("value", NOT_STRINGS)
def test_safe_url_drops_values_that_are_not_strings(value: object) -> None:
    assert safe_url(value) is None


@pytest.mark.parametrize(
    ("link", "normalised"),
    [
        ("https://spb.cian.ru/sale/flat/1/", "https://spb.cian.ru/sale/flat/1/"),
        ("http://SPB.cian.ru/sale/flat/1/#photos", "https://spb.cian.ru/sale/flat/1/"),
        ("//www.cian.ru/sale/flat/1/", "https://www.cian.ru/sale/flat/1/"),
        ("https://cian.ru/cat.php?p=2", "https://www.cian.ru/cat.php?p=2"),
        ('https://www.cian.ru/a"><b>', "https://www.cian.ru/a%22%3E%3Cb%3E"),
    ],
)
def test_safe_url_normalises_cian_links(link: str, normalised: str) -> None:
    assert safe_url(link) == normalised


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_search_offer_link_never_leaves_cian(link: str) -> None:
    offer = search_offer(42, 10_000_000, 50.0, fullUrl=link, photos=[{"fullUrl": link}])
    [result] = cian.parse_search_results(serp_state_page([offer]))
    assert result["url"] == "https://www.cian.ru/sale/flat/42/"
    assert result["photos"] == []


@pytest.mark.parametrize(
    "prefix",
    ["javascript:alert(1)//", "data:text/html,", "//evil.example", "https://evil.example", ""],
)
def test_search_card_link_never_leaves_cian(prefix: str) -> None:
    html = fixture_html(CARD).replace('href="https://spb.cian.ru/sale/', f'href="{prefix}/sale/')
    assert html != fixture_html(CARD)
    [result] = cian.parse_search_results(html)
    assert result["url"] == "https://www.cian.ru/sale/flat/309818461/"


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_listing_links_from_state_and_dom_are_dropped(link: str) -> None:
    offer = search_offer(42, 10_000_000, 50.0, fullUrl=link, photos=[{"fullUrl": link}])
    canonical = f'<link rel="canonical" href="{link}">'
    listing = cian.parse_listing(listing_state_page(offer, body=canonical))
    assert listing["url"] is None
    assert listing["photos"] == []


@pytest.mark.parametrize("subdomain", ["evil.example/x?", "evil.example#", "a b", "spb/../@evil"])
def test_listing_url_built_from_a_hostile_subdomain_is_dropped(subdomain: str) -> None:
    offer = search_offer(42, 10_000_000, 50.0, fullUrl=None)
    listing = cian.parse_listing(listing_state_page(offer, {"subdomain": subdomain}))
    assert listing["url"] is None


def test_real_listing_keeps_its_cian_links() -> None:
    listing = cian.parse_listing(fixture_html(RESALE))
    assert listing["url"] == "https://spb.cian.ru/sale/flat/319270312/"
    assert listing["photos"] and all(p.startswith("https://") for p in listing["photos"])


@pytest.mark.parametrize("value", [5, 5.5, True, ["ул. Тестовая"], {"name": "x"}])
def test_search_address_part_of_another_type_is_skipped(value: object) -> None:
    offer = search_offer(42, 10_000_000, 50.0)
    offer["geo"]["address"][2]["shortName"] = value
    [result] = cian.parse_search_results(serp_state_page([offer]))
    assert result["address"] == "Санкт-Петербург, ул. Тестовая"
    assert result["price"] == 10_000_000 and result["total_area"] == 50.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("repairType", ["euro"]),
        ("decoration", {"fine": 1}),
        ("category", ["flatSale"]),
        ("windowsViewType", {}),
        ("description", 12345),
        ("status", ["published"]),
        ("roomsCount", {"3": 3}),
        ("totalArea", [50]),
        ("geo", {"address": 17, "undergrounds": 3, "jk": {"name": 9}}),
        ("photos", "https://www.cian.ru/photo.jpg"),
        ("building", {"materialType": ["panel"], "floorsCount": "девять"}),
    ],
)
def test_fields_of_the_wrong_type_are_absent_not_errors(key: str, value: object) -> None:
    offer = search_offer(42, 10_000_000, 50.0, **{key: value})
    [result] = cian.parse_search_results(serp_state_page([offer]))
    listing = cian.parse_listing(listing_state_page(offer))
    for fields in (result, listing):
        assert fields["offer_id"] == 42 and fields["price"] == 10_000_000
        for name in ("address", "city", "jk_name", "description", "status", "repair_level"):
            assert fields[name] is None or isinstance(fields[name], str), name
        assert isinstance(fields["metro"], list) and isinstance(fields["photos"], list)


@pytest.mark.parametrize(
    "price",
    [1e400, float("nan"), 10**400, "9" * 5000, -5],
    ids=["infinity", "nan", "huge-int", "5000-digit-text", "negative"],
)
def test_absurd_numbers_are_absent(price: object) -> None:
    offer = search_offer(42, 0, 50.0, bargainTerms={"price": price})
    [result] = cian.parse_search_results(serp_state_page([offer]))
    assert result["price"] is None and result["price_per_sqm"] is None


def test_a_price_of_five_thousand_digits_in_the_markup_is_absent() -> None:
    card = fixture_html(CARD).replace("414 645 000", "9" * 5000)
    [result] = cian.parse_search_results(card)
    assert result["price"] is None


def test_deeply_nested_state_is_not_a_crash() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    page = (
        "<html><head><script>window._cianConfig['frontend-serp'] = "
        f"(window._cianConfig['frontend-serp'] || []).concat({nested});</script></head></html>"
    )
    assert cian.parse_search_results(page) == []
    with pytest.raises(cian.NotAListing):
        cian.parse_listing(page.replace("frontend-serp", "frontend-offer-card"))
