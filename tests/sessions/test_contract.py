"""The Django session contract on this engine, on fakeredis and on a real redis-server.

Django's own suite (test_django_suite.py) covers the API; these tests pin what the engine adds:
what is stored where, how many Redis commands each step costs, and how bad data is refused.
"""

import logging

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError

from sessions_backend import codec
from sessions_backend.engine import SessionStore
from tests.support.redis_commands import recording_caches
from tests.support.redis_server import shared_redis_url, unique_prefix
from tests.support.session_caches import delete_prefixed

pytestmark = pytest.mark.urls("tests.sessions.urls")


def raw(storage, key):
    return storage.primary.client.get(storage.primary.namespace + key)


def pttl(storage, key):
    return storage.primary.client.pttl(storage.primary.namespace + key)


@pytest.fixture(params=["fakeredis", "redis"])
def sent_commands(request, settings) -> list[str]:
    """The names of the Redis commands the engine sends, in order, on fakeredis or a real Redis
    (one per round trip: no pipelines here)."""
    sent: list[str] = []
    url = None if request.param == "fakeredis" else shared_redis_url()
    prefix = unique_prefix()
    settings.CACHES = recording_caches(url, prefix, sent)
    yield sent
    if url:
        delete_prefixed(url, prefix)


def test_value_is_signed_json_under_the_prefixed_key(any_redis_sessions, settings):
    session = SessionStore()
    session["target"] = {"address": "Москва, ул. Тверская, 1", "price": 12_500_000}
    session.save()
    stored = raw(any_redis_sessions, session.session_key)
    prefix = settings.CACHES["sessions"]["KEY_PREFIX"]
    assert any_redis_sessions.primary.namespace == f"{prefix}:session:"
    assert stored.startswith(b"h2:"), "the signed JSON format of sessions_backend.codec"
    decoded = codec.loads(stored.decode(), session.key_salt)
    assert decoded["target"]["price"] == 12_500_000


def test_round_trip_in_a_fresh_store(any_redis_sessions):
    session = SessionStore()
    session["step"] = 2
    session.save()
    again = SessionStore(session.session_key)
    assert again["step"] == 2
    assert again.exists(session.session_key)


def test_loading_an_unknown_key_creates_nothing(any_redis_sessions):
    session = SessionStore("a" * 32)
    assert session.load() == {}
    assert session.session_key is None
    assert raw(any_redis_sessions, "a" * 32) is None


def test_create_never_overwrites_an_existing_key(any_redis_sessions):
    first = SessionStore()
    first["owner"] = "first"
    first.save()
    intruder = SessionStore(first.session_key)
    intruder._session_cache = {"owner": "intruder"}
    with pytest.raises(CreateError):
        intruder.save(must_create=True)
    assert SessionStore(first.session_key)["owner"] == "first"


def test_deleted_session_is_not_resurrected(any_redis_sessions):
    s1 = SessionStore()
    s1["data"] = 1
    s1.save()
    SessionStore(s1.session_key).delete()
    s1["data"] = 2
    with pytest.raises(UpdateError):
        s1.save()
    assert raw(any_redis_sessions, s1.session_key) is None


def test_tampered_value_is_treated_as_absent_and_logged(any_redis_sessions, caplog):
    session = SessionStore()
    session["price"] = 10_000_000
    session.save()
    key = session.session_key
    namespace = any_redis_sessions.primary.namespace
    genuine = raw(any_redis_sessions, key).decode()
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    any_redis_sessions.primary.client.set(namespace + key, forged)
    with caplog.at_level(logging.WARNING, logger="sessions_backend"):
        loaded = SessionStore(key)
        assert loaded.load() == {}
    assert loaded.session_key is None
    assert "failed its signature" in caplog.text
    assert key not in caplog.text, "full session keys never reach the logs"


def test_expiry_follows_django_settings(any_redis_sessions, settings):
    session = SessionStore()
    session["a"] = 1
    session.set_expiry(60)
    session.save()
    assert 55_000 < pttl(any_redis_sessions, session.session_key) <= 60_000
    session.set_expiry(0)  # "until the browser closes": the store keeps it for the cookie age
    session.save()
    assert pttl(any_redis_sessions, session.session_key) > (settings.SESSION_COOKIE_AGE - 5) * 1000
    session.set_expiry(-10)
    session.save()
    assert raw(any_redis_sessions, session.session_key) is None
    assert SessionStore(session.session_key).load() == {}


def test_cycle_key_moves_data_and_removes_the_old_key(any_redis_sessions):
    session = SessionStore()
    session["wizard"] = {"step": 3}
    session.save()
    old = session.session_key
    session.cycle_key()
    assert session.session_key != old
    assert raw(any_redis_sessions, old) is None
    assert SessionStore(session.session_key)["wizard"] == {"step": 3}


def test_flush_removes_the_session(any_redis_sessions):
    session = SessionStore()
    session["a"] = 1
    session.save()
    old = session.session_key
    session.flush()
    assert session.session_key is None
    assert raw(any_redis_sessions, old) is None


def test_forged_cookie_keys_never_reach_redis(sent_commands):
    for key in ["../../etc/passwd", "x" * 500, "KEY WITH SPACES AND CAPS 1234567", "~" + "a" * 31]:
        assert SessionStore(key).load() == {}
    assert sent_commands == []


def test_redis_commands_per_request(sent_commands, client):
    """1 round trip to create, 1 to read, 2 to read and modify (the save a compare-and-set
    script run by its hash; test_cas.py covers the first run on a server without it); none
    when nothing is touched."""
    client.get("/put/first/")
    assert sent_commands == ["SET"]
    sent_commands.clear()
    assert client.get("/get/").json() == {"value": "first"}
    assert sent_commands == ["GET"]
    client.get("/put/second/")
    sent_commands.clear()
    client.get("/put/third/")
    assert sent_commands == ["GET", "EVALSHA"]
    sent_commands.clear()
    client.get("/get/")
    assert client.get("/get/").json() == {"value": "third"}
    assert sent_commands == ["GET", "GET"]
