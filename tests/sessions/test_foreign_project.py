"""The engine in a Django project that is not Housler (tests/foreign_project/settings.py).

Each run is a separate Python process with `DJANGO_SETTINGS_MODULE` pointing at the foreign
settings, so nothing of Housler's settings can leak in: Django's own session test-suite must pass
on a real redis-server, and without a Redis alias on the fallback alone.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.django_suite import DJANGO_SUITE, suite_present

ROOT = Path(__file__).resolve().parents[2]
FOREIGN_SETTINGS = "tests.foreign_project.settings"
pytestmark = pytest.mark.slow


def run_foreign(*command: str, redis_url: str = "", extra_app: str = "") -> tuple[int, str]:
    """Run `python -m django <command>` in the foreign project; (exit code, all output)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE=FOREIGN_SETTINGS,
        FOREIGN_REDIS_URL=redis_url,
        FOREIGN_EXTRA_APPS=extra_app,
        FOREIGN_DJANGO_SUITE=str(DJANGO_SUITE),
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return result.returncode, result.stdout + result.stderr


def count_ran(output: str) -> int:
    found = re.search(r"^Ran (\d+) tests?", output, re.MULTILINE)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module", autouse=True)
def django_suite_present():
    if not suite_present():
        pytest.fail("Django's session test-suite is missing: run `make test`", pytrace=False)


def test_django_session_suite_passes_on_redis(private_redis):
    code, output = run_foreign("test", "tests.foreign_project.suite", redis_url=private_redis.url)
    assert code == 0, output[-3000:]
    assert count_ran(output) > 50
    stored = [key.decode() for key in private_redis.client().scan_iter(count=500)]
    assert stored and all(key.startswith(":session:") for key in stored)  # on this Redis


def test_django_session_suite_passes_without_redis_on_the_fallback():
    code, output = run_foreign("test", "tests.foreign_project.suite")
    assert code == 0, output[-3000:]
    assert count_ran(output) > 50


def test_system_checks_run_with_none_of_the_engine_settings():
    """With the app installed (admin page, checks, command) and no Redis: a warning, no crash."""
    code, output = run_foreign("check", extra_app="sessions_backend")
    assert code == 0, output
    assert "sessions_backend.W001" in output, "the engine's own check ids, not Housler's"
    assert "housler" not in output.lower()
    assert "Traceback" not in output
