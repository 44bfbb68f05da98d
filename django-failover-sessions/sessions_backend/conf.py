"""The engine's own settings and their defaults: the one place both are defined.

A project sets only what differs (README "Settings"). Values are read from
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
    # Worker processes that must share sessions: the sharing check (E001) and the health report.
    "SESSION_WORKERS": 1,
    # Namespace of the system check ids: `<prefix>.E001`.
    "SESSION_CHECK_PREFIX": "sessions_backend",
    # Start of the Prometheus series' names: `<prefix>_operations_total`, `<prefix>_circuit_open`…
    "SESSION_METRICS_PREFIX": "sessions_backend",
    # The session key the health probe writes (and deletes) in its round trip.
    "SESSION_HEALTH_PROBE_KEY": "_sessions_backend_health_probe",
    # Views `(request, exception) -> HttpResponse` that render the middleware's answers; the
    # middleware sets their status and headers whatever the view returns.
    "SESSION_UNAVAILABLE_VIEW": "sessions_backend.views.session_unavailable",  # 503
    "SESSION_CONFLICT_VIEW": "sessions_backend.views.session_conflict",  # 409
    "SESSION_TOO_LARGE_VIEW": "sessions_backend.views.session_too_large",  # 413
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
