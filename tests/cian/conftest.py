"""Fixtures for the Cian tests: the saved real pages, small hand-written pages and a local
HTTP server standing in for Cian (tests never reach the internet)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from calculator.cian import fetch
from tests.support.fake_cian import FakeCian

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / ".." / "shared" / "fixtures" / "cian"
PAGES = Path(__file__).resolve().parent / "pages"

NEW_BUILD = "cian_listing_spb_3room_newbuilding_315831388.html"
RESALE = "cian_listing_spb_3room_secondary_319270312.html"
CARD = "cian_search_card_spb_6room_newbuilding_309818461.html"


def fixture_html(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def page_html(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def expected(name: str) -> dict:
    data = json.loads((FIXTURES / "expected_values.json").read_text(encoding="utf-8"))
    return data[name]["expected"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries without waiting; returns the list of pauses the fetcher asked for."""
    pauses: list[float] = []
    monkeypatch.setattr(fetch, "sleep", pauses.append)
    return pauses


@pytest.fixture
def fake_cian(settings, no_backoff) -> Iterator[FakeCian]:
    server = FakeCian()
    settings.CIAN_BASE_URL = server.url
    settings.CIAN_TIMEOUT = 2.0
    try:
        yield server
    finally:
        server.close()
