"""The engine's settings: defaults when a project sets none, and the pluggable fallback store."""

import time

import pytest
from django.utils.http import int_to_base36

from sessions_backend.checks import check_fallback_store
from sessions_backend.conf import DEFAULTS
from sessions_backend.engine import SessionStore
from sessions_backend.storage import (
    FALLBACK_GRACE,
    KEY_LENGTH,
    get_storage,
    new_session_key,
    recently_born_in_fallback,
)
from sessions_backend.stores import LocMemStore


class NamedStore(LocMemStore):
    """A project's own fallback, plugged in by dotted path."""

    name = "named"


NAMED_STORE = f"{__name__}.NamedStore"


def ids(messages) -> set[str]:
    return {message.id for message in messages}


def test_a_project_without_engine_settings_gets_the_defaults(settings):
    for name in ("SESSION_FALLBACK", "SESSION_FALLBACK_RETRY", "SESSION_FALLBACK_MAX_ENTRIES"):
        if hasattr(settings, name):
            delattr(settings, name)
    storage = get_storage()
    assert storage.fallback.name == DEFAULTS["SESSION_FALLBACK"]
    assert storage.fallback.max_entries == DEFAULTS["SESSION_FALLBACK_MAX_ENTRIES"]
    assert storage.breaker.retry_after == DEFAULTS["SESSION_FALLBACK_RETRY"]


def test_overridden_settings_rebuild_the_storage(settings):
    settings.SESSION_FALLBACK_MAX_ENTRIES = 3
    keys = []
    for n in range(5):
        session = SessionStore()
        session["n"] = n
        session.save()
        keys.append(session.session_key)
    assert [SessionStore(key).exists(key) for key in keys] == [False, False, True, True, True]


def test_fallback_by_dotted_path(settings):
    settings.SESSION_FALLBACK = NAMED_STORE
    session = SessionStore()
    session["flat"] = "Москва"
    session.save()
    assert get_storage().fallback.name == "named"
    assert SessionStore(session.session_key)["flat"] == "Москва"
    assert check_fallback_store() == []


@pytest.mark.parametrize("value", ["db", "locmem", NAMED_STORE])
def test_e004_silent_for_a_known_store(settings, value):
    settings.SESSION_FALLBACK = value
    assert check_fallback_store() == []


@pytest.mark.parametrize(
    "value",
    ["redis", "myproject.stores.Missing", "sessions_backend.conf.EngineSettings", 42, None],
)
def test_e004_names_a_bad_fallback(settings, value):
    settings.SESSION_FALLBACK = value
    messages = check_fallback_store()
    assert ids(messages) == {"housler.E004"}
    assert repr(value) in messages[0].msg
    assert "'locmem'" in messages[0].hint and "Store" in messages[0].hint


def test_fallback_born_keys_carry_their_birth_time():
    key = new_session_key(born_in_fallback=True)
    assert recently_born_in_fallback(key)
    old = key[:KEY_LENGTH] + int_to_base36(int(time.time()) - FALLBACK_GRACE - 1).rjust(7, "0")
    assert not recently_born_in_fallback(old)
    assert not recently_born_in_fallback(new_session_key())
    assert not recently_born_in_fallback("a" * KEY_LENGTH + "zzzzzzz")  # far future: year 4000+
