"""The calculator's settings have one home (`calculator.conf`) whose defaults are Housler's own.

A project that sets none of them runs as Housler does with an empty environment, and Housler's
settings module may keep reading the environment without the two drifting apart.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
from django.test import override_settings

from calculator import ratelimit, uploads, wizard
from calculator.conf import DEFAULTS, conf
from calculator.models import ShareSnapshot
from housler import middleware

PROJECT_SETTINGS = Path(__file__).resolve().parents[2] / "housler" / "settings.py"
# Environment variables that feed the calculator's settings in housler/settings.py.
FEEDING = ("HOUSLER_", "CIAN_", "GUNICORN_THREADS", "DATA_UPLOAD_MAX_MEMORY_SIZE")


@pytest.fixture
def project_without_environment(monkeypatch) -> dict:
    """housler/settings.py's values when the environment sets none of the calculator's."""
    for name in list(os.environ):
        if name.startswith(FEEDING):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "conf-test-" + "k" * 50)
    return runpy.run_path(str(PROJECT_SETTINGS))


def test_every_default_is_what_housler_sets_with_an_empty_environment(
    project_without_environment,
):
    project = {
        name: value
        for name, value in project_without_environment.items()
        if name.startswith(("HOUSLER_", "CIAN_"))
    }
    assert set(project) == set(DEFAULTS), "a setting without a default, or a default for nothing"
    for name, default in DEFAULTS.items():
        assert (type(default), default) == (type(project[name]), project[name]), name


def test_a_setting_reads_the_project_value_at_each_access():
    assert conf.HOUSLER_FETCH_LIMIT == 20
    with override_settings(HOUSLER_FETCH_LIMIT=3, CIAN_ALLOWED_HOSTS=["cian.example"]):
        assert conf.HOUSLER_FETCH_LIMIT == 3
        assert conf.CIAN_ALLOWED_HOSTS == ["cian.example"]
    assert conf.HOUSLER_FETCH_LIMIT == 20


def test_an_unknown_name_is_an_error_not_a_silent_none():
    with pytest.raises(AttributeError, match="HOUSLER_FETCH_LIMITS is not a calculator setting"):
        conf.HOUSLER_FETCH_LIMITS  # noqa: B018
    with pytest.raises(AttributeError):
        conf.SECRET_KEY  # noqa: B018


@pytest.mark.django_db
@pytest.mark.usefixtures("fake_sessions")
def test_a_project_without_any_calculator_setting_runs_on_the_defaults(settings, client):
    for name in DEFAULTS:
        delattr(settings, name)
    for name, default in DEFAULTS.items():
        assert getattr(conf, name) == default, name
    assert client.get("/calculator/").status_code == 200
    assert client.get("/").status_code == 200
    assert uploads.file_limit_text() == "8 МБ" and uploads.max_files() == 20
    assert wizard.max_comparables() == 50
    assert (ratelimit.FETCH.limit, ratelimit.FETCH.window) == (20, 600)
    assert middleware.request_size_cap("/calculator/") == 25 * 1024 * 1024
    assert middleware.request_size_cap("/") == 256 * 1024
    assert ShareSnapshot.create_for({"report": "да"}).expires_at is not None
