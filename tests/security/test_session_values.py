"""A key's own problem stays that key's problem.

On a real redis-server: a hash under one session key, non-UTF-8 bytes, a value that fails its
signature, a forged birth stamp. Its owner finds the wizard expired (Django's semantics: the
session is absent), everybody else goes on, the circuit stays closed, nothing answers 5xx, the
inspector shows the value as damaged, and the log says so once per key.
"""

import json
import logging
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from redis.exceptions import (
    AuthenticationError,
    BusyLoadingError,
    ConnectionError,
    OutOfMemoryError,
    ReadOnlyError,
    ResponseError,
    TimeoutError,
)

from sessions_backend.circuit import CLOSED
from sessions_backend.stores import is_outage
from tests.support.wizard_client import confirm_details, start_manual, text

pytestmark = pytest.mark.django_db
ADDRESS = "Санкт-Петербург, ул. Савушкина, 10"
DAMAGES = {
    "a Redis hash": lambda redis, name: redis.hset(name, "field", "value"),
    "non-UTF-8 bytes": lambda redis, name: redis.set(name, b"\xff\xfe\x80 not text"),
    "a bad signature": lambda redis, name: redis.set(name, "eyJ4IjoxfQ:forged:signature"),
}


def wizard_visitor() -> Client:
    visitor = Client()
    start_manual(visitor)
    confirm_details(visitor)
    return visitor


def key_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def damage(storage, key: str, how: str) -> None:
    name = storage.primary.namespace + key
    storage.primary.client.delete(name)
    DAMAGES[how](storage.primary.client, name)


@pytest.mark.parametrize("how", DAMAGES)
def test_the_owner_finds_the_wizard_expired_and_nobody_else_notices(redis_sessions, how, caplog):
    owner, neighbour = wizard_visitor(), wizard_visitor()
    key = key_of(owner)
    damage(redis_sessions, key, how)
    with caplog.at_level(logging.WARNING):
        first = owner.get("/calculator/comparables/")
        second = owner.get("/calculator/comparables/")
        other = neighbour.get("/calculator/comparables/")
    assert first.status_code == 200 and "Сессия истекла" in text(first)
    assert second.status_code < 500
    assert other.status_code == 200 and ADDRESS in text(other)
    assert redis_sessions.breaker.state == CLOSED
    assert redis_sessions.stats()["errors"] == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "sessions_backend"]
    assert len([line for line in lines if f"{key[:6]}…" in line]) == 1, lines
    assert all(key not in line for line in lines)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("how", DAMAGES)
def test_the_inspector_lists_a_damaged_value_instead_of_crashing(redis_sessions, how):
    owner, _neighbour = wizard_visitor(), wizard_visitor()
    damage(redis_sessions, key_of(owner), how)
    operator = Client()
    operator.force_login(staff_viewer())
    page = operator.get("/admin/sessions_backend/livesession/")
    assert page.status_code == 200
    assert "повреждена" in text(page) and ADDRESS in text(page)
    out = StringIO()
    call_command("sessions", "list", stdout=out, stderr=StringIO())
    assert "повреждена/unreadable" in out.getvalue()
    out = StringIO()
    call_command("sessions", "list", "--json", stdout=out)
    rows = json.loads(out.getvalue())["sessions"]
    assert sorted(row["damaged"] for row in rows) == [False, False, True]


def staff_viewer() -> User:
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_live_sessions"))
    return user


def test_a_forged_future_birth_stamp_is_a_new_session_logged_once(redis_sessions, caplog):
    visitor = Client()
    forged = "a" * 32 + "zzzzzzz"
    visitor.cookies[settings.SESSION_COOKIE_NAME] = forged
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            visitor.cookies[settings.SESSION_COOKIE_NAME] = forged
            response = visitor.get("/calculator/")
            assert response.status_code == 200
    assert redis_sessions.breaker.state == CLOSED
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    mentions = [r for r in caplog.records if "aaaaaa…" in r.getMessage()]
    assert len(mentions) == 1 and "future" in mentions[0].getMessage()


@pytest.mark.parametrize(
    "error",
    [
        ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        TimeoutError("Timeout reading from socket"),
        AuthenticationError("invalid username-password pair"),
        BusyLoadingError("Redis is loading the dataset in memory"),
        ReadOnlyError("You can't write against a read only replica."),
        OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
        ResponseError("NOREPLICAS Not enough good replicas to write."),
        ResponseError("MASTERDOWN Link with MASTER is down"),
        ResponseError("MISCONF Redis is configured to save RDB snapshots"),
        ResponseError(
            "Command # 1 (SET housler:session:abc def PX 1000 NX) of pipeline caused error: "
            "NOREPLICAS Not enough good replicas to write."
        ),
    ],
    ids=lambda error: str(error).rpartition("error: ")[2].split(" ")[0],
)
def test_store_failures_are_outages(error):
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
        ResponseError("ERR value is not an integer or out of range"),
    ],
    ids=lambda error: str(error).split(" ")[0],
)
def test_one_keys_errors_are_not_outages(error):
    assert not is_outage(error)
