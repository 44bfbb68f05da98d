"""Listing URL validation: what users paste is normalised; anything else never gets fetched."""

from __future__ import annotations

import pytest
import requests

from calculator import cian

HOSTILE = [
    ("https://evil-cian.ru/sale/flat/1/", cian.HostNotAllowed),
    ("https://cian.ru.evil.com/sale/flat/1/", cian.HostNotAllowed),
    ("https://www.cian.ru@evil.com/sale/flat/1/", cian.HostNotAllowed),
    ("https://user:pass@www.cian.ru/sale/flat/1/", cian.HostNotAllowed),
    ("https://evil.com#@www.cian.ru/sale/flat/1/", cian.HostNotAllowed),
    ("https://evil.com\\@www.cian.ru/sale/flat/1/", cian.InvalidURL),
    ("https://www.cian.ru%2e.evil.com/sale/flat/1/", cian.HostNotAllowed),
    ("https://127.0.0.1/sale/flat/1/", cian.HostNotAllowed),
    ("http://[::1]/sale/flat/1/", cian.HostNotAllowed),
    ("http://2130706433/sale/flat/1/", cian.HostNotAllowed),
    ("http://0x7f.1/sale/flat/1/", cian.HostNotAllowed),
    ("https://localhost/sale/flat/1/", cian.HostNotAllowed),
    ("https://www.сian.ru/sale/flat/1/", cian.HostNotAllowed),  # Cyrillic "с"
    ("https://xn--ian-qdd.ru/sale/flat/1/", cian.HostNotAllowed),
    ("https://www.cian.ru:8443/sale/flat/1/", cian.HostNotAllowed),
    ("https://www.cian.ru:99999/sale/flat/1/", cian.InvalidURL),
    ("file:///etc/passwd", cian.InvalidURL),
    ("ftp://www.cian.ru/sale/flat/1/", cian.InvalidURL),
    ("gopher://cian.ru:70/_GET", cian.InvalidURL),
    ("javascript:alert(1)", cian.InvalidURL),
    ("//evil.com/sale/flat/1/", cian.InvalidURL),
    ("https://www.cian.ru/sale/flat/1/\r\nHost: evil.com", cian.InvalidURL),
    ("https://www.cian.ru/rent/flat/1/", cian.InvalidURL),
    ("https://www.cian.ru/sale/flat/../../admin/", cian.InvalidURL),
    ("", cian.InvalidURL),
    ("https://www.cian.ru/sale/flat/" + "1" * 3000 + "/", cian.InvalidURL),
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("a request was sent for a URL that should have been rejected")

    # A guard on the library, not on our code: a URL wrongly let through must fail the test
    # rather than reach the internet, and requests offers no switch for that.
    monkeypatch.setattr(requests.Session, "send", refuse)


@pytest.mark.parametrize(("url", "error"), HOSTILE)
def test_hostile_url_is_rejected_before_any_connection(
    url: str, error: type, fake_cian, no_network
) -> None:
    with pytest.raises(error) as info:
        cian.fetch_listing(url)
    assert info.value.message in (cian.InvalidURL.message, cian.HostNotAllowed.message)
    assert fake_cian.requests == []


def test_the_test_server_itself_is_not_reachable_by_url(fake_cian, no_network) -> None:
    """The base URL is where validated Cian URLs go, never an allowed target of its own."""
    with pytest.raises(cian.HostNotAllowed):
        cian.fetch_listing(f"{fake_cian.url}/sale/flat/1/")
    assert fake_cian.requests == []


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("https://www.cian.ru/sale/flat/123456789/", "https://www.cian.ru/sale/flat/123456789/"),
        ("cian.ru/sale/flat/123/", "https://www.cian.ru/sale/flat/123/"),
        ("http://cian.ru/sale/flat/123", "https://www.cian.ru/sale/flat/123/"),
        (
            "  https://spb.cian.ru/sale/flat/315831388/?utm_source=tg&utm_medium=share#photo ",
            "https://spb.cian.ru/sale/flat/315831388/",
        ),
        ("HTTPS://SPB.CIAN.RU/sale/flat/315831388/", "https://spb.cian.ru/sale/flat/315831388/"),
        ("https://www.cian.ru./sale/flat/7/", "https://www.cian.ru/sale/flat/7/"),
        ("https://www.cian.ru:443/sale/flat/7/", "https://www.cian.ru/sale/flat/7/"),
    ],
)
def test_typed_listing_links_are_normalised(typed: str, normalized: str) -> None:
    assert cian.normalize_listing_url(typed) == normalized


def test_allow_list_comes_from_settings(settings) -> None:
    settings.CIAN_ALLOWED_HOSTS = ["www.cian.ru"]
    assert cian.normalize_listing_url("https://www.cian.ru/sale/flat/1/")
    with pytest.raises(cian.HostNotAllowed):
        cian.normalize_listing_url("https://spb.cian.ru/sale/flat/1/")
