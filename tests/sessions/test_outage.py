"""The rows of docs/sessions.md#during-an-outage, against a real redis-server we stop and pause.

Each test owns its Redis (tests/conftest.py: persistent_redis) and cleans up only that.
"""

import logging
import time

import pytest
from django.test import Client

from sessions_backend.engine import SessionStore
from sessions_backend.exceptions import SessionUnavailable
from sessions_backend.failover import build_storage, get_storage, reset_storage
from tests.sessions import urls as session_urls

pytestmark = pytest.mark.urls("tests.sessions.urls")
COOKIE = "housler_session"
SOCKET_TIMEOUT = 0.5


def raw(server, storage, key):
    """The value `server` itself holds for a session key, read without the engine."""
    return server.client().get(storage.primary.namespace + key)


RETRY_WINDOW = 1.1  # SESSION_FALLBACK_RETRY = 1 in these tests, on `circuit_clock`


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_new_visitor_during_outage_goes_on_in_the_fallback(
    outage_sessions, client, persistent_redis
):
    persistent_redis.stop()
    assert client.get("/put/draft/").status_code == 200
    assert client.get("/get/").json() == {"value": "draft"}
    stats = outage_sessions.stats()
    assert (stats["circuit"], stats["backend"], stats["fallback_writes"]) == ("open", "locmem", 1)


def test_existing_session_during_outage_is_503_with_cookie_kept(
    outage_sessions, client, persistent_redis, circuit_clock
):
    client.get("/put/before/")
    cookie = client.cookies[COOKIE].value
    persistent_redis.stop()

    for path in ("/get/", "/put/during/"):
        response = client.get(path)
        assert response.status_code == 503
        assert 1 <= int(response["Retry-After"]) <= 1
        assert "Ваши данные сохранены" in response.content.decode()
        assert COOKIE not in response.cookies, "the cookie must not be replaced or deleted"
    assert client.cookies[COOKIE].value == cookie

    persistent_redis.start()
    circuit_clock.advance(RETRY_WINDOW)
    assert client.get("/get/").json() == {"value": "before"}


def test_redis_dying_between_read_and_write_is_503_not_a_lost_write(
    outage_sessions, client, persistent_redis, circuit_clock
):
    client.get("/put/before/")
    session_urls.hooks["before_write"] = persistent_redis.stop
    try:
        response = client.get("/put/after/")
    finally:
        session_urls.hooks.clear()
    assert response.status_code == 503
    assert outage_sessions.fallback.get(client.cookies[COOKIE].value) is None
    persistent_redis.start()
    circuit_clock.advance(RETRY_WINDOW)
    assert client.get("/get/").json() == {"value": "before"}


def test_hung_redis_costs_one_socket_timeout_then_nothing(
    outage_sessions, client, persistent_redis, settings
):
    settings.SESSION_FALLBACK_RETRY = 60  # no second probe while the test runs, however slow
    client.get("/put/existing/")
    persistent_redis.pause()
    try:
        durations = []
        for n in range(10):
            response, took = timed(lambda n=n: Client().get(f"/put/new{n}/"))
            assert response.status_code == 200
            durations.append(took)
        response, took = timed(lambda: client.get("/get/"))
        assert response.status_code == 503
        durations.append(took)
    finally:
        persistent_redis.resume()
    assert get_storage().stats()["errors"] == 1, "only the first request may wait on Redis"
    durations.sort()
    assert durations[-1] < SOCKET_TIMEOUT + 0.5, durations
    assert sum(durations[:-1]) < SOCKET_TIMEOUT, f"the others waited on nothing: {durations}"


def test_logout_during_outage_is_replayed_before_redis_is_trusted(
    outage_sessions, client, persistent_redis, circuit_clock
):
    client.get("/put/secret/")
    old_key = client.cookies[COOKIE].value
    persistent_redis.pause()
    try:
        assert client.get("/flush/").status_code == 200
    finally:
        persistent_redis.resume()
    assert outage_sessions.stats()["tombstones"] == 1
    circuit_clock.advance(RETRY_WINDOW)

    Client().get("/put/someone-else/")
    assert raw(persistent_redis, outage_sessions, old_key) is None
    stale = Client()
    stale.cookies[COOKIE] = old_key
    assert stale.get("/get/").json() == {"value": None}


def test_sessions_written_during_outage_move_to_redis_after_recovery(
    outage_sessions, client, persistent_redis, circuit_clock
):
    persistent_redis.stop()
    client.get("/put/offline/")
    other = Client()
    other.get("/put/also-offline/")
    keys = [client.cookies[COOKIE].value, other.cookies[COOKIE].value]
    persistent_redis.start()
    circuit_clock.advance(RETRY_WINDOW)

    assert client.get("/get/").json() == {"value": "offline"}
    assert all(raw(persistent_redis, outage_sessions, key) for key in keys), (
        "all fallback sessions moved"
    )
    assert list(outage_sessions.fallback.keys()) == []
    assert other.get("/get/").json() == {"value": "also-offline"}
    assert outage_sessions.stats()["write_backs"] == 2


