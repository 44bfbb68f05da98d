"""The inspector knows no project: its summary comes from `SESSION_INSPECTOR_SUMMARY`."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sessions_backend.engine import SessionStore

pytestmark = pytest.mark.django_db


def listed(*args: str) -> dict:
    out = StringIO()
    call_command("sessions", "list", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def cart_summary(data: dict) -> dict:
    """A foreign project's hook: what its operators want to see of a session."""
    return {"cart": f"{len(data.get('cart', []))} item(s)", "updated": "2025-01-02T03:04:05+00:00"}


@pytest.fixture
def cart_session(redis_sessions) -> str:
    session = SessionStore()
    session["cart"] = ["sofa", "lamp"]
    session["seen"] = 3
    session.save()
    return session.session_key


def test_without_a_hook_only_generic_facts(cart_session, settings):
    settings.SESSION_INSPECTOR_SUMMARY = None
    [row] = listed()["sessions"]
    assert row["keys"] == 2 and row["size"] > 0 and row["ttl"] > 0
    assert "address" not in row and "cart" not in row
    assert row["last_activity"] is not None  # from the sliding TTL


def test_a_hook_adds_its_fields_and_is_searchable(cart_session, settings):
    settings.SESSION_INSPECTOR_SUMMARY = f"{__name__}.cart_summary"
    [row] = listed()["sessions"]
    assert row["cart"] == "2 item(s)"
    assert row["last_activity"].startswith("2025-01-02T03:04:05")
    assert len(listed("--search", "2 ITEM")["sessions"]) == 1
    assert listed("--search", "sofa")["sessions"] == []


def test_admin_list_renders_without_a_hook(cart_session, settings, admin_client):
    settings.SESSION_INSPECTOR_SUMMARY = None
    page = admin_client.get("/admin/sessions_backend/livesession/").content.decode()
    assert cart_session[:6] in page and cart_session not in page
