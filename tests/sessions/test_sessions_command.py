"""`manage.py sessions` against a real Redis and against the database fallback."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calculator.wizard import SESSION_KEY, WizardState
from sessions_backend.engine import SessionStore
from sessions_backend.failover import get_storage
from sessions_backend.inspector import session_ref
from tests.support.session_caches import sessions_caches

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("sessions", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def new_session(address: str | None = None) -> str:
    session = SessionStore()
    session["n"] = 1
    if address:
        wizard = WizardState._empty()
        wizard.update(target={"address": address}, comparables=[{"id": "c1"}, {"id": "c2"}])
        session[SESSION_KEY] = wizard
    session.save()
    return session.session_key


def test_stats(redis_sessions):
    new_session()
    new_session()
    stats = run_json("stats")
    assert stats["store"] == "redis" and stats["shared_between_workers"] is True
    assert stats["live_sessions"] == 2
    assert stats["redis"]["available"] is True
    assert "Live sessions: 2" in run("stats")


def test_list_shows_short_keys_only(redis_sessions):
    keys = [new_session(f"Москва, дом {n}") for n in range(3)]
    text = run("list")
    assert all(key[:6] in text and key not in text for key in keys)
    assert "Москва, дом 1" in text
    listing = run_json("list", "--limit", "2")
    assert listing["total"] == 3 and len(listing["sessions"]) == 2
    row = listing["sessions"][0]
    assert row["key"].endswith("…") and row["comparables"] == 2 and row["ttl"] > 0


def test_list_search(redis_sessions):
    new_session("Казань, ул. Баумана")
    new_session("Москва, Арбат")
    rows = run_json("list", "--search", "баумана")["sessions"]
    assert [row["address"] for row in rows] == ["Казань, ул. Баумана"]


def test_show_by_ref(redis_sessions):
    key = new_session("Москва, Арбат")
    shown = run_json("show", session_ref(key))
    assert shown["key"] == f"{key[:6]}…" and shown["ref"] == session_ref(key)
    assert shown["data"][SESSION_KEY]["target"]["address"] == "Москва, Арбат"
    assert key not in run("show", session_ref(key))
    with pytest.raises(CommandError, match="No such session"):
        run("show", "nosuchkey")


def test_delete_by_ref(redis_sessions):
    key = new_session()
    assert run_json("delete", session_ref(key))["outcome"] == "deleted"
    assert not SessionStore(key).exists(key)
    with pytest.raises(CommandError):
        run("delete", session_ref(key))


def test_purge_removes_keys_without_ttl(redis_sessions):
    key = new_session()
    keep = new_session()
    redis_sessions.primary.client.persist(redis_sessions.primary.namespace + key)
    result = run_json("purge", "--expired")
    assert result["removed_without_ttl"] == 1
    assert not SessionStore(key).exists(key) and SessionStore(keep).exists(keep)


def test_purge_requires_expired_flag(redis_sessions):
    with pytest.raises(CommandError):
        run("purge")


def test_redis_down_is_a_clear_error(settings, private_redis):
    settings.CACHES = sessions_caches(private_redis.url, "housler")
    private_redis.stop()
    with pytest.raises(CommandError, match="--store fallback"):
        run("list")
    assert run_json("list", "--store", "fallback")["sessions"] == []


def test_database_fallback_store(settings, redis_sessions):
    settings.SESSION_FALLBACK = "db"
    fallback = get_storage().fallback
    fallback.add("abcdef" + "0" * 26, SessionStore().encode({"x": 1}), 60)
    fallback.add("~tombstone" + "0" * 22, "", 60)
    listing = run_json("list", "--store", "fallback")
    assert [row["key"] for row in listing["sessions"]] == ["abcdef…"]
    assert run_json("purge", "--expired", "--store", "fallback")["swept_expired_rows"] is True


def test_no_redis_store_without_redis_url(no_redis):
    with pytest.raises(CommandError, match="sessions have no Redis"):
        run("list", "--store", "redis")
