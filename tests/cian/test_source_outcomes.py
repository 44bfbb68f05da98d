"""Blocked is its own failure: recorded per fetch, counted, and judged by `listing_source`."""

from __future__ import annotations

import threading

import pytest
from prometheus_client import REGISTRY

from calculator import cian
from calculator.cian import bulkhead, outcomes
from housler.health import ListingSourceCheck, health_report, overall_status, run_check
from tests.support.cian_pages import RESALE, fixture_html, page_html
from tests.support.fake_cian import Reply
from tests.support.polling import wait_until

LISTING_URL = "https://spb.cian.ru/sale/flat/319270312/"
LISTING_PATH = "/sale/flat/319270312/"
WAF_PAGE = (
    "<html><head><title>Captcha</title></head><body><h1>Обнаружен подозрительный трафик</h1>"
    "<script>window.cian_waf_block = true;</script></body></html>"
)


def fetches_counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("housler_cian_fetches_total", {"outcome": outcome}) or 0.0


def try_fetch() -> cian.CianError | None:
    try:
        cian.fetch_listing(LISTING_URL)
    except cian.CianError as error:
        return error
    return None


@pytest.mark.parametrize("status", [200, 403, 429])
def test_the_waf_page_is_blocked_whatever_its_status(fake_cian, status: int) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(status, WAF_PAGE)
    before = fetches_counted("blocked")
    error = try_fetch()
    assert isinstance(error, cian.Blocked)
    assert "сохраните её и загрузите файл" in error.message
    assert fetches_counted("blocked") == before + 1
    assert outcomes.history().recent == ("blocked",)


def test_a_real_listing_is_ok_and_remembers_the_success(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE))
    before = fetches_counted("ok")
    assert try_fetch() is None
    assert fetches_counted("ok") == before + 1
    history = outcomes.history()
    assert history.recent == ("ok",) and history.last_ok is not None


def test_listing_source_degrades_after_ten_failures_and_recovers(fake_cian) -> None:
    fake_cian.routes[LISTING_PATH] = Reply(403, page_html("captcha.html"))
    for count in range(1, 11):
        try_fetch()
        component = ListingSourceCheck().run()
        assert component["status"] == ("degraded" if count == 10 else "healthy"), count
    assert component["recent"]["blocked"] == 10
    assert "the last 10 Cian fetches failed (mostly blocked)" in component["reasons"][0]
    assert health_report((ListingSourceCheck(),))["status"] == "degraded"
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE))
    assert try_fetch() is None
    component = ListingSourceCheck().run()
    assert component["status"] == "healthy" and component["last_success"]


def test_timeouts_and_errors_are_told_apart(fake_cian, settings) -> None:
    settings.CIAN_TIMEOUT = 0.3
    fake_cian.routes[LISTING_PATH] = Reply(body="<html></html>", delay=1.0)
    assert isinstance(try_fetch(), cian.FetchTimeout)
    fake_cian.routes[LISTING_PATH] = Reply(502)
    assert isinstance(try_fetch(), cian.FetchFailed)
    assert outcomes.history().recent == ("error", "timeout")


def test_the_list_is_capped_and_garbage_read_back_is_skipped(settings) -> None:
    from django.core.cache import cache

    cache.set(outcomes.RECENT_KEY, ["{not json", '{"outcome": "<script>"}', 7])
    cache.set(outcomes.LAST_OK_KEY, "yesterday")
    for _ in range(outcomes.KEEP + 5):
        outcomes.record(outcomes.ERROR)
    history = outcomes.history()
    assert history.recent == ("error",) * outcomes.KEEP and history.last_ok is None


def test_a_cache_outage_loses_the_record_but_never_the_fetch(fake_cian, monkeypatch) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")

    monkeypatch.setattr(outcomes.cache, "get", down)
    monkeypatch.setattr(outcomes.cache, "set", down)
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE))
    assert try_fetch() is None
    check = ListingSourceCheck()
    component = run_check(check)  # in this thread, where the cache is down
    assert component["status"] == "unhealthy" and "cache is down" in component["error"]
    assert overall_status({check.name: component}, (check,)) == "degraded"  # never a 503


def test_a_full_bulkhead_answers_at_once_without_calling_cian(fake_cian, settings) -> None:
    settings.CIAN_CONCURRENCY = 1
    fake_cian.routes[LISTING_PATH] = Reply(body=fixture_html(RESALE), delay=1.0)
    holder = threading.Thread(target=try_fetch)
    holder.start()
    wait_until(lambda: fake_cian.requests, "the first fetch to reach Cian", every=0.01)
    error = try_fetch()
    holder.join()
    assert isinstance(error, cian.Busy)
    assert error.message.startswith("ЦИАН сейчас отвечает медленно")
    assert len(fake_cian.requests) == 1
    assert try_fetch() is None  # the slot is free again (served from the cache now)
    with bulkhead.cian_slot():  # and the semaphore was released, not leaked
        pass
