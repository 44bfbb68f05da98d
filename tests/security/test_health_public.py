"""`/health` tells the public its status only.

Load balancers need the status and the HTTP code; the component report (Redis version, memory,
persistence, workers, database vendor, app version, error texts) is for the metrics allow-list
and logged-in staff.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)
OUTSIDE = "203.0.113.7"


def test_the_public_gets_the_status_and_nothing_else(outage_sessions):
    response = Client(REMOTE_ADDR=OUTSIDE).get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}
    assert response["Cache-Control"] == "no-store"


def test_a_forwarded_request_through_an_untrusted_local_proxy_is_public(outage_sessions):
    """nginx on 127.0.0.1 without HOUSLER_TRUSTED_PROXIES: every visitor looks local."""
    response = Client().get("/health", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert response.json() == {"status": "healthy"}


def test_the_public_sees_an_outage_only_as_its_status(outage_sessions, persistent_redis):
    persistent_redis.stop()
    response = Client(REMOTE_ADDR=OUTSIDE).get("/health")
    assert response.json() == {"status": "degraded"}
    assert "127.0.0.1" not in response.content.decode()


def test_allow_listed_monitors_get_the_full_report(outage_sessions):
    report = Client().get("/health").json()  # the test client is 127.0.0.1, allow-listed
    assert {"redis_cache", "session_storage", "database"} <= set(report["components"])


def test_staff_get_the_full_report_from_anywhere(outage_sessions):
    staff = Client(REMOTE_ADDR=OUTSIDE)
    staff.force_login(User.objects.create_user("ops", password="pw", is_staff=True))
    assert "components" in staff.get("/health").json()
    visitor = Client(REMOTE_ADDR=OUTSIDE)
    visitor.force_login(User.objects.create_user("visitor", password="pw"))
    assert visitor.get("/health").json() == {"status": "healthy"}


def test_a_staff_session_that_redis_cannot_serve_is_no_error(outage_sessions, persistent_redis):
    staff = Client(REMOTE_ADDR=OUTSIDE)
    staff.force_login(User.objects.create_user("ops", password="pw", is_staff=True))
    persistent_redis.stop()
    response = staff.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded"}
