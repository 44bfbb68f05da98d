"""Fixtures for the project's operations tests: sessions on a Redis of the test's own, with
chosen settings."""

import pytest

from sessions_backend.failover import get_storage
from tests.support.redis_server import RedisServer, unique_prefix
from tests.support.session_caches import sessions_caches


@pytest.fixture
def persistent_redis():
    """A private Redis configured as deploy/redis.conf asks: AOF on, noeviction."""
    server = RedisServer("--appendonly", "yes", "--maxmemory-policy", "noeviction").start()
    yield server
    server.cleanup()


@pytest.fixture
def ops_sessions(settings, persistent_redis, circuit_clock):
    """Production-like sessions on `persistent_redis` (which the test stops through its own
    argument): Redis with persistence, two workers, a 1 s circuit retry on `circuit_clock`."""
    settings.SESSION_FALLBACK_RETRY = 1
    settings.WEB_CONCURRENCY = settings.SESSION_WORKERS = 2
    settings.REDIS_URL = persistent_redis.url
    settings.CACHES = sessions_caches(persistent_redis.url, unique_prefix())
    return get_storage()
