"""Settings for `bench/sessions.py`: Housler's settings with the session engine picked per row.

The benchmark starts one gunicorn per row with
`DJANGO_SETTINGS_MODULE=bench.session_bench.settings` and these
variables, so every row runs the same project, middleware and views and differs only in where
sessions live:

- `BENCH_ROW`: `housler`, `django_cache`, `cached_db`, `db`, `per_process` or `ceiling`.
- `BENCH_IGNORE_EXCEPTIONS=1`: django-redis swallows Redis errors on the Django rows' alias,
  the configuration people reach for to "survive" an outage (outage table only).
- `REDIS_URL`, `DATABASE_URL`, `DJANGO_STATIC_ROOT`, `DJANGO_SECRET_KEY`: as for the project
  (the benchmark migrates and collects static files once, in a temporary directory).
"""

import os

from housler.settings import *  # noqa: F403
from housler.settings import (
    DATABASES,
    MIDDLEWARE,
    REDIS_KEY_PREFIX,
    REDIS_URL,
    env_bool,
    redis_cache,
)

ROOT_URLCONF = "bench.session_bench.urls"
BENCH_ROW = os.environ.get("BENCH_ROW", "housler")

HOUSLER_SESSION_MIDDLEWARE = "sessions_backend.middleware.SessionMiddleware"
DJANGO_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"

ENGINES = {
    "housler": "sessions_backend.engine",
    "django_cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "db": "django.contrib.sessions.backends.db",
    "per_process": "django.contrib.sessions.backends.cache",
    "ceiling": "sessions_backend.engine",  # never used: the row has no session middleware
}
if BENCH_ROW not in ENGINES:
    raise ValueError(f"BENCH_ROW must be one of {sorted(ENGINES)}, not {BENCH_ROW!r}")
SESSION_ENGINE = ENGINES[BENCH_ROW]

if BENCH_ROW in {"django_cache", "cached_db"}:
    # Django's engines on the same Redis, same JSON serializer and timeouts as Housler's alias.
    sessions_alias = redis_cache(REDIS_URL, f"{REDIS_KEY_PREFIX}:django")
    if env_bool("BENCH_IGNORE_EXCEPTIONS", False):
        sessions_alias["OPTIONS"]["IGNORE_EXCEPTIONS"] = True
    CACHES = {
        "default": redis_cache(REDIS_URL, f"{REDIS_KEY_PREFIX}:cache"),
        "sessions": sessions_alias,
    }
elif BENCH_ROW == "per_process":
    # The failure the engine prevents: Django's cache engine on each worker's own memory.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

if BENCH_ROW == "ceiling":
    # No session at all: authentication needs a session, so it goes too.
    MIDDLEWARE = [
        m
        for m in MIDDLEWARE
        if m != HOUSLER_SESSION_MIDDLEWARE
        and m != "django.contrib.auth.middleware.AuthenticationMiddleware"
    ]
elif BENCH_ROW != "housler":
    # Django's rows run Django's own middleware (Housler's only adds the 503 for its engine).
    MIDDLEWARE = [
        DJANGO_SESSION_MIDDLEWARE if m == HOUSLER_SESSION_MIDDLEWARE else m for m in MIDDLEWARE
    ]

# Two workers write the session table at once: WAL and BEGIN IMMEDIATE turn SQLite's
# "database is locked" errors into short waits, so the db rows measure the engine, not 500s.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

LOGGING["root"]["level"] = os.environ.get("DJANGO_LOG_LEVEL", "WARNING")  # noqa: F405
