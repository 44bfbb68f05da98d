"""Test settings: the production settings module with a fixed key and no Redis by default.

Tests that need Redis point the `sessions` alias at a server of their own (see conftest.py);
they never touch a Redis they did not start, except REDIS_URL's own DB when given explicitly.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_SECURE_COOKIES"] = "0"
# A REDIS_URL given to `make test` is only used by the tests that need a real server.
if os.environ.get("REDIS_URL"):
    os.environ.setdefault("HOUSLER_TEST_REDIS_URL", os.environ["REDIS_URL"])
for name in ("REDIS_URL", "REDIS_SENTINELS", "REDIS_SENTINEL_MASTER", "WEB_CONCURRENCY"):
    os.environ.pop(name, None)

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from housler.settings import *  # noqa: E402, F403

# Django's own session test-suite, fetched by `make test` from the Django sdist.
DJANGO_SUITE = Path(BASE_DIR) / ".venv" / "django-tests"  # noqa: F405
if (DJANGO_SUITE / "sessions_tests").is_dir():
    sys.path.insert(0, str(DJANGO_SUITE))
    INSTALLED_APPS = [*INSTALLED_APPS, "sessions_tests"]  # noqa: F405

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
