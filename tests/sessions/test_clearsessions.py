"""What housler-cleanup.service runs each day: Django's `clearsessions` sweeps the engine's db
fallback, on the test database (PostgreSQL when HOUSLER_TEST_DATABASE_URL names one: pytest's
header says which)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from sessions_backend.engine import SessionStore
from sessions_backend.failover import get_storage

pytestmark = pytest.mark.django_db

LIVE, EXPIRED = "live" + "0" * 28, "expired" + "0" * 25


def test_clearsessions_sweeps_expired_fallback_sessions_and_keeps_live_ones(
    settings, redis_sessions
) -> None:
    settings.SESSION_FALLBACK = "db"
    fallback = get_storage().fallback
    for key in (LIVE, EXPIRED):
        assert fallback.add(key, SessionStore().encode({"step": key}), 600)
    Session.objects.filter(pk=EXPIRED).update(expire_date=timezone.now() - timedelta(hours=1))

    call_command("clearsessions")

    assert list(Session.objects.values_list("pk", flat=True)) == [LIVE]
    assert SessionStore().decode(fallback.get(LIVE)) == {"step": LIVE}
