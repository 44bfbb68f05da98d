"""The session inspector shows no share token.

A share link's token is a bearer secret: whoever reads it opens the report. The admin's session
page (even for view-only staff) and `manage.py sessions show` print the decoded wizard with its
`share.token` and `shared_tokens` shortened like session keys, `abc123…`.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client

from calculator.models import ShareSnapshot
from sessions_backend.inspector import session_ref
from tests.support.wizard_client import analyze, manual_wizard_with_comparables

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
DETAIL = "/admin/sessions_backend/livesession/{ref}/"


@pytest.fixture
def shared(redis_sessions) -> tuple[str, list[str]]:
    """A visitor who shared the report twice: their session key and the two tokens."""
    visitor = Client()
    manual_wizard_with_comparables(visitor, count=5)
    analyze(visitor)
    for _ in range(2):
        assert visitor.post("/calculator/share/", {"action": "share"}).status_code == 302
    tokens = list(ShareSnapshot.objects.order_by("pk").values_list("token", flat=True))
    assert len(tokens) == 2
    return visitor.cookies["housler_session"].value, tokens


def staff(username: str, *codenames: str, superuser: bool = False) -> Client:
    user = User.objects.create_user(username, password="pw", is_staff=True, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["viewer", "superuser"])
def test_the_session_page_shows_share_tokens_shortened(shared, who):
    key, tokens = shared
    operator = (
        staff("viewer", "view_live_sessions") if who == "viewer" else staff("root", superuser=True)
    )
    page = operator.get(DETAIL.format(ref=session_ref(key))).content.decode()
    assert "ул. Савушкина" in page  # the decoded wizard is still there
    for token in tokens:
        assert token not in page
        assert f"{token[:6]}…" in page


def test_the_command_prints_no_share_token(shared):
    key, tokens = shared
    out = StringIO()
    call_command("sessions", "show", session_ref(key), "--json", stdout=out, stderr=StringIO())
    wizard = json.loads(out.getvalue())["data"]["housler.wizard"]
    assert wizard["share"]["token"] == f"{tokens[-1][:6]}…"
    assert wizard["shared_tokens"] == [f"{token[:6]}…" for token in tokens]
    assert wizard["share"]["expires_at"]  # other values of the share stay readable
