"""A shared report is read-only, grants nothing else and expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calculator.models import ShareSnapshot
from calculator.wizard import SESSION_KEY
from tests.support.wizard_client import analyze, manual_wizard_with_comparables, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(client) -> ShareSnapshot:
    manual_wizard_with_comparables(client, count=5)
    analyze(client)
    assert client.post("/calculator/share/", {"action": "share"}).status_code == 302
    return ShareSnapshot.objects.get()


def test_token_is_long_random_and_not_the_session_key(client, shared):
    assert len(shared.token) >= 32
    assert shared.token != client.session.session_key
    assert shared.expires_at > timezone.now() + timedelta(days=29)


def test_share_page_shows_the_report_without_any_form(client, shared, settings):
    visitor = client_class_without_cookies()
    page = visitor.get(f"/r/{shared.token}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Справедливая цена" in text(page) and "ул. Савушкина" in text(page)
    assert "<form" not in body and "csrfmiddlewaretoken" not in body
    assert settings.SESSION_COOKIE_NAME not in page.cookies  # no session is created


def test_share_page_rejects_posts_and_leaves_the_session_alone(client, shared):
    before = client.session[SESSION_KEY]
    for data in ({"action": "analyze"}, {"action": "exclude", "comparable_id": "c1"}):
        response = client.post(f"/r/{shared.token}/", data)
        assert response.status_code == 405
    assert client.session[SESSION_KEY] == before


def test_snapshot_does_not_follow_later_changes(client, shared):
    client.post("/calculator/reset/", {"action": "reset"})
    page = text(client_class_without_cookies().get(f"/r/{shared.token}/"))
    assert "ул. Савушкина" in page


def test_expired_and_unknown_tokens(client, shared):
    ShareSnapshot.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(f"/r/{shared.token}/")
    assert expired.status_code == 410 and "Ссылка устарела" in text(expired)
    missing = client.get("/r/not-a-real-token/")
    assert missing.status_code == 404 and "Отчёт по этой ссылке недоступен" in text(missing)


def test_share_needs_a_post_with_csrf(client, shared):
    from django.test import Client

    assert client.get("/calculator/share/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    refused = strict.post("/calculator/share/", {"action": "share"})
    assert refused.status_code == 403


def client_class_without_cookies():
    from django.test import Client

    return Client()
