"""Admin page "Сессии": access control, listing, search, detail and delete on a real Redis."""

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client

from sessions_backend.engine import SessionStore
from sessions_backend.inspector import session_ref
from tests.support.session_admin import LIST_URL, staff, wizard_session
from tests.support.session_caches import sessions_caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, redis_sessions):
    client.force_login(staff("ops", "view_live_sessions", "delete_live_sessions"))
    return client


def test_staff_with_permission_sees_the_list(operator):
    key = wizard_session("Москва, Тверская ул., 1", comparables=3)
    response = operator.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Москва, Тверская ул., 1" in page
    assert key[:6] in page
    assert key not in page  # never the full key in a list
    assert session_ref(key) in page
    assert "redis" in page


def test_index_shows_the_section(operator):
    page = operator.get("/admin/").content.decode()
    assert LIST_URL in page and "Сессии" in page


def test_anonymous_and_non_staff_are_sent_to_login(client, redis_sessions):
    assert client.get(LIST_URL).status_code == 302
    client.force_login(User.objects.create_user("visitor", password="pw"))
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_permission_is_forbidden(client, redis_sessions):
    key = wizard_session("Казань")
    client.force_login(staff("clerk"))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(f"{LIST_URL}{session_ref(key)}/").status_code == 403
    assert "Сессии" not in client.get("/admin/").content.decode()


def test_viewer_cannot_delete(client, redis_sessions):
    key = wizard_session("Казань")
    client.force_login(staff("viewer", "view_live_sessions"))
    url = f"{LIST_URL}{session_ref(key)}/delete/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert SessionStore(key).exists(key)


def test_search_by_address_substring(operator):
    wizard_session("Санкт-Петербург, Невский пр., 10")
    wizard_session("Москва, Арбат, 5")
    page = operator.get(LIST_URL, {"q": "невский"}).content.decode()
    assert "Невский" in page and "Арбат" not in page


def test_pagination(operator):
    for n in range(55):
        wizard_session(f"Улица {n}")
    first = operator.get(LIST_URL).content.decode()
    second = operator.get(LIST_URL, {"p": 2}).content.decode()
    assert "из 2" in first and "p=2" in first
    assert second.count("<tr>") >= 6


def test_detail_shows_the_decoded_wizard(operator):
    key = wizard_session("Москва, Тверская ул., 1", comparables=2)
    response = operator.get(f"{LIST_URL}{session_ref(key)}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert key not in page and f"{key[:6]}…" in page and session_ref(key) in page
    assert "12000000" in page and "&quot;address&quot;" in page
    assert "_auth_user_hash" not in page or "••••••" in page


def test_detail_by_full_key_or_unknown_ref_is_404(operator):
    key = wizard_session("Москва")
    assert operator.get(f"{LIST_URL}{key}/").status_code == 404
    assert operator.get(f"{LIST_URL}{key[:6]}.0000000000000000/").status_code == 404


def test_delete_with_confirmation(operator, caplog):
    key = wizard_session("Москва, Арбат, 5")
    url = f"{LIST_URL}{session_ref(key)}/delete/"
    confirm = operator.get(url)
    assert confirm.status_code == 200
    assert "csrfmiddlewaretoken" in confirm.content.decode()
    assert SessionStore(key).exists(key)
    with caplog.at_level(logging.INFO, logger="sessions_backend"):
        response = operator.post(url)
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert not SessionStore(key).exists(key)
    assert key not in caplog.text and key[:6] in caplog.text


def test_delete_requires_csrf(redis_sessions):
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(staff("ops2", "view_live_sessions", "delete_live_sessions"))
    key = wizard_session("Москва")
    assert checked.post(f"{LIST_URL}{session_ref(key)}/delete/").status_code == 403
    assert SessionStore(key).exists(key)


def test_during_an_outage_the_list_shows_the_fallback(client, settings, private_redis):
    """An admin who logs in while Redis is down gets a fallback session and sees that store."""
    settings.CACHES = sessions_caches(private_redis.url, "housler")
    private_redis.stop()
    client.force_login(staff("ops3", "view_live_sessions"))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Redis недоступен" in page and "locmem" in page
    assert "память этого процесса" in page


@pytest.fixture
def engine_templates(settings):
    """A project that does not override the inspector's templates: the engine's own render."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]


@pytest.mark.usefixtures("engine_templates")
def test_the_engines_own_pages_show_the_projects_summary(operator):
    key = wizard_session("Пермь, ул. Ленина, 5", comparables=2)
    listing = operator.get(LIST_URL).content.decode()
    assert "Store: <strong>redis</strong>" in listing
    assert "Пермь, ул. Ленина, 5" in listing and session_ref(key) in listing
    detail = operator.get(f"{LIST_URL}{session_ref(key)}/").content.decode()
    assert "Last activity" in detail and "Пермь, ул. Ленина, 5" in detail
    assert key not in listing + detail
    delete = operator.get(f"{LIST_URL}{session_ref(key)}/delete/").content.decode()
    assert "Yes, delete" in delete
