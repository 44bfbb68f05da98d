"""The engine's own settings and their defaults: the one place both are defined.

A project sets only what differs (README "Engine settings"). Values are read from
`django.conf.settings` on every access, so `override_settings` and pytest-django's `settings`
fixture keep working.
"""

from django.conf import settings

FALLBACK_STORES = {
    "locmem": "sessions_backend.stores.LocMemStore",
    "db": "sessions_backend.stores.DbStore",
}

DEFAULTS: dict[str, object] = {
    # Where sessions go while Redis is unreachable: a FALLBACK_STORES alias or a dotted path to
    # a `sessions_backend.stores.Store` subclass.
    "SESSION_FALLBACK": "locmem",
    # Seconds a worker waits after a Redis error before probing Redis again.
    "SESSION_FALLBACK_RETRY": 5,
    # Size of the per-process LRU of the `locmem` fallback.
    "SESSION_FALLBACK_MAX_ENTRIES": 10000,
    # Dotted path to `summary(session_data: dict) -> dict` shown by the inspector; None: generic.
    "SESSION_INSPECTOR_SUMMARY": None,
    # Worker processes sharing sessions (gunicorn's variable): the sharing check and /health.
    "WEB_CONCURRENCY": 1,
}


class EngineSettings:
    """`engine_settings.SESSION_FALLBACK`: the project's value, else the default above."""

    def __getattr__(self, name: str) -> object:
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a sessions_backend setting")
        return getattr(settings, name, DEFAULTS[name])


engine_settings = EngineSettings()

# Setting names whose change must rebuild the process-wide storage (tests override them).
STORAGE_SETTINGS = frozenset(
    {"CACHES", "SESSION_CACHE_ALIAS", *(name for name in DEFAULTS if "FALLBACK" in name)}
)
