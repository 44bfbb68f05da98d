"""The engine's session checks (E001, E002, W001-W003, named `housler.*` by Housler's settings),
firing and not firing, against real Redis servers and the shipped deploy/redis.conf."""

import subprocess
import time
from pathlib import Path

import pytest
import redis

from sessions_backend.checks import (
    check_redis_keeps_sessions,
    check_redis_reachable,
    check_session_sharing,
)
from tests.support.redis_server import free_port, unique_prefix
from tests.support.session_caches import sessions_caches

ROOT = Path(__file__).resolve().parents[2]


def ids(messages) -> set[str]:
    return {message.id for message in messages}


@pytest.fixture
def redis_at(settings):
    def point(url: str) -> None:
        settings.REDIS_URL = url
        settings.CACHES = sessions_caches(url, unique_prefix())

    return point


def test_e001_process_local_sessions_with_several_workers(no_redis, settings):
    settings.SESSION_WORKERS = 4
    messages = check_session_sharing()
    assert "housler.E001" in ids(messages)
    error = next(m for m in messages if m.id == "housler.E001")
    assert "SESSION_WORKERS=4" in error.msg and "REDIS_URL" in error.hint


def test_e001_silent_for_one_worker_or_shared_sessions(no_redis, settings, redis_at):
    settings.SESSION_WORKERS = 1
    assert "housler.E001" not in ids(check_session_sharing())
    settings.SESSION_WORKERS = 4
    redis_at("redis://127.0.0.1:1/0")
    assert "housler.E001" not in ids(check_session_sharing())


def test_e001_django_cache_engine_on_local_memory(no_redis, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.SESSION_CACHE_ALIAS = "default"
    settings.SESSION_WORKERS = 3
    assert "housler.E001" in ids(check_session_sharing())


def test_w001_without_redis_url(no_redis, redis_at):
    messages = check_session_sharing()
    assert "housler.W001" in ids(messages)
    assert all(m.hint for m in messages)
    redis_at("redis://127.0.0.1:1/0")
    assert "housler.W001" not in ids(check_session_sharing())


def test_e002_unreachable_redis(private_redis, redis_at):
    redis_at(private_redis.url)
    assert check_redis_reachable() == []
    private_redis.stop()
    messages = check_redis_reachable()
    assert ids(messages) == {"housler.E002"}
    assert "redis-cli" in messages[0].hint


def test_e002_hung_redis_is_bounded(private_redis, redis_at):
    redis_at(private_redis.url)
    private_redis.pause()
    try:
        started = time.perf_counter()
        messages = check_redis_reachable() + check_redis_keeps_sessions()
        seconds = time.perf_counter() - started
    finally:
        private_redis.resume()
    assert ids(messages) == {"housler.E002"}
    assert seconds < 1.5


def test_e002_silent_without_redis(no_redis):
    assert check_redis_reachable() == []
    assert check_redis_keeps_sessions() == []


def test_w002_w003_fire_on_evicting_volatile_redis(private_redis, redis_at):
    private_redis.client().config_set("maxmemory-policy", "allkeys-lru")
    redis_at(private_redis.url)
    messages = check_redis_keeps_sessions()
    assert ids(messages) == {"housler.W002", "housler.W003"}
    hints = {m.id: m.hint for m in messages}
    assert "noeviction" in hints["housler.W002"] and "appendonly yes" in hints["housler.W003"]


def test_w002_w003_silent_on_a_redis_configured_for_sessions(persistent_redis, redis_at):
    redis_at(persistent_redis.url)
    assert check_redis_keeps_sessions() == []
    persistent_redis.client().config_set("maxmemory-policy", "volatile-lru")
    assert check_redis_keeps_sessions() == []


def test_w003_rdb_alone_is_enough(private_redis, redis_at):
    private_redis.client().config_set("save", "3600 1")
    redis_at(private_redis.url)
    assert check_redis_keeps_sessions() == []


def test_w002_w003_silent_when_redis_is_down(private_redis, redis_at):
    redis_at(private_redis.url)
    private_redis.stop()
    assert check_redis_keeps_sessions() == []


@pytest.mark.external
def test_deploy_redis_conf_satisfies_the_checks(tmp_path, redis_at):
    """deploy/redis.conf, started for real, raises neither W002 nor W003."""
    port = free_port()
    server = subprocess.Popen(
        [
            *("redis-server", str(ROOT / "deploy" / "redis.conf")),
            *("--port", str(port), "--dir", str(tmp_path), "--bind", "127.0.0.1"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"redis://127.0.0.1:{port}/1"
        client = redis.Redis.from_url(url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "redis-server with deploy/redis.conf failed"
                time.sleep(0.05)
        redis_at(url)
        assert check_redis_keeps_sessions() == []
        assert check_redis_reachable() == []
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    finally:
        server.terminate()
        server.wait(10)
