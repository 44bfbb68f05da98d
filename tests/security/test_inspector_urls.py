"""A session key pasted into a session inspector URL (README "Security"): a 404 that never sends
the key on to the login page or into the log; a ref still needs a login."""

from __future__ import annotations

import logging

import pytest

KEY = "abcdefghijklmnopqrstuvwxyz012345abcd1234"


@pytest.mark.parametrize(
    "path",
    [f"{KEY}/", f"{KEY}/delete/", KEY, f"{KEY}/history/"],
    ids=["detail", "delete", "no-slash", "other"],
)
def test_a_key_pasted_into_an_inspector_url_is_404_even_for_anonymous(
    client, caplog, path: str
) -> None:
    """A 404 before the login check: the admin's redirect to `/admin/login/?next=/admin/…/<key>/`
    would carry the key into another URL and its log line."""
    caplog.set_level(logging.DEBUG)
    response = client.get(f"/admin/sessions_backend/livesession/{path}")
    assert response.status_code == 404 and KEY not in response.get("Location", "")
    assert not [r for r in caplog.records if KEY in r.getMessage()]


def test_a_ref_still_needs_a_login(client) -> None:
    response = client.get("/admin/sessions_backend/livesession/abcdef.0123456789abcdef/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
