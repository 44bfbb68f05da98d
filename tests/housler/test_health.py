"""`/health` against a real Redis that the test starts, stops and freezes."""

import threading
import time

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError

from housler.health import UNHEALTHY, HealthCheck, health_report

pytestmark = pytest.mark.django_db(transaction=True)


def get_health(client):
    started = time.perf_counter()
    response = client.get("/health")
    return response, response.json(), time.perf_counter() - started


def test_healthy_on_shared_redis(client, ops_sessions, settings):
    response, body, _ = get_health(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert body["status"] == "healthy", body["reasons"]
    assert body["version"] == settings.VERSION
    assert body["timestamp"].endswith("+00:00")
    redis = body["components"]["redis_cache"]
    assert redis["available"] is True
    assert redis["maxmemory_policy"] == "noeviction"
    assert redis["persistence"]["aof"] is True
    assert redis["latency_ms"] < 100
    storage = body["components"]["session_storage"]
    assert storage["backend"] == "redis"
    assert storage["fallback_active"] is False
    assert storage["shared_between_workers"] is True
    assert storage["workers"] == 2
    assert storage["round_trip_ms"] > 0
    assert storage["type"] == "sessions_backend.engine"
    assert body["components"]["database"]["available"] is True
    assert "sessionid" not in response.cookies and "housler_session" not in response.cookies


def test_probe_leaves_no_session_behind(client, ops_sessions):
    get_health(client)
    assert list(ops_sessions.primary.keys()) == []


def test_degraded_while_redis_is_down_and_healthy_once_back(
    client, ops_sessions, persistent_redis, circuit_clock
):
    persistent_redis.stop()
    response, body, _ = get_health(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    redis = body["components"]["redis_cache"]
    assert redis["status"] == "unhealthy" and redis["available"] is False
    storage = body["components"]["session_storage"]
    assert storage["status"] == "degraded"
    assert storage["fallback_active"] is True
    assert storage["backend"] == "locmem"
    assert storage["shared_between_workers"] is False
    assert any("Redis is failing" in reason for reason in storage["reasons"])
    assert any("SESSION_WORKERS=2" in reason for reason in storage["reasons"])
    get_health(client)
    assert list(ops_sessions.fallback.keys()) == []  # no probe sessions, no tombstones

    persistent_redis.start()
    circuit_clock.advance(1.1)  # SESSION_FALLBACK_RETRY = 1
    response, body, _ = get_health(client)
    assert body["status"] == "healthy", body["reasons"]
    assert body["components"]["session_storage"]["fallback_active"] is False


def test_hung_redis_answers_within_two_seconds(client, ops_sessions, persistent_redis):
    get_health(client)
    persistent_redis.pause()
    try:
        response, body, seconds = get_health(client)
        _, body_again, seconds_again = get_health(client)
    finally:
        persistent_redis.resume()
    assert seconds < 2 and seconds_again < 2
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert "Timeout" in body["components"]["redis_cache"]["error"]
    assert body["components"]["session_storage"]["fallback_active"] is True
    assert body_again["status"] == "degraded"


def test_unhealthy_when_redis_and_the_database_fallback_are_both_down(
    client, ops_sessions, settings, monkeypatch, persistent_redis
):
    settings.SESSION_FALLBACK = "db"
    persistent_redis.stop()

    def database_down(self):
        raise OperationalError("connection refused")

    # Django keeps the test database's connection open and has no setting to take it down
    # mid-test; every backend connects through this one method.
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", database_down)
    response, body, seconds = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "unhealthy"
    assert body["components"]["session_storage"]["status"] == "unhealthy"
    assert body["components"]["database"]["status"] == "unhealthy"
    assert seconds < 2


def test_degraded_without_redis_under_several_workers(client, no_redis, settings):
    settings.SESSION_WORKERS = 4
    response, body, _ = get_health(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    storage = body["components"]["session_storage"]
    assert storage["shared_between_workers"] is False
    assert any("SESSION_WORKERS=4" in reason for reason in body["reasons"])
    assert body["components"]["redis_cache"]["status"] == "disabled"


def test_healthy_without_redis_on_one_worker(client, no_redis, settings):
    settings.SESSION_WORKERS = 1
    _, body, _ = get_health(client)
    assert body["status"] == "healthy"
    assert body["components"]["session_storage"]["backend"] == "locmem"
    assert body["components"]["session_storage"]["notes"]


def test_a_hanging_probe_is_cut_off(no_redis):
    released = threading.Event()

    class Stuck(HealthCheck):
        name = "stuck"
        timeout = 0.2

        def run(self) -> dict:
            released.wait(10)  # hangs until the test has its report
            return {"status": "healthy"}

    started = time.perf_counter()
    try:
        report = health_report((Stuck(),))
    finally:
        released.set()
    assert time.perf_counter() - started < 0.5
    assert report["status"] == UNHEALTHY
    assert report["components"]["stuck"]["error"] == "timeout"


def test_not_rate_limited_and_read_only(client, no_redis):
    assert all(client.get("/health").status_code == 200 for _ in range(30))
    assert client.post("/health").status_code == 405
