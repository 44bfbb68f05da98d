"""Fixtures for the Cian tests: the saved real pages, small hand-written pages and a local
HTTP server standing in for Cian (tests never reach the internet)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from calculator.cian import fetch
from tests.support.fake_cian import FakeCian


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries without waiting; returns the list of pauses the fetcher asked for."""
    pauses: list[float] = []
    # No setting or argument carries the backoff: `fetch.sleep` is the one place it can be seen.
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
