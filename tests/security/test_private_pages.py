"""No page with a visitor's data may be kept by a cache.

Without `Cache-Control`, a shared proxy or the browser's disk cache could keep the address and
prices of wizard pages, the reset page and report downloads. Every response Django makes says
`no-store, private` unless its view chose otherwise (share pages, `/health`).
"""

from __future__ import annotations

import pytest
from django.test import Client

from calculator.models import ShareSnapshot
from tests.support.wizard_client import (
    VISITOR_PAGES,
    analyze,
    manual_wizard_with_comparables,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ADDRESS = "ул. Савушкина, 10"  # tests/support/wizard_client.py: MANUAL


@pytest.fixture
def analysed(client: Client) -> Client:
    manual_wizard_with_comparables(client, count=5)
    analyze(client)
    return client


def uncacheable(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_pages_with_a_visitors_data_are_never_stored(analysed, path):
    response = analysed.get(path)
    assert response.status_code == 200
    shown = text(response) if path != "/calculator/report.md" else response.content.decode()
    assert ADDRESS in shown or path == "/calculator/reset/"
    assert uncacheable(response), response.get("Cache-Control")


def test_answers_to_the_wizards_forms_are_never_stored(analysed):
    posted = analysed.post("/calculator/comparables/", {"action": "analyze"})
    reset = analysed.post("/calculator/reset/", {})
    for response in (posted, reset):
        assert response.status_code == 302
        assert uncacheable(response), response.get("Cache-Control")


def test_share_pages_and_health_keep_their_own_no_store(analysed):
    analysed.post("/calculator/share/", {"action": "share"})
    shared = Client().get(f"/r/{ShareSnapshot.objects.get().token}/")
    assert ADDRESS in text(shared) and uncacheable(shared)
    assert shared["Cache-Control"].startswith("max-age=0")  # never_cache's header, not replaced
    assert Client().get("/health")["Cache-Control"] == "no-store"


def test_the_landing_and_error_pages_are_private_too(client):
    for path, status in (("/", 200), ("/no-such-page/", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert uncacheable(response), (path, response.get("Cache-Control"))
