"""CACHES settings that put the `sessions` alias on fakeredis or a real Redis, as in production."""

import fakeredis
import redis

from housler.settings import redis_cache

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def sessions_caches(url: str, prefix: str, **pool_kwargs) -> dict:
    """CACHES with the `sessions` alias on `url` (django-redis, as in production)."""
    alias = redis_cache(url, prefix)
    if pool_kwargs:
        alias["OPTIONS"]["CONNECTION_POOL_KWARGS"] = pool_kwargs
    return {"default": LOCMEM, "sessions": alias}


def fakeredis_caches(prefix: str, **pool_kwargs) -> dict:
    pool_kwargs.setdefault("connection_class", fakeredis.FakeRedisConnection)
    return sessions_caches("redis://fakeredis:6379/0", prefix, **pool_kwargs)


def delete_prefixed(url: str, prefix: str) -> None:
    """Remove only the keys this test wrote; never FLUSHDB a server we share."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)
