"""The engine's settings: defaults when a project sets none, the pluggable fallback store, the
project's names for checks and series, and the pages of the middleware's answers."""

import logging
import time

import pytest
from django.test import RequestFactory
from django.utils.http import int_to_base36
from prometheus_client import REGISTRY

from sessions_backend import middleware
from sessions_backend.checks import check_fallback_store, check_session_sharing
from sessions_backend.conf import DEFAULTS
from sessions_backend.engine import SessionStore
from sessions_backend.exceptions import SessionConflict, SessionTooLarge, SessionUnavailable
from sessions_backend.failover import (
    FALLBACK_GRACE,
    KEY_LENGTH,
    get_storage,
    new_session_key,
    recently_born_in_fallback,
)
from sessions_backend.middleware import SessionMiddleware
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


PAGE_VIEWS = ("SESSION_UNAVAILABLE_VIEW", "SESSION_CONFLICT_VIEW", "SESSION_TOO_LARGE_VIEW")


def answer(exception: Exception):
    """What the engine's middleware answers when a view raises `exception`."""
    request = RequestFactory().get("/calculator/")
    request.session = SessionStore()
    return SessionMiddleware(lambda request: None).process_exception(request, exception)


@pytest.fixture(autouse=True)
def own_refusals(monkeypatch):
    """This module's 503s are counted apart: no other test's outage summary may include them."""
    monkeypatch.setattr(middleware, "refusals", middleware.OutageRefusals())


@pytest.fixture
def engine_pages(settings):
    """A project that renders none of the engine's answers itself."""
    for name in PAGE_VIEWS:
        delattr(settings, name)


@pytest.mark.usefixtures("engine_pages")
@pytest.mark.parametrize(
    ("exception", "status", "text"),
    [
        (SessionUnavailable(3), 503, "retry in 3 seconds"),
        (SessionConflict(), 409, "repeat the action"),
        (SessionTooLarge(), 413, "was not saved"),
    ],
)
def test_without_page_views_the_engine_answers_with_its_own_plain_pages(exception, status, text):
    response = answer(exception)
    assert response.status_code == status
    assert text in response.content.decode()
    if status == 503:
        assert response["Retry-After"] == "3" and response["Cache-Control"] == "no-store"


def broken_page(request, exception):
    raise RuntimeError("the project's template is broken")


def test_a_failing_page_view_falls_back_to_the_engines_page_logged_once(settings, caplog):
    settings.SESSION_UNAVAILABLE_VIEW = f"{__name__}.broken_page"
    middleware._failed_views.discard("SESSION_UNAVAILABLE_VIEW")
    with caplog.at_level(logging.ERROR, logger="sessions_backend"):
        statuses = [answer(SessionUnavailable(1)) for _ in range(3)]
    assert [r.status_code for r in statuses] == [503] * 3
    assert all("Your data is safe" in r.content.decode() for r in statuses)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_check_ids_and_series_take_the_projects_prefixes(settings):
    """The test settings have no Redis alias: sessions are per process."""
    settings.SESSION_CHECK_PREFIX = "myproject"
    settings.SESSION_WORKERS = 2
    assert ids(check_session_sharing()) == {"myproject.E001", "myproject.W001"}
    get_storage()  # a storage publishes its state as it is built
    assert REGISTRY.get_sample_value("housler_session_fallback_active") == 1, "Housler's prefix"
    assert REGISTRY.get_sample_value("sessions_backend_fallback_active") is None
