"""`/metrics`: Prometheus text for allow-listed addresses only."""

import re

import pytest

from sessions_backend.engine import SessionStore

pytestmark = pytest.mark.django_db


def metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


def test_exposition_from_loopback(client, ops_sessions, settings):
    session = SessionStore()
    session["x"] = 1
    session.save()
    SessionStore(session.session_key).load()
    client.get("/no-such-page/")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert metric(text, "housler_up") == 1
    assert metric(text, "housler_info", version=settings.VERSION, session_primary="redis") == 1
    assert metric(text, "housler_session_operations_total", op="create", result="ok") >= 1
    assert metric(text, "housler_session_operations_total", op="load", result="hit") >= 1
    assert metric(text, "housler_session_fallback_active") == 0
    assert metric(text, "housler_session_circuit_open") == 0
    assert metric(text, "housler_session_shared_between_workers") == 1
    assert metric(text, "housler_http_requests_total", status="404") >= 1
    assert metric(text, "housler_workers_configured") == 2


def test_circuit_and_fallback_after_an_outage(client, ops_sessions, persistent_redis):
    persistent_redis.stop()
    session = SessionStore()
    session["x"] = 1
    session.save()
    text = client.get("/metrics").content.decode()
    assert metric(text, "housler_session_circuit_open") == 1
    assert metric(text, "housler_session_fallback_active") == 1
    assert metric(text, "housler_session_operations_total", op="primary", result="error") >= 1
    assert metric(text, "housler_session_operations_total", op="create", result="fallback") == 1


@pytest.mark.parametrize(
    ("remote", "forwarded", "allowed"),
    [
        ("127.0.0.1", None, True),
        ("192.168.5.6", None, True),
        ("203.0.113.9", None, False),
        ("127.0.0.1", "203.0.113.9", False),  # behind a proxy we do not trust: unknown client
        ("10.0.0.1", "127.0.0.1", True),  # trusted proxy vouches for an allow-listed client
        ("10.0.0.1", "203.0.113.9", False),
        ("10.0.0.1", "127.0.0.1, 203.0.113.9", False),  # the client cannot prepend itself
    ],
)
def test_allow_list(client, no_redis, settings, remote, forwarded, allowed):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", "192.168.0.0/16"]
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.get("/metrics", **extra)
    assert response.status_code == (200 if allowed else 404)
