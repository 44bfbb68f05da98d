"""Every failure path: one Russian sentence, the user's input kept, nothing in the wizard lost."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.support.fake_cian import Reply
from tests.support.wizard_cian import NEW_BUILD_URL, RESALE_URL, search_page
from tests.support.wizard_client import (
    DETAILS,
    MANUAL,
    add_manual_comparable,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    start_manual,
    text,
)

pytestmark = pytest.mark.django_db

CAPTCHA = "<html><body><form id='captcha-form'>Подтвердите, что вы не робот</form></body></html>"


def post_url(client: Client, url: str):
    return client.post("/calculator/", {"action": "url", "url": url})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("просто текст", "Ссылка не распознана. Вставьте ссылку на объявление ЦИАН"),
        ("https://www.cian.ru/rent/flat/1/", "Ссылка не распознана"),
        (
            "https://evil.example.com/sale/flat/123456789/",
            "Загрузка с этого сайта не поддерживается",
        ),
    ],
)
def test_bad_links_are_refused_with_the_link_kept(client, cian_server, url, message):
    response = post_url(client, url)
    assert response.status_code == 200
    assert message in text(response)
    assert f'value="{url}"' in response.content.decode()
    assert 'aria-describedby="id_url_error"' in response.content.decode()
    assert cian_server.requests == []  # refused before any connection


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, "<h1>Нет</h1>", "Объявление не найдено или снято с публикации"),
        (410, "<h1>Нет</h1>", "Объявление не найдено или снято с публикации"),
        (403, CAPTCHA, "ЦИАН не пускает наш сервер, повтор не поможет. Откройте эту страницу"),
        (200, CAPTCHA, "ЦИАН не пускает наш сервер"),
        (200, "<html><body><h1>Что-то другое</h1></body></html>", "введите данные вручную"),
    ],
)
def test_cian_errors_reach_the_user_as_one_sentence(client, cian_server, status, body, message):
    cian_server.routes["/sale/flat/315831388/"] = Reply(status, body)
    response = post_url(client, NEW_BUILD_URL)
    assert response.status_code == 200
    assert message in text(response)
    assert f'value="{NEW_BUILD_URL}"' in response.content.decode()
    assert client.get("/calculator/comparables/")["Location"] == "/calculator/"


def test_cian_timeout(client, cian_server, settings):
    settings.CIAN_TIMEOUT = 0.3
    cian_server.routes["/sale/flat/315831388/"] = Reply(200, "<html></html>", delay=1.0)
    response = post_url(client, NEW_BUILD_URL)
    page = text(response)
    assert "ЦИАН не ответил вовремя. Откройте эту страницу ЦИАН у себя в браузере" in page
    assert "введите данные вручную" in page and "Попробуйте ещё раз" not in page


def test_rate_limit_per_client(client, cian_server, settings):
    settings.HOUSLER_FETCH_LIMIT = 2
    assert post_url(client, NEW_BUILD_URL).status_code == 302
    assert post_url(client, RESALE_URL).status_code == 302
    cache.delete("cian:listing:315831388")  # a listing Housler must fetch from Cian again
    refused = post_url(client, NEW_BUILD_URL)
    assert refused.status_code == 200
    assert "Слишком много загрузок с ЦИАН подряд" in text(refused)
    # Another client (another address) is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert post_url(other, NEW_BUILD_URL).status_code == 302


def test_a_cached_listing_costs_nothing_of_the_limit(client, cian_server, settings):
    settings.HOUSLER_FETCH_LIMIT = 2
    for _ in range(4):
        assert post_url(client, NEW_BUILD_URL).status_code == 302
    assert len(cian_server.requests) == 1
    assert post_url(client, RESALE_URL).status_code == 302
    assert "Слишком много загрузок с ЦИАН подряд" in text(post_url(client, NEW_BUILD_URL))


def test_search_pages_are_charged_and_stop_at_the_limit(client, cian_server, settings):
    client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL})
    confirm_details(client)
    settings.HOUSLER_FETCH_LIMIT = 3  # the listing took one: two pages are left for the search
    response = client.post("/calculator/comparables/", {"action": "find"}, follow=True)
    assert len(cian_server.requests) == 3
    assert "Добавлено аналогов" in text(response)
    refused = client.post("/calculator/comparables/", {"action": "find"})
    assert "Слишком много загрузок с ЦИАН подряд" in text(refused)
    assert len(cian_server.requests) == 3


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(client, cian_server, settings):
    settings.HOUSLER_FETCH_LIMIT = 1
    assert post_url(client, NEW_BUILD_URL).status_code == 302
    spoofed = client.post(
        "/calculator/", {"action": "url", "url": NEW_BUILD_URL}, HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert "Слишком много загрузок" in text(spoofed)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("manual-price", "девять миллионов", "Введите цену, например 9 500 000"),
        ("manual-price", "50 000", "Допустимо значение от 100 000 до 10 000 000 000 ₽"),
        ("manual-total_area", "54,5,5", "Введите число, например 54,5"),
        ("manual-total_area", "5", "Допустимо значение от 10 до 1 000 м²"),
        ("manual-living_area", "60", "Жилая площадь не может быть больше общей"),
        ("manual-kitchen_area", "55", "Площадь кухни не может быть больше общей"),
        ("manual-floor", "13", "Этаж не может быть больше этажности дома"),
        ("manual-address", "abc", "не менее 5"),
        ("manual-build_year", "1700", "Допустимо значение от 1 800"),
    ],
)
def test_manual_form_errors_keep_the_input(client, field, value, message):
    response = client.post("/calculator/", {**MANUAL, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in text(response)
    assert f'value="{value}"' in page
    assert f'aria-describedby="id_{field}_error"' in page
    assert 'value="54,5"' in page or field == "manual-total_area"  # other fields kept too


def test_details_living_area_above_total(client):
    start_manual(client)
    response = client.post(
        "/calculator/",
        {**DETAILS, "details-living_area": "70"},
    )
    assert "Жилая площадь не может быть больше общей" in text(response)
    assert 'value="70"' in response.content.decode()


def test_expired_session_offers_a_restart(client, settings):
    manual_wizard_with_comparables(client, count=1)
    for url in ("/calculator/comparables/", "/calculator/analysis/", "/calculator/report.md"):
        client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32  # a key the store no longer has
        page = text(client.get(url))
        assert "Сессия истекла — данные старше 24 часов удаляются. Начните заново" in page
        assert "Начать заново" in page
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    start = client.get("/calculator/")
    assert "Сессия истекла" in text(start) and "Ввести данные вручную" in text(start)
    assert start_manual(client).status_code == 302  # and the restart works


def test_expired_session_hours_follow_the_setting(client, settings):
    settings.SESSION_COOKIE_AGE = 3600 * 21
    client.cookies[settings.SESSION_COOKIE_NAME] = "y" * 32
    assert "данные старше 21 часа удаляются" in text(client.get("/calculator/comparables/"))


def test_a_first_visit_is_not_called_expired(client):
    assert "Сессия истекла" not in text(client.get("/calculator/"))
    assert client.get("/calculator/analysis/")["Location"] == "/calculator/"


def test_session_store_unreachable_gives_the_503_page(
    client, outage_sessions, persistent_redis, settings
):
    settings.SESSION_FALLBACK_RETRY = 7
    start_manual(client)
    persistent_redis.stop()
    response = client.get("/calculator/comparables/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert "Сервис временно недоступен" in text(response)


def test_oversized_post_is_refused_and_nothing_is_lost(client, settings):
    manual_wizard_with_comparables(client, count=2)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = add_manual_comparable(client, "9 000 000", "50", address="Москва " + "я" * 5000)
    assert response.status_code == 400
    page = text(response)
    assert "Слишком большой запрос" in page and "Ничего из уже введённого не потеряно" in page
    assert 'href="/calculator/comparables/"' in response.content.decode()
    after = text(client.get("/calculator/comparables/"))
    assert "в расчёте 2 из 2" in after and "ул. Савушкина" in after


def test_unknown_action_is_a_bad_request(client):
    start_manual(client)
    response = client.post("/calculator/", {"action": "drop_tables"})
    assert response.status_code == 400
    assert "Запрос не принят" in text(response)


def test_comparable_duplicate_and_other_region(client, cian_server):
    post_url(client, NEW_BUILD_URL)
    confirm_details(client)
    assert (
        client.post(
            "/calculator/comparables/", {"action": "add_url", "url": RESALE_URL}
        ).status_code
        == 302
    )
    again = client.post("/calculator/comparables/", {"action": "add_url", "url": RESALE_URL})
    assert "Это объявление уже есть в списке аналогов" in text(again)
    itself = client.post("/calculator/comparables/", {"action": "add_url", "url": NEW_BUILD_URL})
    assert "уже есть в списке аналогов или оценивается" in text(itself)

    client.post("/calculator/", {**MANUAL, "manual-address": "Москва, Тверская ул., 1"})
    confirm_details(client)
    other = client.post(
        "/calculator/comparables/",
        {"action": "add_url", "url": RESALE_URL.replace("319270312", "315831388")},
    )
    assert "Объявление из другого региона" in text(other)


def test_search_failure_keeps_the_list(client, cian_server):
    manual_wizard_with_comparables(client, count=2)
    cian_server.routes["/cat.php"] = Reply(403, CAPTCHA)
    response = client.post("/calculator/comparables/", {"action": "find"})
    assert "ЦИАН не пускает наш сервер" in text(response)
    assert "в расчёте 2 из 2" in text(response)


def test_slow_search_is_cut_at_the_deadline_and_says_so(client, cian_server, settings):
    settings.HOUSLER_SEARCH_DEADLINE = 1
    cian_server.routes["/cat.php"] = Reply(200, search_page(), delay=0.6)
    client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL})
    confirm_details(client)
    response = client.post("/calculator/comparables/", {"action": "find"}, follow=True)
    page = text(response)
    assert "Поиск остановлен по лимиту времени (1 с)" in page
    assert "найдено 6, добавлено 6" in page


def test_too_few_comparables_need_confirmation(client):
    manual_wizard_with_comparables(client, count=3)
    refused = analyze(client)
    assert refused.status_code == 200
    assert "Мало аналогов для анализа: 3" in text(refused)
    assert 'aria-describedby="id_confirm_few_error"' in refused.content.decode()
    assert analyze(client, confirm_few="on")["Location"] == "/calculator/analysis/"


def test_no_comparables_at_all(client):
    start_manual(client)
    confirm_details(client)
    assert "Недостаточно аналогов для анализа: найдено 0" in text(analyze(client))


def test_comparables_the_method_rejects(client):
    start_manual(client)
    confirm_details(client)
    add_manual_comparable(client, "150 000", "50")  # 3 000 ₽/м²: not a real price
    response = analyze(client, confirm_few="on")
    assert "Недостаточно аналогов для анализа: найдено 0" in text(response)


def test_user_text_is_escaped(client):
    start_manual(client, **{"manual-address": "<script>alert(1)</script> Москва"})
    confirm_details(client)
    for spec in [("9 300 000", "52"), ("9 900 000", "56"), ("8 800 000", "50")]:
        add_manual_comparable(client, *spec, address="<b>Аналог</b> дом")
    analyze(client, confirm_few="on")
    for url in (
        "/calculator/",
        "/calculator/comparables/",
        "/calculator/analysis/",
        "/calculator/report/",
    ):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Москва" in body, url
    markdown = client.get("/calculator/report.md").content.decode()
    assert "<script>" not in markdown and "\\<script\\>" in markdown
