"""The wizard under abuse: bounded growth, graceful degradation and method/size hygiene.

Each test meets a limit as a user (or an abuser) would meet it.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from calculator import comparable_list, ratelimit
from calculator.forms import clean_text
from calculator.models import ShareSnapshot
from housler.settings import redis_cache
from tests.support.redis_server import unique_prefix
from tests.support.wizard_cian import NEW_BUILD_URL
from tests.support.wizard_client import (
    VISITOR_PAGES,
    add_manual_comparable,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    start_manual,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def comparable_count(client: Client) -> int:
    return len(client.session["housler.wizard"]["comparables"])


# --- row 2: caps on comparables and shares ---------------------------------------------------


def test_comparables_stop_at_the_cap_with_a_russian_message(client, settings):
    assert settings.HOUSLER_MAX_COMPARABLES == 50
    settings.HOUSLER_MAX_COMPARABLES = 3
    manual_wizard_with_comparables(client, count=3)
    refused = add_manual_comparable(client, "9 000 000", "50")
    assert refused.status_code == 200
    assert "В расчёте уже 3 аналогов — это предел" in text(refused)
    assert comparable_count(client) == 3


def test_automatic_search_fills_only_up_to_the_cap(client, cian_server, settings):
    settings.HOUSLER_MAX_COMPARABLES = 4
    client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL})
    confirm_details(client)
    page = text(client.post("/calculator/comparables/", {"action": "find"}, follow=True))
    assert comparable_count(client) == 4
    assert "это предел" in page
    requests_before = len(cian_server.requests)
    again = client.post("/calculator/comparables/", {"action": "find"})
    assert "это предел" in text(again)
    assert len(cian_server.requests) == requests_before, "a full list must not cost a Cian fetch"


def test_duplicate_warning_compares_each_listing_with_its_neighbours_only(monkeypatch):
    calls = []
    real = comparable_list._address_key
    monkeypatch.setattr(comparable_list, "_address_key", lambda a: calls.append(a) or real(a))
    items = [
        {"id": f"c{i}", "price": 10_000_000, "total_area": 30 + 2 * i, "address": "Москва, 1"}
        for i in range(300)
    ]
    items.append({**items[10], "id": "c999", "price": 10_100_000})
    pairs = comparable_list.possible_duplicates(items)
    assert [(a["id"], b["id"]) for a, b in pairs] == [("c10", "c999")]
    assert len(calls) <= len(items), "pairwise address comparison is quadratic"


@pytest.fixture
def analysed(client):
    manual_wizard_with_comparables(client, count=5)
    analyze(client)
    return client


def share(client: Client):
    return client.post("/calculator/share/", {"action": "share"}, follow=True)


def test_a_report_too_large_for_a_link_is_refused(analysed, settings):
    settings.HOUSLER_MAX_SHARE_BYTES = 2048
    page = text(share(analysed))
    assert "Отчёт слишком большой для ссылки" in page and "предел 2 КБ" in page
    assert not ShareSnapshot.objects.exists()


def test_shares_are_rate_limited_per_client(analysed, settings):
    settings.HOUSLER_SHARE_LIMIT = 2
    share(analysed)
    share(analysed)
    page = text(share(analysed))
    assert "Слишком много ссылок на отчёты подряд" in page
    assert ShareSnapshot.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.2")
    manual_wizard_with_comparables(other, count=5)
    analyze(other)
    share(other)
    assert ShareSnapshot.objects.count() == 3


def test_purge_shares_deletes_only_expired_links():
    past, future = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    ShareSnapshot.objects.create(payload={}, expires_at=past)
    live = ShareSnapshot.objects.create(payload={}, expires_at=future)
    out = StringIO()
    call_command("purge_shares", stdout=out)
    assert "1 expired share links deleted" in out.getvalue()
    assert list(ShareSnapshot.objects.all()) == [live]


# --- row 14: revoking a link; no caching of share pages --------------------------------------


def test_the_owner_closes_a_link_and_it_stops_working(analysed):
    share(analysed)
    token = ShareSnapshot.objects.get().token
    visitor = Client()
    shown = visitor.get(f"/r/{token}/")
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"] and "private" in shown["Cache-Control"]
    assert "Закрыть доступ по ссылке" in text(analysed.get("/calculator/analysis/"))
    closed = analysed.post("/calculator/share/", {"action": "revoke"}, follow=True)
    assert "Доступ по ссылке закрыт" in text(closed)
    gone = visitor.get(f"/r/{token}/")
    assert gone.status_code == 404 and "закрыл доступ по ссылке" in text(gone)
    assert "Поделиться ссылкой" in text(closed)


@pytest.mark.parametrize(("close", "status"), [(True, 404), (False, 200)])
def test_start_over_says_what_happens_to_shared_links(analysed, close, status):
    share(analysed)
    token = ShareSnapshot.objects.get().token
    confirm = text(analysed.get("/calculator/reset/"))
    assert "продолжат работать" in confirm and "Закрыть доступ по ссылкам на отчёт" in confirm
    data = {"action": "reset", **({"close_links": "1"} if close else {})}
    analysed.post("/calculator/reset/", data)
    assert Client().get(f"/r/{token}/").status_code == status


# --- row 3: the default cache (rate limiter) down or hung ------------------------------------


@pytest.fixture(params=["stopped", "hung"])
def broken_default_cache(request, settings, private_redis):
    """The default cache on a Redis of this test's own, stopped or paused (SIGSTOP)."""
    original = settings.CACHES
    settings.CACHES = {**original, "default": redis_cache(private_redis.url, unique_prefix())}
    ratelimit._local_counters.clear()
    if request.param == "stopped":
        private_redis.stop()
    else:
        private_redis.pause()
    yield
    settings.CACHES = original
    if request.param == "hung":
        private_redis.resume()


