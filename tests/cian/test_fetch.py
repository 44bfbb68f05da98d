"""fetch_listing against a local server standing in for Cian: caching, retries, limits and
redirects, each failure a Russian sentence."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from calculator import cian
from calculator.cian import fetch
from housler.settings import redis_cache
from tests.support.cian_pages import RESALE, fixture_html, page_html
from tests.support.fake_cian import Reply
from tests.support.redis_server import free_port

LISTING_URL = "https://spb.cian.ru/sale/flat/319270312/?utm_source=share"
LISTING_PATH = "/sale/flat/319270312/"


def test_listing_is_fetched_parsed_and_sent_like_a_browser(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE))
    listing = cian.fetch_listing(LISTING_URL)
    assert listing["price"] == 75000000 and listing["house_type"] == "монолит"
    assert listing["url"] == "https://spb.cian.ru/sale/flat/319270312/"
    [request] = fake_cian.requests
    assert request["path"] == LISTING_PATH  # tracking query stripped
    assert request["headers"]["Accept-Language"].startswith("ru")
    assert request["headers"]["User-Agent"].startswith("Mozilla/5.0")


def test_listing_is_cached_by_offer_id_as_json(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE))
    first = cian.fetch_listing(LISTING_URL)
    again = cian.fetch_listing("https://spb.cian.ru/sale/flat/319270312/#gallery")
    assert again == first and len(fake_cian.requests) == 1
    stored = cache.get("cian:listing:319270312")
    assert json.loads(json.dumps(stored)) == first


def test_cache_outage_does_not_stop_the_fetch(fake_cian, settings) -> None:
    nobody_listens = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {**settings.CACHES, "default": redis_cache(nobody_listens, "down")}
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE))
    assert cian.fetch_listing(LISTING_URL)["offer_id"] == 319270312


@pytest.mark.parametrize("status", [404, 410])
def test_missing_listing_is_removed(fake_cian, status: int) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(status, "<h1>Страница не найдена</h1>")
    with pytest.raises(cian.ListingRemoved) as info:
        cian.fetch_listing(LISTING_URL)
    assert info.value.message == "Объявление не найдено или снято с публикации"


def test_429_then_200_is_retried_with_backoff(fake_cian, no_backoff) -> None:
    fake_cian.routes[LISTING_PATH] = [Reply(429), Reply(body=fixture_html(RESALE))]
    assert cian.fetch_listing(LISTING_URL)["price"] == 75000000
    assert len(fake_cian.requests) == 2
    assert no_backoff == [fetch.RETRY_BACKOFF[0]]


def test_persistent_429_is_blocked_after_two_retries(fake_cian, no_backoff) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(429)
    with pytest.raises(cian.Blocked):
        cian.fetch_listing(LISTING_URL)
    assert len(fake_cian.requests) == 3 and len(no_backoff) == 2


def test_persistent_server_error_is_a_russian_fetch_failure(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(503)
    with pytest.raises(cian.CianError) as info:
        cian.fetch_listing(LISTING_URL)
    assert len(fake_cian.requests) == 3
    assert "ЦИАН" in info.value.message


def test_403_and_captcha_page_are_blocked(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(403, page_html("captcha.html"))
    with pytest.raises(cian.Blocked):
        cian.fetch_listing(LISTING_URL)
    fake_cian.routes[LISTING_PATH] = Reply(200, page_html("captcha.html"))
    with pytest.raises(cian.Blocked):
        cian.fetch_listing(LISTING_URL)


def test_slow_response_times_out(fake_cian, settings) -> None:
    settings.CIAN_TIMEOUT = 0.3
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE), delay=1.5)
    started = time.monotonic()
    with pytest.raises(cian.FetchTimeout) as info:
        cian.fetch_listing(LISTING_URL)
    assert time.monotonic() - started < 1.2
    assert info.value.message.startswith("ЦИАН не ответил вовремя")


@pytest.mark.parametrize("declared", [True, False])
def test_oversized_body_is_refused(fake_cian, settings, declared: bool) -> None:
    settings.CIAN_MAX_BYTES = 200_000
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE), content_length=declared)
    with pytest.raises(cian.ResponseTooLarge) as info:
        cian.fetch_listing(LISTING_URL)
    assert isinstance(info.value, cian.CianError) and info.value.message


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example.com/sale/flat/319270312/",
        "http://169.254.169.254/latest/meta-data/",
        "https://cian.ru.evil.com/",
    ],
)
def test_redirect_to_a_foreign_host_is_not_followed(fake_cian, location: str) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(302, headers={"Location": location})
    with pytest.raises(cian.HostNotAllowed):
        cian.fetch_listing(LISTING_URL)
    assert fake_cian.paths() == [LISTING_PATH]


def test_redirect_to_the_test_server_port_of_another_host_is_refused(fake_cian) -> None:
    port = urlsplit(fake_cian.url).port
    fake_cian.routes[LISTING_PATH] = Reply(
        301, headers={"Location": f"http://localhost:{port}/sale/flat/1/"}
    )
    with pytest.raises(cian.HostNotAllowed):
        cian.fetch_listing(LISTING_URL)
    assert len(fake_cian.requests) == 1


def test_redirects_within_cian_are_followed(fake_cian) -> None:
    fake_cian.routes["/sale/flat/319270312/"] = Reply(
        301, headers={"Location": "https://www.cian.ru/sale/flat/319270312/?from=spb"}
    )
    # The second hop is on www.cian.ru (mapped to the local server): a relative redirect.
    original = fake_cian.reply_for

    def by_query(path: str) -> Reply:
        if "from=spb" in path:
            return Reply(302, headers={"Location": "/offer/319270312/"})
        return original(path)

    fake_cian.reply_for = by_query
    fake_cian.routes["/offer/319270312/"] = Reply(body=fixture_html(RESALE))
    assert cian.fetch_listing(LISTING_URL)["offer_id"] == 319270312
    assert fake_cian.paths() == [
        "/sale/flat/319270312/",
        "/sale/flat/319270312/?from=spb",
        "/offer/319270312/",
    ]


def test_redirect_loop_stops(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(302, headers={"Location": LISTING_PATH})
    with pytest.raises(cian.FetchFailed):
        cian.fetch_listing(LISTING_URL)
    assert len(fake_cian.requests) == fetch.MAX_REDIRECTS + 1


def test_connection_refused_is_a_russian_error(settings, fake_cian) -> None:
    fake_cian.close()
    with pytest.raises(cian.FetchFailed) as info:
        cian.fetch_listing(LISTING_URL)
    assert info.value.message.startswith("Не удалось связаться с ЦИАН")
