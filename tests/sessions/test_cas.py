"""Compare-and-set saves: a save never silently overwrites what another request saved meanwhile.

On fakeredis (with lupa) and a real redis-server for the Lua script, on the locmem and db
fallbacks for their own compare-and-set, and over HTTP for what plain Django code gets.
"""

import threading

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.core import signing

from sessions_backend import codec
from sessions_backend.engine import SessionStore
from sessions_backend.exceptions import SessionConflict
from sessions_backend.failover import get_storage
from tests.sessions import urls
from tests.support.redis_commands import recording_caches
from tests.support.session_caches import LOCMEM

pytestmark = pytest.mark.urls("tests.sessions.urls")
REDIS_FIXTURES = {"fakeredis": "fake_sessions", "redis": "redis_sessions"}


def saved(**values) -> str:
    session = SessionStore()
    session.update(values)
    session.save()
    return session.session_key


def loaded(key: str) -> SessionStore:
    """A store that has read the session, as a request does before it changes it."""
    session = SessionStore(key)
    session.keys()
    return session


@pytest.fixture(
    params=["fakeredis", "redis", "locmem", pytest.param("db", marks=pytest.mark.django_db)]
)
def any_store(request, settings):
    """Sessions on Redis (fake and real: the Lua script), or on a fallback store alone."""
    if request.param in ("fakeredis", "redis"):
        return request.getfixturevalue(REDIS_FIXTURES[request.param])
    settings.CACHES = {"default": LOCMEM}
    settings.SESSION_FALLBACK = request.param
    return get_storage()


def test_a_stale_save_is_refused_and_the_newer_one_kept(any_store):
    key = saved(items=["a"])
    first, second = loaded(key), loaded(key)
    first["items"] = ["a", "b"]
    first.save()
    second["items"] = ["a", "c"]
    with pytest.raises(SessionConflict):
        second.save()
    assert SessionStore(key)["items"] == ["a", "b"]
    assert any_store.stats()["operations"].count({"op": "save", "result": "conflict", "count": 1})


def test_redone_on_the_fresh_session_both_changes_land(any_store):
    key = saved(items=["a"])
    first, second = loaded(key), loaded(key)
    first["items"] = [*first["items"], "b"]
    first.save()
    second["items"] = [*second["items"], "c"]
    with pytest.raises(SessionConflict):
        second.save()
    second.refresh()
    second["items"] = [*second["items"], "c"]
    second.save()
    assert SessionStore(key)["items"] == ["a", "b", "c"]


def test_saving_twice_in_one_request_is_no_conflict_with_itself(any_store):
    key = saved(n=0)
    session = loaded(key)
    for n in range(1, 4):
        session["n"] = n
        session.save()
    assert SessionStore(key)["n"] == 3


def test_a_deleted_session_is_gone_not_conflicting_and_never_resurrected(any_store):
    key = saved(n=0)
    session = loaded(key)
    SessionStore(key).delete()
    session["n"] = 1
    with pytest.raises(UpdateError) as raised:
        session.save()
    assert not isinstance(raised.value, SessionConflict)
    assert SessionStore(key).load() == {}
    with pytest.raises(UpdateError):
        session.refresh()


def test_django_format_values_are_compared_whole(any_redis_sessions):
    key = saved(n=0)
    salt = SessionStore().key_salt
    namespace = any_redis_sessions.primary.namespace
    client = any_redis_sessions.primary.client
    client.set(namespace + key, signing.dumps({"n": 1}, salt=salt, compress=True))
    stale, current = loaded(key), loaded(key)
    current["n"] = 2
    current.save()
    assert client.get(namespace + key).startswith(b"h2:"), "the next save writes h2"
    stale["n"] = 3
    with pytest.raises(SessionConflict):
        stale.save()
    assert SessionStore(key)["n"] == 2


def test_versions_compare_the_mac_of_h2_values():
    value = codec.dumps({"n": 1}, "salt")
    assert codec.version(value) == value[:46]
    assert codec.version(value) != codec.version(codec.dumps({"n": 2}, "salt"))
    assert codec.version("legacy:value") == "legacy:value"


def test_a_server_without_the_script_gets_it_by_eval_once(private_redis, settings):
    sent: list[str] = []
    settings.CACHES = recording_caches(private_redis.url, "cas", sent)
    key = saved(n=0)
    private_redis.client().script_flush()
    session = loaded(key)
    sent.clear()
    session["n"] = 1
    session.save()
    assert sent == ["EVALSHA", "EVAL"], "NOSCRIPT answered by EVAL, which caches the script"
    sent.clear()
    session = loaded(key)
    session["n"] = 2
    session.save()
    assert sent == ["GET", "EVALSHA"]
    assert SessionStore(key)["n"] == 2


def test_threads_that_redo_on_conflict_lose_no_increment(settings):
    """The locmem store's lock makes its compare-and-set atomic between threads."""
    settings.CACHES = {"default": LOCMEM}
    key = saved(count=0)
    barrier = threading.Barrier(8)

    def increment() -> None:
        session = loaded(key)
        barrier.wait()
        for _ in range(50):
            session["count"] += 1
            try:
                return session.save()
            except SessionConflict:
                session.refresh()

    threads = [threading.Thread(target=increment) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SessionStore(key)["count"] == 8


def test_plain_django_code_keeps_last_writer_wins_behind_our_middleware(
    fake_sessions, client, settings
):
    response, key = put_while_another_request_saves(client, settings)
    assert response.status_code == 200
    assert SessionStore(key)["value"] == "mine"
    assert fake_sessions.counts["save", "conflict"] == 1


def test_django_middleware_turns_a_conflict_into_its_400(fake_sessions, client, settings):
    settings.MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware"
        if name == "sessions_backend.middleware.SessionMiddleware"
        else name
        for name in settings.MIDDLEWARE
    ]
    response, key = put_while_another_request_saves(client, settings)
    assert response.status_code == 400
    assert SessionStore(key)["value"] == "elsewhere"


def put_while_another_request_saves(client, settings):
    """`/put/mine/`, while another request saves "elsewhere" between its read and its write."""
    client.get("/put/first/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def write_elsewhere() -> None:
        other = loaded(key)
        other["value"] = "elsewhere"
        other.save()

    urls.hooks["before_write"] = write_elsewhere
    try:
        return client.get("/put/mine/"), key
    finally:
        urls.hooks.clear()
