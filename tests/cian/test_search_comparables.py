"""search_comparables against a local server standing in for Cian: which cards it keeps, and
when it stops (limit, deadline, a blocked search)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from calculator import cian
from tests.support.cian_pages import RESALE, fixture_html, page_html
from tests.support.cian_search_pages import card_variant, results_page
from tests.support.fake_cian import Reply


def _target() -> dict:
    return cian.parse_listing(fixture_html(RESALE))


def serve_search(fake_cian, pages: dict[str, list[str]], delay: float = 0.0) -> None:
    """Answer /cat.php by which search it is (house / newobject / region) and page number."""

    def reply(path: str) -> Reply:
        query = parse_qs(urlsplit(path).query)
        kind = next(k for k in ("house[0]", "newobject[0]", "region") if k in query)
        cards = pages.get(kind, [])
        page = int(query["p"][0])
        body = results_page(cards if page == 1 else cards[-1:])  # Cian repeats the last page
        return Reply(body=body, delay=delay)

    fake_cian.routes["/cat.php"] = reply


def test_comparables_are_unique_same_region_and_exclude_the_target(fake_cian) -> None:
    serve_search(
        fake_cian,
        {
            "house[0]": [card_variant(319270312), card_variant(11), card_variant(12)],
            "newobject[0]": [card_variant(12), card_variant(13), card_variant(14, city="Москва")],
            "region": [card_variant(15), card_variant(11), card_variant(16)],
        },
    )
    found = cian.search_comparables(_target())
    assert [c["offer_id"] for c in found.offers] == [11, 12, 13, 15, 16]
    assert all(c["url"] and c["price"] and c["total_area"] for c in found.offers)
    assert found.stopped_by is None and not found.truncated
    assert all(urlsplit(p).path == "/cat.php" for p in fake_cian.paths())


def test_comparables_stop_at_the_limit(fake_cian) -> None:
    serve_search(fake_cian, {"house[0]": [card_variant(i) for i in range(100, 110)]})
    found = cian.search_comparables(_target(), limit=4)
    assert [c["offer_id"] for c in found.offers] == [100, 101, 102, 103]
    assert not found.truncated  # a full list is not a search cut short
    assert len(fake_cian.requests) == 1


def test_comparables_respect_the_deadline(fake_cian) -> None:
    serve_search(
        fake_cian,
        {"house[0]": [card_variant(21)], "newobject[0]": [card_variant(22)]},
        delay=0.25,
    )
    started = time.monotonic()
    found = cian.search_comparables(_target(), deadline=0.4)
    assert time.monotonic() - started < 0.9
    assert [c["offer_id"] for c in found.offers] == [21]
    assert found.truncated and found.stopped_by == "deadline"


def test_blocked_search_with_nothing_found_tells_the_user(fake_cian) -> None:
    fake_cian.routes["/cat.php"] = Reply(200, page_html("captcha.html"))
    with pytest.raises(cian.Blocked):
        cian.search_comparables(_target())
    assert len(fake_cian.requests) == 1


def test_listing_without_search_keys_needs_no_request(fake_cian) -> None:
    assert cian.search_comparables({"rooms": 2}).offers == []
    assert fake_cian.requests == []


def test_a_spent_request_budget_stops_the_search_without_calling_it_a_timeout(fake_cian) -> None:
    serve_search(fake_cian, {"house[0]": [card_variant(31)], "newobject[0]": [card_variant(32)]})
    found = cian.search_comparables(_target(), budget=cian.Budget(limit=1))
    assert [c["offer_id"] for c in found.offers] == [31]
    assert found.stopped_by == "budget" and not found.truncated
    assert len(fake_cian.requests) == 1


def test_a_block_after_some_offers_keeps_them(fake_cian) -> None:
    def reply(path: str) -> Reply:
        if "house%5B0%5D" in path or "house[0]" in path:
            return Reply(body=results_page([card_variant(41)]))
        return Reply(200, page_html("captcha.html"))

    fake_cian.routes["/cat.php"] = reply
    found = cian.search_comparables(_target())
    assert [c["offer_id"] for c in found.offers] == [41]
    assert found.stopped_by == "blocked"
