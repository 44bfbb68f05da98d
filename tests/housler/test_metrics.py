"""`/metrics`: Prometheus text for allow-listed addresses only, series by route and outcome.

In one process (the test client) the default registry is exposed; the multiprocess totals across
gunicorn workers are proven in tests/integration/test_metrics_workers.py.
"""

import os

import pytest
from prometheus_client import REGISTRY

from sessions_backend.engine import SessionStore
from tests.support.gunicorn_conf import load_gunicorn_conf
from tests.support.prometheus_text import series, value

pytestmark = pytest.mark.django_db

DURATION = "housler_http_request_duration_seconds"


def scrape(client) -> str:
    return client.get("/metrics").content.decode()


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
    assert value(text, "housler_up") == 1
    assert value(text, "housler_info", version=settings.VERSION, session_primary="redis") == 1
    assert value(text, "housler_session_operations_total", op="create", result="ok") >= 1
    assert value(text, "housler_session_operations_total", op="load", result="hit") >= 1
    assert value(text, "housler_session_fallback_active") == 0
    assert value(text, "housler_session_circuit_open") == 0
    assert value(text, "housler_session_shared_between_workers") == 1
    assert value(text, "housler_http_requests_total", status="404") >= 1
    assert value(text, "housler_workers_configured") == 2


def test_circuit_and_fallback_after_an_outage(client, ops_sessions, persistent_redis):
    def fallback_creates(text: str) -> float:
        return value(text, "housler_session_operations_total", op="create", result="fallback") or 0

    before = scrape(client)
    persistent_redis.stop()
    session = SessionStore()
    session["x"] = 1
    session.save()
    text = scrape(client)
    assert value(text, "housler_session_circuit_open") == 1
    assert value(text, "housler_session_fallback_active") == 1
    assert value(text, "housler_session_operations_total", op="primary", result="error") >= 1
    assert fallback_creates(text) - fallback_creates(before) == 1


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


def count(text: str, **labels: str) -> float:
    return value(text, DURATION + "_count", **labels) or 0


def test_durations_by_route_name_and_method_never_by_path(client, no_redis):
    before = scrape(client)
    client.get("/calculator/")
    client.get("/calculator/")
    client.get("/no-such-page-zqxjv/")
    client.generic("BREW", "/calculator/")
    after = scrape(client)
    assert (
        count(after, route="calculator:object", method="GET")
        - count(before, route="calculator:object", method="GET")
        == 2
    )
    assert (
        count(after, route="other", method="GET") - count(before, route="other", method="GET") == 1
    )
    assert (
        count(after, route="calculator:object", method="other")
        - count(before, route="calculator:object", method="other")
        == 1
    )
    assert "zqxjv" not in after and "BREW" not in after
    buckets = series(after, DURATION + "_bucket", route="calculator:object", method="GET")
    assert [b.labels["le"] for b in buckets][-3:] == ["30.0", "60.0", "+Inf"]
    assert buckets[-1].value == count(after, route="calculator:object", method="GET")
    assert [b.value for b in buckets] == sorted(b.value for b in buckets)  # cumulative


def test_session_series_grow_with_the_per_process_stats(client, ops_sessions):
    def operations(text: str, result: str) -> float:
        return value(text, "housler_session_operations_total", op="load", result=result) or 0

    text_before, stats_before = scrape(client), ops_sessions.stats()
    session = SessionStore()
    session["x"] = 1
    session.save()
    SessionStore(session.session_key).load()
    SessionStore("x" * 32).load()
    text_after, stats_after = scrape(client), ops_sessions.stats()
    hits = stats_after["hits"] - stats_before["hits"]
    misses = stats_after["misses"] - stats_before["misses"]
    assert hits >= 1 and misses >= 1
    assert operations(text_after, "hit") - operations(text_before, "hit") == hits
    assert operations(text_after, "miss") - operations(text_before, "miss") == misses


def test_a_circuit_change_is_published_without_a_scrape(ops_sessions, persistent_redis):
    assert REGISTRY.get_sample_value("housler_session_circuit_open") == 0
    persistent_redis.stop()
    session = SessionStore()
    session["x"] = 1
    session.save()
    assert REGISTRY.get_sample_value("housler_session_circuit_open") == 1
    assert REGISTRY.get_sample_value("housler_session_fallback_active") == 1
    assert REGISTRY.get_sample_value("housler_session_shared_between_workers") == 0


def test_an_operator_metrics_dir_is_kept_and_only_stale_values_go(tmp_path, monkeypatch):
    given = tmp_path / "prometheus"
    given.mkdir()
    (given / "counter_4711.db").write_bytes(b"stale")
    (given / "notes.txt").write_text("the operator's")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(given))
    conf = load_gunicorn_conf()
    assert conf.prepare_metrics_dir() == given
    assert [path.name for path in given.iterdir()] == ["notes.txt"]
    conf.remove_owned_metrics_dirs()
    assert given.is_dir()


def test_without_an_operator_dir_gunicorn_makes_and_removes_its_own(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    conf = load_gunicorn_conf()
    made = conf.prepare_metrics_dir()
    try:
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(made)
        assert made.is_dir() and list(made.iterdir()) == []
    finally:
        conf.remove_owned_metrics_dirs()
    assert not made.exists()
