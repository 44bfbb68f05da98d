"""Search results parsing and the search URLs built for comparables."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from calculator import cian
from calculator.cian import dom, page_config
from tests.support.cian_pages import CARD, NEW_BUILD, RESALE, expected, fixture_html
from tests.support.cian_search_pages import card_variant, results_page


def serp_state_page(offers: list[dict]) -> str:
    payload = json.dumps(
        [{"key": "initialState", "value": {"results": {"offers": offers}}}], ensure_ascii=False
    )
    return (
        "<html><head><script>window._cianConfig['frontend-serp'] = "
        f"(window._cianConfig['frontend-serp'] || []).concat({payload});</script></head>"
        # A card that disagrees with the state: the state must win.
        f"<body>{card_variant(1)}</body></html>"
    )


def test_card_fixture_matches_ground_truth() -> None:
    truth = expected(CARD)
    [card] = cian.parse_search_results(fixture_html(CARD))
    for key in ("offer_id", "url", "rooms", "total_area", "floor", "total_floors", "price"):
        assert card[key] == truth[key], key
    assert card["price_per_sqm"] == truth["price_per_sqm"]
    assert card["jk_name"] == truth["jk_name"]
    labels = truth["geo_labels"]
    assert card["address"] == ", ".join(label for label in labels if not label.startswith("м. "))
    assert card["city"] == labels[0] and card["region_id"] == 2
    assert card["metro"] == [
        {"name": "Площадь Восстания", "minutes": 4, "travel_type": "transport"}
    ]
    assert card["photos"][0] == truth["first_image"]
    assert card["deadline_year"] == 2028  # "Сдача корпуса 3 кв. 2028"
    assert set(card) >= set(cian.LISTING_KEYS)


def test_card_photos_are_the_gallery_not_thumbnails_or_developer_logo() -> None:
    truth = expected(CARD)
    doc = dom.parse_document(fixture_html(CARD))
    images = doc.xpath("//img/@src")
    assert len(images) == truth["images_in_card"]
    [card] = cian.parse_search_results(fixture_html(CARD))
    assert len(card["photos"]) == len(set(card["photos"])) == 11  # the "1/11" counter
    assert not any("get-avatar" in src for src in card["photos"])


def test_results_page_from_cards_deduplicates_and_keeps_region() -> None:
    html = results_page(
        [
            card_variant(1001),
            card_variant(1002, price="20 500 000"),
            card_variant(1001),  # promoted twice on the same page
            card_variant(1003, city="Москва"),
        ]
    )
    results = cian.parse_search_results(html)
    assert [r["offer_id"] for r in results] == [1001, 1002, 1003]
    assert [r["region_id"] for r in results] == [2, 2, 1]
    assert results[1]["price"] == 20_500_000
    assert results[1]["price_per_sqm"] == 1_650_000  # shown on the card, not recomputed
    assert results[0]["url"] == "https://spb.cian.ru/sale/flat/1001/"


def test_results_from_embedded_state_are_preferred() -> None:
    offer = page_config.listing_state(fixture_html(RESALE))["offerData"]["offer"]
    page = serp_state_page([offer, offer])
    results = cian.parse_search_results(page)
    assert [r["offer_id"] for r in results] == [319270312]
    only = results[0]
    assert (only["price"], only["total_area"], only["house_id"]) == (75000000, 106.2, 9172715)
    assert only["url"] == "https://www.cian.ru/sale/flat/319270312/"
    assert only["price_per_sqm"] == round(75000000 / 106.2)


@pytest.mark.parametrize("html", ["", "<html><body><p>Ничего не найдено</p></body></html>"])
def test_page_without_results_gives_empty_list(html: str) -> None:
    assert cian.parse_search_results(html) == []


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_search_urls_go_from_same_house_to_region_band() -> None:
    listing = cian.parse_listing(fixture_html(RESALE))
    house, jk, region = (_query(u) for u in cian.build_search_urls(listing))
    common = {"deal_type": "sale", "engine_version": "2", "offer_type": "flat", "p": "1"}
    assert house == {**common, "house[0]": "9172715", "room3": "1"}
    assert jk == {**common, "newobject[0]": "49884", "room3": "1"}
    assert region["region"] == "2" and region["object_type[0]"] == "1"
    assert (int(region["minprice"]), int(region["maxprice"])) == (60_000_000, 90_000_000)
    assert (float(region["mintarea"]), float(region["maxtarea"])) == (85.0, 127.4)
    assert all(urlsplit(u).netloc == "www.cian.ru" for u in cian.build_search_urls(listing))


def test_new_build_without_house_searches_jk_then_new_builds_in_region() -> None:
    listing = cian.parse_listing(fixture_html(NEW_BUILD))
    urls = cian.build_search_urls(listing, page=2)
    assert len(urls) == 2
    assert _query(urls[0])["newobject[0]"] == "4642533" and _query(urls[0])["p"] == "2"
    assert _query(urls[1])["object_type[0]"] == "2"


@pytest.mark.parametrize(
    ("rooms", "param"), [(0, "room9"), (1, "room1"), (5, "room5"), (7, "room6")]
)
def test_room_parameters(rooms: int, param: str) -> None:
    listing = {"rooms": rooms, "house_id": 5}
    assert _query(cian.build_search_urls(listing)[0])[param] == "1"


def test_an_owner_without_a_price_still_gets_a_region_search() -> None:
    listing = cian.parse_listing(fixture_html(RESALE))
    listing.update(price=None, house_id=None, jk_id=None)
    (region,) = (_query(u) for u in cian.build_search_urls(listing))
    assert "minprice" not in region and "maxprice" not in region
    assert (float(region["mintarea"]), float(region["maxtarea"])) == (85.0, 127.4)
    link = _query(cian.similar_flats_url(listing))
    assert link == {k: v for k, v in region.items() if k != "p"}
    assert cian.similar_flats_url({"total_area": 54.5, "region_id": None}) is None
