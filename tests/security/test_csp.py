"""Content-Security-Policy: every page sends it, no page carries inline code, and violation
reports reach the log (bounded) without secrets. A real browser: tests/integration/test_browser.py.

This module is also the URLconf of the 500-page test (`boom/` plus the site's own routes).
"""

import json
import logging
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path

from calculator.models import ShareSnapshot
from housler import csp_report
from housler import urls as site_urls
from sessions_backend import engine
from sessions_backend.exceptions import SessionUnavailable
from sessions_backend.inspector import session_ref
from tests.support.session_admin import LIST_URL, staff, wizard_session
from tests.support.wizard_client import (
    add_manual_comparable,
    analyze,
    manual_wizard_with_comparables,
)

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REQUIRED = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "report-uri": "/csp-report/",
}
# Inline code a CSP without 'unsafe-inline' blocks: a <script> without src, <style>, style="…",
# on…= event handlers and javascript: URLs.
INLINE_CODE = re.compile(
    r"<script\b(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in pairs}


def assert_protected(response, status: int = 200) -> None:
    """The page has the expected status, the whole policy, and no inline code to be blocked."""
    assert response.status_code == status, response.content[:300]
    policy = directives(response)
    assert {name: policy.get(name) for name in REQUIRED} == REQUIRED
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    found = INLINE_CODE.findall(response.content.decode())
    assert found == [], f"{response.request['PATH_INFO']}: inline code {found}"


def test_no_template_has_inline_code():
    offenders = [
        f"{file.relative_to(TEMPLATES)}: {match.group()}"
        for file in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE_CODE.finditer(file.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_inline_code_pattern_catches_what_csp_blocks():
    blocked = [
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        "<style>p{}</style>",
        '<p style="margin:0">',
        '<form onsubmit="go()">',
        '<a href="javascript:void(0)">',
    ]
    allowed = ['<script src="/static/js/a.js" defer></script>', '<p class="small">', "<svg>"]
    assert [bool(INLINE_CODE.search(html)) for html in blocked] == [True] * len(blocked)
    assert [bool(INLINE_CODE.search(html)) for html in allowed] == [False] * len(allowed)


def test_every_wizard_page_and_the_report(client):
    assert_protected(client.get("/"))
    assert_protected(client.get("/calculator/"))
    manual_wizard_with_comparables(client, count=4)
    assert_protected(client.get("/calculator/"))
    comparables = client.get("/calculator/comparables/")
    assert_protected(comparables)
    assert "/static/js/search-busy.js" in comparables.content.decode()
    assert add_manual_comparable(client, "9 000 000", "50").status_code == 302
    assert analyze(client).status_code == 302
    assert_protected(client.get("/calculator/analysis/"))
    assert_protected(client.get("/calculator/report/"))
    assert client.post("/calculator/share/", {"action": "share"}).status_code == 302
    assert_protected(Client().get(f"/r/{ShareSnapshot.objects.get().token}/"))


def test_error_pages(client, settings, monkeypatch):
    assert_protected(client.get("/no-such-page/"), 404)
    assert_protected(client.get("/r/not-a-real-token/"), 404)
    assert_protected(client.post("/calculator/", {"action": "drop_tables"}), 400)
    assert_protected(client.get("/csp-report/"), 405)
    too_big = "я" * settings.HOUSLER_MAX_REQUEST_BYTES
    assert_protected(client.post("/calculator/analysis/", {"action": "analyze", "x": too_big}), 413)
    checked = Client(enforce_csrf_checks=True)
    assert_protected(checked.post("/calculator/", {"action": "manual"}), 403)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32  # a session the store no longer has
    expired = client.get("/calculator/comparables/")
    assert_protected(expired)
    assert "Сессия истекла" in expired.content.decode()

    def unavailable(self):
        raise SessionUnavailable(7)

    monkeypatch.setattr(engine.SessionStore, "load", unavailable)
    client.cookies[settings.SESSION_COOKIE_NAME] = "y" * 32
    assert_protected(client.get("/calculator/comparables/"), 503)


@pytest.mark.urls("tests.security.test_csp")
def test_server_error_page():
    response = Client(raise_request_exception=False).get("/boom/")
    assert_protected(response, 500)


def test_admin_and_the_session_inspector(client, fake_sessions):
    assert_protected(client.get("/admin/login/"))
    client.force_login(staff("ops", "view_live_sessions", "delete_live_sessions"))
    key = wizard_session("Москва, Тверская ул., 1", comparables=2)
    assert_protected(client.get("/admin/"))
    assert_protected(client.get(LIST_URL))
    detail = client.get(f"{LIST_URL}{session_ref(key)}/")
    assert_protected(detail)
    assert "sessions_backend/inspector.css" in detail.content.decode()  # JSON box scrolls
    assert_protected(client.get(f"{LIST_URL}{session_ref(key)}/delete/"))
    client.force_login(User.objects.create_superuser("root", password="pw"))
    assert_protected(client.get("/admin/auth/user/"))
    assert_protected(client.get(f"/admin/auth/user/{User.objects.get(username='ops').pk}/change/"))


# --- the report endpoint ---------------------------------------------------------------------

SHARE_TOKEN = "Zq3xK9mLwP0aB7cD1eF2gH4iJ6kL8mN0"
VIOLATION = {
    "csp-report": {
        "document-uri": f"http://testserver/r/{SHARE_TOKEN}/?utm=secret#top",
        "blocked-uri": "inline",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "source-file": "http://testserver/calculator/comparables/?q=1",
        "line-number": 91,
        "original-policy": "default-src 'self'",
    }
}


@pytest.fixture
def reports(monkeypatch, caplog):
    """A fresh log budget; returns a poster that uses a CSRF-enforcing client, as browsers do."""
    monkeypatch.setattr(csp_report, "budget", csp_report.LogBudget())
    caplog.set_level(logging.WARNING, logger="housler.csp_report")
    browser = Client(enforce_csrf_checks=True)

    def post(body, content_type="application/csp-report"):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return browser.post("/csp-report/", data, content_type=content_type)

    return post


def logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "housler.csp_report"]


def test_a_violation_is_logged_at_warning_without_secrets(reports, caplog):
    assert reports(VIOLATION).status_code == 204
    [line] = logged(caplog)
    assert caplog.records[-1].levelno == logging.WARNING
    assert "script-src-elem" in line and '"blocked-uri": "inline"' in line
    assert "/r/Zq3xK9…/" in line and "/calculator/comparables/" in line
    assert SHARE_TOKEN not in line and "utm" not in line and "q=1" not in line


def test_reporting_api_format(reports, caplog):
    body = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "http://testserver/",
                **{
                    "blockedURL": "http://evil.example/x.js",
                    "effectiveDirective": "script-src-elem",
                },
            },
        },
        {"type": "deprecation", "body": {"message": "not ours"}},
    ]
    assert reports(body, "application/reports+json").status_code == 204
    [line] = logged(caplog)
    assert "http://evil.example/x.js" in line and "script-src-elem" in line


def test_hostile_bodies_are_refused_or_ignored(reports, caplog):
    assert reports(b"x" * (csp_report.MAX_BODY_BYTES + 1)).status_code == 413
    assert reports(b"not json").status_code == 204
    assert reports({"csp-report": "a string"}).status_code == 204
    forged = {"csp-report": {"blocked-uri": "inline\nWARNING forged line", "line-number": [1]}}
    assert reports(forged).status_code == 204
    [line] = logged(caplog)
    assert "\n" not in line and "\\n" in line
    assert Client().get("/csp-report/").status_code == 405


def test_logging_is_bounded_per_minute(reports, caplog, settings):
    settings.CSP_REPORT_LOG_LIMIT = 3
    for _ in range(5):
        assert reports(VIOLATION).status_code == 204
    assert len(logged(caplog)) == 3
    csp_report.budget.started -= csp_report.WINDOW_SECONDS  # a minute later
    reports(VIOLATION)
    assert logged(caplog)[3:] == [
        "CSP violation reports not logged (over the limit): 2",
        logged(caplog)[0],
    ]
