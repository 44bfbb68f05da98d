"""End to end, a hostile link from Cian is never a live `href` on any page.

The wizard runs against the local fake Cian (`cian_server` in tests/conftest.py), whose search
page here carries offers with `javascript:`, `data:` and foreign links.
"""

from __future__ import annotations

import html
import re

import pytest

from calculator.models import ShareSnapshot
from calculator.wizard import SESSION_KEY
from tests.support.cian_page_config import search_offer, serp_state_page
from tests.support.fake_cian import Reply
from tests.support.wizard_cian import NEW_BUILD_URL
from tests.support.wizard_client import (
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

HOSTILE = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/sale/flat/1/",
    "https://evil.example/sale/flat/1/",
]
HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def hrefs(response) -> list[str]:
    return [html.unescape(link).strip() for link in HREF.findall(response.content.decode())]


def assert_no_hostile_link(response) -> None:
    assert response.status_code == 200
    for link in hrefs(response):
        lowered = link.lower()
        assert not lowered.startswith(("javascript:", "data:", "//")), link
        assert "evil.example" not in lowered, link
        assert lowered.startswith(("/", "#", "https://www.cian.ru/", "https://spb.cian.ru/")), link


def hostile_search_page() -> str:
    offers = [
        search_offer(500000001 + i, price, area, fullUrl=HOSTILE[i % len(HOSTILE)])
        for i, (price, area) in enumerate(
            [(70_000_000, 120.0), (66_500_000, 118.5), (79_000_000, 131.0), (62_000_000, 110.2)]
        )
    ]
    offers.append(search_offer(500000009, 74_500_000, 125.0))
    return serp_state_page(offers)


def test_hostile_search_links_are_not_links_on_any_page(client, cian_server):
    cian_server.routes["/cat.php"] = Reply(200, hostile_search_page())
    assert client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL}).status_code == 302
    confirm_details(client)
    assert client.post("/calculator/comparables/", {"action": "find"}).status_code == 302

    step2 = client.get("/calculator/comparables/")
    assert "найдено 5, добавлено 5" in text(step2)
    assert_no_hostile_link(step2)
    listing_links = [link for link in hrefs(step2) if "/sale/flat/5000000" in link]
    assert "https://www.cian.ru/sale/flat/500000001/" in listing_links  # rebuilt from the id
    assert "https://spb.cian.ru/sale/flat/500000009/" in listing_links  # a good link is kept

    assert analyze(client).status_code == 302
    assert_no_hostile_link(client.get("/calculator/analysis/"))
    assert_no_hostile_link(client.get("/calculator/report/"))
    assert client.post("/calculator/share/", {"action": "share"}).status_code == 302
    assert_no_hostile_link(client.get(f"/r/{ShareSnapshot.objects.get().token}/"))


def _poison(value: object, link: str) -> int:
    """Put `link` into every `url` field, as a stored session or snapshot may hold; how many."""
    if isinstance(value, dict):
        found = sum(_poison(item, link) for key, item in value.items() if key != "url")
        if "url" in value:
            value["url"] = link
            found += 1
        return found
    if isinstance(value, list):
        return sum(_poison(item, link) for item in value)
    return 0


@pytest.mark.parametrize("link", HOSTILE)
def test_hostile_links_stored_before_the_fix_are_not_links(client, link):
    manual_wizard_with_comparables(client, count=5)
    analyze(client)
    assert client.post("/calculator/share/", {"action": "share"}).status_code == 302
    session = client.session
    data = session[SESSION_KEY]
    assert _poison(data, link) >= 12  # target and 5 comparables, in the state and the analysis
    session[SESSION_KEY] = data
    session.save()
    snapshot = ShareSnapshot.objects.get()
    assert _poison(snapshot.payload, link) >= 6
    snapshot.save()

    for page in ("/calculator/comparables/", "/calculator/analysis/", "/calculator/report/"):
        assert_no_hostile_link(client.get(page))
    shared = client.get(f"/r/{snapshot.token}/")
    assert_no_hostile_link(shared)
    assert "ул. Савушкина" in text(shared)
    markdown = client.get("/calculator/report.md").content.decode()
    assert link not in markdown and "Объявление:" not in markdown
