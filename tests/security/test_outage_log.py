"""A Redis outage is not logged once per 503.

Django would log every 503 "retry" at ERROR (151 lines for one 6-second pause): the log would
drown, and a flood of requests would become a flood of lines. A worker logs the first 503 of an
outage, counts the rest, and sums them up in one line when the store is back; `/metrics` still
counts every 503.
"""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from sessions_backend import middleware
from sessions_backend.middleware import OutageRefusals
from tests.support.wizard_client import start_manual

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
REFUSED = 12


@pytest.fixture
def no_session_redis(settings):
    """Sessions without Redis: the storage is never degraded."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def answered_503() -> float:
    return REGISTRY.get_sample_value("housler_http_requests_total", {"status": "503"}) or 0


@pytest.fixture
def refusals(monkeypatch) -> OutageRefusals:
    """This test's own count: another test's outage must not leave one open."""
    fresh = OutageRefusals()
    monkeypatch.setattr(middleware, "refusals", fresh)
    return fresh


def test_a_paused_redis_logs_its_503s_once_with_a_count(
    outage_sessions, persistent_redis, refusals, caplog, circuit_clock
):
    visitor = Client()
    start_manual(visitor)  # a wizard only Redis holds
    before = answered_503()
    with caplog.at_level(logging.INFO):
        persistent_redis.pause()
        try:
            statuses = [visitor.get("/calculator/").status_code for _ in range(REFUSED)]
        finally:
            persistent_redis.resume()
        circuit_clock.advance(1.1)  # SESSION_FALLBACK_RETRY = 1: the next request probes Redis
        assert visitor.get("/calculator/").status_code == 200
    assert statuses == [503] * REFUSED
    assert answered_503() - before == REFUSED
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    about_503 = [r.getMessage() for r in caplog.records if "503" in r.getMessage()]
    assert len(about_503) == 2, about_503
    assert "/calculator/ answered 503" in about_503[0]
    assert about_503[1].startswith(f"{REFUSED} requests answered 503 during the outage")


def test_a_long_outage_is_summed_up_every_minute_and_at_its_end(no_session_redis, caplog):
    now = [0.0]
    refusals = OutageRefusals(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="sessions_backend"):
        for second in range(0, 150, 5):  # a request every 5 s for two and a half minutes
            now[0] = float(second)
            refusals.refused("/calculator/")
        now[0] = 150.0
        refusals.check_recovered()  # the storage is not degraded: the outage is over
        refusals.check_recovered()  # and summed up once
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines
    assert lines[1] == (
        "13 requests answered 503 in the last 60 s; the session store is still unavailable"
    )
    assert lines[2].startswith("12 requests answered 503 in the last 60 s")
    assert lines[3] == "30 requests answered 503 during the outage (150 s)"
