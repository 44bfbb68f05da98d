"""Insiders see no usable session key.

A staff member who may only *view* sessions must not be able to take one over: pages, URLs,
logs and `manage.py sessions` name a session by its ref and show at most its short key.
"""

import json
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.template.loader import get_template
from django.test import Client, override_settings

import sessions_backend
from sessions_backend.engine import SessionStore
from sessions_backend.inspector import session_ref
from tests.support.session_admin import LIST_URL, staff
from tests.support.wizard_client import start_manual

pytestmark = pytest.mark.django_db
TEMPLATES = ("livesession_list.html", "livesession_detail.html", "livesession_delete.html")


def superuser_session_key() -> str:
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="pw"))
    return admin.cookies[settings.SESSION_COOKIE_NAME].value


def visitor_session_key() -> str:
    visitor = Client()
    start_manual(visitor)
    return visitor.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def viewer(redis_sessions):
    client = Client()
    client.force_login(staff("viewer", "view_live_sessions"))
    return client


def test_viewer_sees_no_full_key_of_a_superusers_session(viewer):
    key = superuser_session_key()
    listing = viewer.get(LIST_URL).content.decode()
    assert session_ref(key) in listing and key not in listing
    detail = viewer.get(f"{LIST_URL}{session_ref(key)}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert key not in page
    assert f"{key[:6]}…" in page
    # Not even enough of it to rebuild: nothing beyond the short key's six characters.
    assert key[6:16] not in page


def test_a_full_key_in_the_url_is_404_and_never_logged(viewer, caplog):
    key = visitor_session_key()
    with caplog.at_level(logging.DEBUG):
        assert viewer.get(f"{LIST_URL}{key}/").status_code == 404
        assert viewer.get(f"{LIST_URL}{key}/delete/").status_code == 404
    assert all(key not in record.getMessage() for record in caplog.records)


def test_a_full_key_in_the_url_raises_no_logged_permission_warning(redis_sessions, caplog):
    key = visitor_session_key()
    clerk = Client()
    clerk.force_login(staff("clerk"))
    with caplog.at_level(logging.DEBUG):
        assert clerk.get(f"{LIST_URL}{key}/").status_code == 404
    assert all(key not in record.getMessage() for record in caplog.records)
    assert clerk.get(f"{LIST_URL}{session_ref(key)}/").status_code == 403


def test_the_ref_is_keyed_by_the_secret(redis_sessions):
    key = visitor_session_key()
    ref = session_ref(key)
    with override_settings(SECRET_KEY="another-secret-" + "y" * 40):
        assert session_ref(key) != ref  # without SECRET_KEY a ref can be neither made nor undone


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("sessions", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_sessions_command_never_prints_a_full_key(redis_sessions):
    key = visitor_session_key()
    ref = session_ref(key)
    outputs = [
        run("list"),
        run("list", "--json"),
        run("show", ref),
        run("show", ref, "--json"),
    ]
    assert all(key not in output for output in outputs)
    assert json.loads(outputs[3])["key"] == f"{key[:6]}…"
    with pytest.raises(Exception, match="No such session") as refused:
        run("show", key)
    assert key not in str(refused.value)


def test_delete_by_a_typed_full_key_works_without_echoing_it(redis_sessions):
    key = visitor_session_key()
    output = run("delete", key, "--json")
    assert json.loads(output)["outcome"] == "deleted" and key not in output
    assert not SessionStore(key).exists(key)


def test_inspector_templates_ship_with_the_app_and_housler_overrides_them_without_inline_code():
    app_templates = Path(sessions_backend.__file__).parent / "templates" / "admin"
    project_templates = Path(settings.BASE_DIR) / "templates" / "admin"
    for name in TEMPLATES:
        origin = Path(get_template(f"admin/sessions_backend/{name}").origin.name)
        assert origin == project_templates / "sessions_backend" / name, origin
        shipped = app_templates / "sessions_backend" / name
        for source in (origin.read_text(), shipped.read_text()):
            assert "style=" not in source and "<script" not in source and "<style" not in source