def test_loading_a_listing_works_while_redis_is_down(
    client,
    cian_server,
    broken_default_cache,
):
    response = client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL})
    assert response.status_code == 302
    confirm_details(client)
    found = client.post("/calculator/comparables/", {"action": "find"}, follow=True)
    assert found.status_code == 200 and "Добавлено аналогов: 6" in text(found)


def test_the_limit_still_holds_per_worker_while_redis_is_down(
    client,
    cian_server,
    broken_default_cache,
    settings,
):
    settings.HOUSLER_FETCH_LIMIT = 1
    client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL})
    refused = client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL})
    assert refused.status_code == 200 and "Слишком много загрузок с ЦИАН" in text(refused)


# --- row 12: HEAD and 405 --------------------------------------------------------------------


@pytest.mark.parametrize("url", VISITOR_PAGES)
def test_head_is_answered_wherever_get_is(analysed, url):
    assert analysed.get(url).status_code == analysed.head(url).status_code == 200


def test_head_on_a_share_page(analysed):
    share(analysed)
    assert Client().head(f"/r/{ShareSnapshot.objects.get().token}/").status_code == 200


def test_get_on_a_post_only_address_is_a_russian_405(client):
    response = client.get("/calculator/share/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Так открыть страницу нельзя" in text(response)


# --- row 13: step preconditions on POST analysis ---------------------------------------------


def test_analysis_post_after_the_flat_was_reentered_goes_back_to_the_details(analysed):
    start_manual(analysed)  # a new flat: the details step is open again
    response = analysed.post("/calculator/analysis/", {"action": "analyze"}, follow=True)
    assert response.redirect_chain[-1][0] == "/calculator/"
    assert "Сначала уточните параметры квартиры" in text(response)


# --- row 15: request body caps bind file parts -----------------------------------------------


def post_with_file(client: Client, size: int):
    """A small form post (exclude c1) carrying a file part of `size` bytes."""
    upload = StringIO("x" * size)
    upload.name = "page.html"
    data = {"action": "exclude", "comparable_id": "c1", "page": upload}
    return client.post("/calculator/comparables/", data)


def test_a_file_part_cannot_bypass_the_body_cap(client, settings):
    settings.HOUSLER_UPLOAD_PATHS = ["/calculator/"]  # step 1 only: exact, not a prefix
    manual_wizard_with_comparables(client, count=2)
    response = post_with_file(client, 3 * 1024 * 1024)
    assert response.status_code == 413
    assert "Слишком большой запрос" in text(response)
    assert comparable_count(client) == 2


def test_upload_paths_get_the_larger_cap(client, settings):
    settings.HOUSLER_UPLOAD_PATHS = ["/calculator/comparables/"]
    settings.HOUSLER_MAX_UPLOAD_BYTES = 4 * 1024 * 1024
    manual_wizard_with_comparables(client, count=2)
    response = post_with_file(client, 3 * 1024 * 1024)
    assert response.status_code == 302


# --- row 17: invisible characters --------------------------------------------------------------


@pytest.mark.parametrize("invisible", ["\ufeff", "\u200b", "\u2060", "\u200e", "\u00ad"])
def test_invisible_format_characters_are_stripped_from_addresses(client, invisible):
    assert clean_text(f"{invisible}Москва, ул. Ле{invisible}нина, 1") == "Москва, ул. Ленина, 1"
    address = f"\ufeffСанкт-Петербург, ул. Савушкина, 1{invisible}"
    start_manual(client, **{"manual-address": address})
    assert client.session["housler.wizard"]["target"]["address"] == (
        "Санкт-Петербург, ул. Савушкина, 1"
    )