def test_one_log_line_per_state_change(outage_sessions, caplog, persistent_redis, circuit_clock):
    persistent_redis.stop()
    with caplog.at_level(logging.INFO, logger="sessions_backend"):
        for n in range(20):
            Client().get(f"/put/n{n}/")
        persistent_redis.start()
        circuit_clock.advance(RETRY_WINDOW)
        Client().get("/put/after/")
    lines = [r.getMessage() for r in caplog.records if r.name == "sessions_backend"]
    assert len(lines) == 2, lines
    assert "failed" in lines[0] and "recovered" in lines[1]


def test_redis_refusing_writes_with_oom_falls_back(outage_sessions, client, persistent_redis):
    admin = persistent_redis.client()
    admin.config_set("maxmemory", 1)
    try:
        assert client.get("/put/oom/").status_code == 200
    finally:
        admin.config_set("maxmemory", 0)
    stats = outage_sessions.stats()
    assert stats["fallback_writes"] == 1
    assert "OutOfMemory" in stats["last_error"]
    assert client.get("/get/").json() == {"value": "oom"}


@pytest.mark.django_db(transaction=True)
def test_db_fallback_is_shared_by_workers_and_moves_back(
    outage_sessions, settings, persistent_redis, circuit_clock
):
    settings.SESSION_FALLBACK = "db"
    persistent_redis.stop()
    session = SessionStore()
    session["value"] = "typed during the outage"
    session.save()

    reset_storage()  # a second worker: its own circuit, same DB
    assert SessionStore(session.session_key)["value"] == "typed during the outage"

    persistent_redis.start()
    circuit_clock.advance(RETRY_WINDOW)
    assert SessionStore(session.session_key)["value"] == "typed during the outage"
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists(), "the session left the fallback for Redis"


def test_locmem_fallback_is_per_worker_as_documented(outage_sessions, persistent_redis):
    """The documented limit: with SESSION_FALLBACK=locmem another worker cannot see a session
    created during the outage, and it says so (503) instead of answering with an empty one."""
    persistent_redis.stop()
    session = SessionStore()
    session["value"] = "only in worker 1"
    session.save()
    reset_storage()  # a second worker
    with pytest.raises(SessionUnavailable):
        SessionStore(session.session_key).load()


def test_a_session_born_in_another_workers_memory_is_503_until_moved(
    outage_sessions, persistent_redis, circuit_clock
):
    """After recovery, worker B may see a session that worker A created during the outage before
    A has moved it to Redis: B must answer "retry" (503), not start the user over."""
    worker_a = outage_sessions
    persistent_redis.stop()
    session = SessionStore(storage=worker_a)
    session["value"] = "typed during the outage"
    session.save()
    key = session.session_key

    persistent_redis.start()
    worker_b = build_storage()
    with pytest.raises(SessionUnavailable):
        SessionStore(key, storage=worker_b).load()

    circuit_clock.advance(RETRY_WINDOW)
    SessionStore(storage=worker_a).save()  # any request on worker A moves its fallback sessions
    assert SessionStore(key, storage=worker_b)["value"] == "typed during the outage"


def test_the_503_survives_a_missing_static_manifest(
    outage_sessions, client, settings, tmp_path, persistent_redis
):
    """Even when the pretty page cannot render (production's manifest storage without
    collectstatic), the answer is the documented 503 in Russian, never a 500."""
    client.get("/put/before/")
    persistent_redis.stop()
    manifest = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": manifest}  # as in production
    settings.STATIC_ROOT = tmp_path  # no staticfiles.json: every {% static %} raises
    response = client.get("/get/")
    assert response.status_code == 503
    assert "Ваши данные сохранены" in response.content.decode()


def test_recovery_moves_a_thousand_fallback_sessions_in_one_request(
    outage_sessions, persistent_redis, circuit_clock
):
    persistent_redis.stop()
    keys = []
    for n in range(1200):
        session = SessionStore()
        session["n"] = n
        session.save()
        keys.append(session.session_key)
    persistent_redis.start()
    circuit_clock.advance(RETRY_WINDOW)

    _, took = timed(lambda: SessionStore().save())  # the request that finds Redis back
    assert list(outage_sessions.fallback.keys()) == []
    assert outage_sessions.stats()["write_backs"] == 1200
    assert SessionStore(keys[777])["n"] == 777
    assert took < 2.0, f"pipelined: a recovery must not hold one visitor for long ({took:.2f} s)"
