"""Every wizard test starts with a clean default cache (`fresh_cache` in tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache) -> None:
    """Listings and rate-limit counters of one test never reach the next."""
