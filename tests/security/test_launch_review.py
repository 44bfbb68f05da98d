"""Attacks from the launch review (README "Security"): hostile MHTML structure, a flood of
uploads, hostile CSP reports, session keys pasted into inspector URLs, a shared metrics directory.
Each test failed before its fix."""

from __future__ import annotations

import json
import logging
import os
import runpy
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from django.test import Client

from calculator import cian, webpage_files
from calculator.cian.errors import NotAWebPage
from calculator.cian.saved_page import read_saved_page
from housler import csp_report
from tests.security.test_saved_pages_hostile import LISTING_URL, mhtml
from tests.support.cian_pages import RESALE, expected, fixture_html
from tests.support.wizard_client import text
from tests.support.wizard_uploads import upload, upload_target

MB = 1024 * 1024
HEADER = b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
NESTED = b'--b\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'


def peak_while_reading(data: bytes) -> tuple[type[Exception] | None, float]:
    """(the error read_saved_page raised, peak MB allocated meanwhile)."""
    tracemalloc.start()
    try:
        read_saved_page(data, "page.mhtml")
        error = None
    except Exception as exc:  # the test compares the type
        error = type(exc)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return error, peak / MB


@pytest.mark.parametrize(
    "data",
    [
        HEADER + b"--b\r\n\r\n" * (2 * MB // 7) + b"--b--\r\n",
        HEADER + NESTED * (2 * MB // len(NESTED)),
        HEADER[:-2] + b"X-a: b\r\n" * (2 * MB // 8) + b"\r\n--b--\r\n",
    ],
    ids=["300k-tiny-parts", "nested-parts", "250k-header-fields"],
)
def test_mhtml_structure_is_capped_before_it_outgrows_memory(data: bytes) -> None:
    """2 MB of tiny parts made the stdlib parser allocate 88 MB (8 MB: 352 MB and 15 s)."""
    error, peak = peak_while_reading(data)
    assert error is NotAWebPage
    assert peak < 16 * len(data) / MB, f"{peak:.0f} MB for a {len(data) / MB:.0f} MB file"


def test_a_browser_sized_mhtml_with_many_parts_still_reads() -> None:
    listing = ("Content-Type: text/html; charset=utf-8", fixture_html(RESALE).encode())
    images = [
        (f"Content-Type: image/png\r\nContent-Location: https://x/{i}", b"png") for i in range(500)
    ]
    page = read_saved_page(mhtml([listing, *images], LISTING_URL), "page.mhtml")
    assert page.listing["price"] == expected(RESALE)["price"]
    assert webpage_files.MAX_MHTML_PARTS > 501


def test_uploads_past_the_workers_slots_are_told_to_retry_at_once(client, settings, monkeypatch):
    """Before: every thread of a worker read an 8 MB page at once (50 uploads: GET / waited 47 s,
    each worker grew to 1.8 GB). Now a worker reads HOUSLER_UPLOAD_CONCURRENCY uploads at once."""
    settings.HOUSLER_UPLOAD_CONCURRENCY = 1
    inside, release = threading.Event(), threading.Event()
    real_read = webpage_files.decode_saved_page

    def slow_decode(data: bytes):
        inside.set()
        release.wait(10)
        return real_read(data)

    monkeypatch.setattr("calculator.cian.saved_page.decode_saved_page", slow_decode)
    first: list = []
    racer = threading.Thread(target=lambda: first.append(upload_target(Client())))
    racer.start()
    assert inside.wait(10)
    started = time.monotonic()
    busy = upload_target(client)
    waited = time.monotonic() - started
    release.set()
    racer.join(10)
    assert busy.status_code == 200 and waited < 1
    assert "Сервер сейчас разбирает другие загруженные страницы" in text(busy)
    assert first[0].status_code == 302, "the upload holding the slot is read as usual"
    assert upload_target(client).status_code == 302, "the slot was released"


def test_step_two_uploads_respect_the_slots_too(client, settings) -> None:
    from tests.support.wizard_client import confirm_details, start_manual

    start_manual(client)
    confirm_details(client)
    settings.HOUSLER_UPLOAD_CONCURRENCY = 1
    with cian.upload_slot():  # another request of this worker is reading files
        page = upload("a.html", fixture_html(RESALE))
        response = client.post("/calculator/comparables/", {"action": "add_pages", "pages": page})
    assert response.status_code == 200
    assert "Сервер сейчас разбирает другие загруженные страницы" in text(response)


# --- CSP report endpoint ------------------------------------------------------------------


@pytest.fixture
def post_report(monkeypatch, caplog):
    monkeypatch.setattr(csp_report, "budget", csp_report.LogBudget())
    caplog.set_level(logging.WARNING, logger="housler.csp_report")
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    return lambda body: browser.post("/csp-report/", body, content_type="application/csp-report")


@pytest.mark.parametrize(
    "body",
    [b"[" * 5000 + b"]" * 5000, b'{"csp-report": {"document-uri": "http://[::1"}}'],
    ids=["json-nested-past-the-stack", "unparsable-address"],
)
def test_hostile_csp_reports_never_answer_500(post_report, body: bytes) -> None:
    assert post_report(body).status_code == 204


def test_csp_log_line_cannot_be_reordered_or_split(post_report, caplog) -> None:
    """U+2028 ends a line in many viewers and U+202E reverses what follows: both were logged raw."""
    report = {"blocked-uri": "http://a/\u2028FAKE\u202eEVIL", "effective-directive": "ЦИАН\x85"}
    assert post_report(json.dumps({"csp-report": report})).status_code == 204
    [record] = [r for r in caplog.records if r.name == "housler.csp_report"]
    line = record.getMessage()
    assert "\\u2028" in line and "\\u202e" in line and "\\u0085" in line
    assert not {"\u2028", "\u202e", "\x85"} & set(line) and "ЦИАН" in line


# --- the session inspector ----------------------------------------------------------------

KEY = "abcdefghijklmnopqrstuvwxyz012345abcd1234"


@pytest.mark.parametrize(
    "path",
    [f"{KEY}/", f"{KEY}/delete/", KEY, f"{KEY}/history/"],
    ids=["detail", "delete", "no-slash", "other"],
)
def test_a_key_pasted_into_an_inspector_url_is_404_even_for_anonymous(
    client, caplog, path: str
) -> None:
    """Before: the admin sent anonymous visitors to `/admin/login/?next=/admin/…/<key>/`."""
    caplog.set_level(logging.DEBUG)
    response = client.get(f"/admin/sessions_backend/livesession/{path}")
    assert response.status_code == 404 and KEY not in response.get("Location", "")
    assert not [r for r in caplog.records if KEY in r.getMessage()]


def test_a_ref_still_needs_a_login(client) -> None:
    response = client.get("/admin/sessions_backend/livesession/abcdef.0123456789abcdef/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- the gunicorn metrics directory -------------------------------------------------------

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def prepare(monkeypatch, directory: Path) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    runpy.run_path(str(CONF))["prepare_metrics_dir"]()


@pytest.mark.parametrize("kind", ["world-writable", "group-writable", "symlink"])
def test_a_metrics_directory_others_can_write_stops_the_start(monkeypatch, tmp_path, kind) -> None:
    """Before: used as is, so a planted `counter_<pid>.db` symlink had workers overwrite its
    target, and `*.db` files of others were deleted at start."""
    real = tmp_path / "metrics"
    real.mkdir(mode=0o700)
    given = real
    if kind == "symlink":
        given = tmp_path / "link"
        given.symlink_to(real)
    else:
        real.chmod(0o777 if kind == "world-writable" else 0o770)
    victim = real / "counter_1.db"
    victim.write_bytes(b"operator's file")
    with pytest.raises(SystemExit):
        prepare(monkeypatch, given)
    assert victim.read_bytes() == b"operator's file"


def test_a_private_metrics_directory_is_made_and_used(monkeypatch, tmp_path) -> None:
    directory = tmp_path / "run" / "metrics"
    prepare(monkeypatch, directory)
    assert directory.is_dir() and directory.stat().st_mode & 0o777 == 0o700
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)
