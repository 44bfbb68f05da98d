"""Shared fixtures: session-store configurations on fakeredis, a real Redis, or none."""

import pytest
import redis

from housler.settings import redis_cache
from sessions_backend.storage import get_storage
from tests.support.redis_server import RedisServer, shared_redis_url, unique_prefix

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def sessions_caches(url: str, prefix: str, **pool_kwargs) -> dict:
    """CACHES with the `sessions` alias on `url` (django-redis, as in production)."""
    alias = redis_cache(url, prefix)
    if pool_kwargs:
        alias["OPTIONS"]["CONNECTION_POOL_KWARGS"] = pool_kwargs
    return {"default": LOCMEM, "sessions": alias}


def fakeredis_caches(prefix: str) -> dict:
    import fakeredis

    return sessions_caches(
        "redis://fakeredis:6379/0", prefix, connection_class=fakeredis.FakeRedisConnection
    )


def delete_prefixed(url: str, prefix: str) -> None:
    """Remove only the keys this test wrote; never FLUSHDB a server we share."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


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
def outage_sessions(settings, persistent_redis):
    """Sessions on a Redis this test may stop, pause and restart; circuit retry of 1 s."""
    settings.SESSION_FALLBACK_RETRY = 1
    settings.CACHES = sessions_caches(persistent_redis.url, "housler")
    storage = get_storage()
    storage.redis_server = persistent_redis
    return storage
