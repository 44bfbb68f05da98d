"""A foreign Django project that uses the engine and nothing else of Housler.

Only what any project has, a django-redis cache alias and the two session settings: none of the
engine's own settings (README "Using the engine in another Django project"). It imports nothing
from this repository, so a test may also copy it beside an engine installed from its wheel. The
test starts a redis-server and passes its URL in FOREIGN_REDIS_URL (without it the project has no
Redis alias), and the folder holding Django's `sessions_tests` in FOREIGN_DJANGO_SUITE.
"""

import os
import sys

SECRET_KEY = "foreign-project-tests-only-" + "q7" * 25
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    *os.environ.get("FOREIGN_EXTRA_APPS", "").split(",")[:1],
]
INSTALLED_APPS = [app for app in INSTALLED_APPS if app]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("FOREIGN_REDIS_URL"):
    CACHES["sessions"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["FOREIGN_REDIS_URL"],
    }

SESSION_ENGINE = "sessions_backend.engine"
SESSION_CACHE_ALIAS = "sessions"

# Test harness only: Django's own session test-suite (from the Django sdist) is an app.
if os.environ.get("FOREIGN_DJANGO_SUITE"):
    sys.path.insert(0, os.environ["FOREIGN_DJANGO_SUITE"])
    INSTALLED_APPS.append("sessions_tests")
