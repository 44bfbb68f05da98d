"""Saved pages a visitor uploads stay bounded (README "Security"): a hostile MHTML structure is
refused before it outgrows memory, and uploads past a worker's reading slots are told to retry."""

from __future__ import annotations

import threading
import time
import tracemalloc

import pytest
from django.test import Client

from calculator import cian, webpage_files
from calculator.cian.errors import NotAWebPage
from calculator.cian.saved_page import read_saved_page
from tests.support.cian_pages import RESALE, expected, fixture_html
from tests.support.saved_page_files import LISTING_URL, mhtml
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
    """A worker reads HOUSLER_UPLOAD_CONCURRENCY uploads at once: were all its threads to read an
    8 MB page each, 50 uploads would hold GET / for about 47 s and grow each worker to 1.8 GB."""
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
