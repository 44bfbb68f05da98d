"""Test settings: the production settings module with a fixed key and no Redis by default.

Tests that need Redis point the `sessions` alias at a server of their own (see conftest.py);
they never touch a Redis they did not start, except REDIS_URL's own DB when given explicitly.

The database is SQLite in memory unless HOUSLER_TEST_DATABASE_URL names a server (`.ci/run` sets
it when PostgreSQL answers on 127.0.0.1): the test database then gets this run's own name, so
concurrent runs on one server never meet, and pytest-django drops it at the end.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_SECURE_COOKIES"] = "0"
# A REDIS_URL given to `make test` is only used by the tests that need a real server; a
# DATABASE_URL's server holds the test database (under a name of its own, below).
if os.environ.get("REDIS_URL"):
    os.environ.setdefault("HOUSLER_TEST_REDIS_URL", os.environ["REDIS_URL"])
if os.environ.get("DATABASE_URL"):
    os.environ.setdefault("HOUSLER_TEST_DATABASE_URL", os.environ["DATABASE_URL"])
for name in (
    "REDIS_URL",
    "REDIS_SENTINELS",
    "REDIS_SENTINEL_MASTER",
    "WEB_CONCURRENCY",
    "DATABASE_URL",
):
    os.environ.pop(name, None)

import sys  # noqa: E402

import dj_database_url  # noqa: E402

from housler.settings import *  # noqa: E402, F403
from tests.support.django_suite import DJANGO_SUITE, suite_present  # noqa: E402

# Django's own session test-suite, fetched by `make test` from the Django sdist.
if suite_present():
    sys.path.insert(0, str(DJANGO_SUITE))
    INSTALLED_APPS = [*INSTALLED_APPS, "sessions_tests"]  # noqa: F405

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

TEST_DATABASE_URL = os.environ.get("HOUSLER_TEST_DATABASE_URL", "").strip()
if TEST_DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL)}
    DATABASES["default"]["TEST"] = {"NAME": f"test_housler_{os.getpid()}"}
