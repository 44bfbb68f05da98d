"""Shared fixtures: session-store configurations on fakeredis, a real Redis, or none; Cian served
locally from the saved pages and a clean default cache for the wizard tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from sessions_backend import failover
from sessions_backend.failover import get_storage
from tests.support.clock import FastForwardClock
from tests.support.fake_cian import FakeCian
from tests.support.redis_server import RedisServer, shared_redis_url, unique_prefix
from tests.support.session_caches import delete_prefixed, fakeredis_caches, sessions_caches
from tests.support.wizard_cian import wizard_cian

# Fixtures that start a process of their own (redis-server, gunicorn): a test using one, or run
# with a fixture's "redis" parameter (a real redis-server beside fakeredis), is marked `external`
# and left out of `make test-fast`, which runs what needs nothing but this process.
EXTERNAL_FIXTURES = frozenset(
    {
        "private_redis",
        "persistent_redis",
        "redis_sessions",
        "outage_sessions",
        "ops_sessions",
        "sessions_redis",
        "gunicorn",
    }
)


# Folders that are layers across the packages rather than a package's unit tests: every test in
# one carries the folder's marker (`pytest -m security` runs that layer alone).
LAYERS = ("security", "integration")
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {}).values()
        if EXTERNAL_FIXTURES & set(item.fixturenames) or any(p == "redis" for p in params):
            item.add_marker(pytest.mark.external)
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in LAYERS:
            item.add_marker(folder)


def pytest_report_header(config) -> str:
    """Which database the DB-backed tests ran on: both must pass, so the run says which."""
    database = django_settings.DATABASES["default"]
    if "postgresql" in database["ENGINE"]:
        where = f"{database.get('HOST') or 'local socket'}:{database.get('PORT') or 5432}"
        return f"database: PostgreSQL at {where}, test database {database['TEST']['NAME']}"
    return "database: SQLite in memory (set HOUSLER_TEST_DATABASE_URL for PostgreSQL)"


@pytest.fixture
def fake_sessions(settings):
    settings.CACHES = fakeredis_caches(unique_prefix())
    yield get_storage()


@pytest.fixture
def redis_sessions(settings):
    url, prefix = shared_redis_url(), unique_prefix()
    settings.CACHES = sessions_caches(url, prefix)
    yield get_storage()
    delete_prefixed(url, prefix)


@pytest.fixture
def no_redis(settings):
    """Sessions in local memory only, as with REDIS_URL unset."""
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return get_storage()


@pytest.fixture(params=["fakeredis", "redis"])
def any_redis_sessions(request, settings):
    """The same test on fakeredis and on a real redis-server."""
    name = "fake_sessions" if request.param == "fakeredis" else "redis_sessions"
    return request.getfixturevalue(name)


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, free to stop, pause and restart."""
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def persistent_redis():
    """A private redis-server with AOF (as deploy/redis.conf): restarts keep its sessions."""
    server = RedisServer("--appendonly", "yes", "--appendfsync", "always", "--save", "").start()
    yield server
    server.cleanup()


@pytest.fixture
def circuit_clock(monkeypatch) -> FastForwardClock:
    """The clock of every session storage this test builds: `circuit_clock.advance(1.1)` moves
    past a 1 s retry window without waiting for it."""
    clock = FastForwardClock()
    monkeypatch.setattr(failover, "circuit_clock", clock)
    failover.reset_storage()
    yield clock
    failover.reset_storage()


@pytest.fixture
def outage_sessions(settings, persistent_redis, circuit_clock):
    """Sessions on `persistent_redis` (the test stops, pauses and restarts that server through
    its own `persistent_redis` argument); circuit retry of 1 s on `circuit_clock`."""
    settings.SESSION_FALLBACK_RETRY = 1
    settings.CACHES = sessions_caches(persistent_redis.url, "housler")
    return get_storage()


@pytest.fixture
def cian_server(settings) -> Iterator[FakeCian]:
    """Cian as the wizard sees it: the two saved listings and a results page of six cards."""
    fake = wizard_cian()
    settings.CIAN_BASE_URL = fake.url
    settings.CIAN_TIMEOUT = 2.0
    yield fake
    fake.close()


@pytest.fixture
def fresh_cache(settings) -> Iterator[None]:
    """Listings and rate-limit counters live in the default cache: start the test clean, with a
    fetch limit no test of a whole wizard reaches by accident."""
    settings.HOUSLER_FETCH_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()
