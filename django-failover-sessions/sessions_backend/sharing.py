"""Where sessions live and how many processes must share them.

Sessions kept per process under several workers lose a visitor whose next request lands on
another worker. The system checks and the health report both ask these two questions, so the
answers live in one place.
"""

from django.conf import settings

from .conf import engine_settings

OUR_ENGINE = "sessions_backend.engine"
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def configured_workers() -> int:
    """`SESSION_WORKERS`: the worker processes this deployment runs, which must share sessions."""
    return max(1, int(engine_settings.SESSION_WORKERS or 1))


def redis_alias() -> str | None:
    """The cache alias holding sessions in Redis, or None when sessions have no Redis."""
    alias = settings.SESSION_CACHE_ALIAS
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    return alias if backend.startswith("django_redis.") else None


def process_local_reason() -> str | None:
    """Why sessions are private to each process in this configuration; None if they are shared."""
    engine = settings.SESSION_ENGINE
    if engine == OUR_ENGINE and redis_alias() is None:
        return (
            f"SESSION_CACHE_ALIAS={settings.SESSION_CACHE_ALIAS!r} names no django-redis cache "
            "so sessions are kept in each process's own memory"
        )
    if engine in ("django.contrib.sessions.backends.cache",):
        alias = settings.SESSION_CACHE_ALIAS
        backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
        if backend in PER_PROCESS_CACHES:
            return f"SESSION_ENGINE keeps sessions in the {alias!r} cache, which is {backend}"
    return None
