"""Housler's own system checks: E003 (a deployment with DEBUG or a weak secret key), and what
`manage.py check --deploy` reports as an operator runs it. The engine's session checks are in
tests/sessions/test_checks.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from housler.checks import check_production_safety

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3Y-" + "a1B2c3D4e5" * 6


@pytest.mark.parametrize(
    ("debug", "key"),
    [
        (True, STRONG_KEY),
        (False, ""),
        (False, "django-insecure-" + "x1y2z3" * 10),
        (False, "short-but-random-9f8e7d"),
        (False, "a" * 60),
    ],
)
def test_e003_fires(settings, debug, key):
    settings.DEBUG, settings.SECRET_KEY = debug, key
    messages = check_production_safety()
    assert {m.id for m in messages} == {"housler.E003"}
    assert "DJANGO_SECRET_KEY" in messages[0].hint


def test_e003_silent_for_a_real_deployment(settings):
    settings.DEBUG, settings.SECRET_KEY = False, STRONG_KEY
    assert check_production_safety() == []


def test_deploy_checks_only_with_deploy(no_redis, settings):
    settings.DEBUG = True
    call_command("check", "--fail-level", "ERROR")
    with pytest.raises(SystemCheckError, match=r"housler\.E003"):
        call_command("check", "--deploy")


@pytest.mark.external
def test_manage_check_deploy_names_e001():
    """The "done when" line, as an operator would run it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG")
    }
    env.update(WEB_CONCURRENCY="4", DJANGO_SECRET_KEY=STRONG_KEY)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "housler.E001" in result.stderr
    assert "housler.E003" not in result.stderr
