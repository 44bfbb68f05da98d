"""The PDF report: a real download for the owner and through a share link, readable (Cyrillic and
Russian numbers extract, fonts embedded), fetching nothing, bounded, and never a 500."""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from calculator import pdf
from calculator.formatting import rub
from calculator.models import ShareSnapshot
from tests.support.wizard_client import (
    add_manual_comparable,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    start_manual,
    text,
)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text a reader copies out of the PDF, spaces collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def fonts(data: bytes) -> dict[str, bool]:
    """Each font of the PDF by name, and whether its glyphs are embedded in the file."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            found[str(font["/BaseFont"])] = "/FontFile2" in descriptor.get_object()
    return found


def spaced(value: str) -> str:
    return " ".join(value.split())


@pytest.fixture
def analysed(client) -> dict:
    manual_wizard_with_comparables(client, count=5)
    assert analyze(client).status_code == 302
    page = client.get("/calculator/analysis/")
    return page.context["result"]


@pytest.fixture
def shared(client, analysed) -> ShareSnapshot:
    assert client.post("/calculator/share/", {"action": "share"}).status_code == 302
    return ShareSnapshot.objects.get()


def assert_pdf_download(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="housler-report-' in disposition
    russian = unquote(disposition.split("filename*=UTF-8''")[1])
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert russian == f"Оценка квартиры Housler {today}.pdf"
    return pdf_text(response.content)


def test_owner_downloads_a_pdf_with_the_fair_price_in_russian_numbers(client, analysed):
    analysis_page = client.get("/calculator/analysis/")
    assert 'href="/calculator/report.pdf">Скачать отчёт (PDF)</a>' in analysis_page.content.decode()

    response = client.get("/calculator/report.pdf")
    words = assert_pdf_download(response)

    fair = spaced(rub(analysed["fair_price_total"]))
    assert f"Справедливая цена {fair}" in words  # e.g. "9 632 000 ₽", as on the page
    assert "Санкт-Петербург, ул. Савушкина, 10" in words and "54,5 м²" in words
    assert "Поправки по аналогам" in words and "О методе и ограничениях" in words
    assert "стр. 1 из" in words  # numbered pages
    assert "Скачать" not in words and "← К анализу" not in words  # the page's buttons stay out
    embedded = fonts(response.content)
    assert embedded and all(embedded.values()), embedded
    assert any("DejaVu" in name for name in embedded), embedded


def test_the_printable_page_offers_the_pdf_too(client, analysed):
    page = client.get("/calculator/report/").content.decode()
    assert 'href="/calculator/report.pdf">Скачать отчёт (PDF)</a>' in page
    assert "report-pdf.css" not in page  # the PDF's own stylesheet is for the PDF only


def test_a_share_link_gives_the_same_pdf_without_any_session(client, shared, analysed, settings):
    visitor = Client()
    page = visitor.get(f"/r/{shared.token}/")
    assert f'href="/r/{shared.token}/report.pdf">Скачать отчёт (PDF)</a>' in page.content.decode()

    response = visitor.get(f"/r/{shared.token}/report.pdf")
    words = assert_pdf_download(response)
    assert spaced(rub(analysed["fair_price_total"])) in words
    assert "Копия отчёта только для просмотра" in words
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-store" in response["Cache-Control"]


def test_expired_closed_and_mistyped_share_links_get_the_russian_pages(client, shared):
    ShareSnapshot.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = Client().get(f"/r/{shared.token}/report.pdf")
    assert expired.status_code == 410 and "Ссылка устарела" in text(expired)
    missing = Client().get("/r/not-a-real-token/report.pdf")
    assert missing.status_code == 404 and "Отчёт по этой ссылке недоступен" in text(missing)


def test_no_pdf_before_the_analysis_and_none_without_a_session(client):
    fresh = Client().get("/calculator/report.pdf", follow=True)
    assert fresh.status_code == 200 and "application/pdf" not in fresh["Content-Type"]
    start_manual(client)
    confirm_details(client)
    early = client.get("/calculator/report.pdf", follow=True)
    assert "Сначала рассчитайте анализ" in text(early)


@pytest.mark.parametrize("where", ["owner", "share link"])
def test_a_rendering_failure_is_a_russian_page_not_a_500(client, shared, monkeypatch, where):
    def broken(self, *args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("weasyprint.HTML.render", broken)
    url = "/calculator/report.pdf" if where == "owner" else f"/r/{shared.token}/report.pdf"
    response = (client if where == "owner" else Client()).get(url)
    assert response.status_code == 503
    page = text(response)
    assert "Не удалось подготовить PDF" in page and "Открыть версию для печати" in page
    printable = "/calculator/report/" if where == "owner" else f"/r/{shared.token}/"
    assert f'href="{printable}"' in response.content.decode()


def test_downloads_past_the_rate_limit_are_refused_in_russian(client, analysed, settings):
    settings.HOUSLER_PDF_LIMIT = 2
    assert client.get("/calculator/report.pdf").status_code == 200
    assert client.get("/calculator/report.pdf").status_code == 200
    refused = client.get("/calculator/report.pdf")
    assert refused.status_code == 429
    assert re.search(r"Слишком много PDF подряд\. Подождите \d+ мин\.", text(refused))


def test_while_another_pdf_is_being_made_the_next_waits_then_is_told_so(
    client, analysed, monkeypatch
):
    monkeypatch.setattr(pdf, "QUEUE_SECONDS", 0.2)
    assert pdf._render_slot.acquire(timeout=1)  # a render in progress in this process
    try:
        busy = client.get("/calculator/report.pdf")
    finally:
        pdf._render_slot.release()
    assert busy.status_code == 503 and "Сейчас готовится много PDF" in text(busy)
    assert client.get("/calculator/report.pdf").status_code == 200


class CountingHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


def test_the_pdf_fetches_nothing_but_our_own_stylesheets():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    here = f"http://127.0.0.1:{server.server_port}"
    hostile = (
        f'<link rel="stylesheet" href="{here}/a.css">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="/static/../../housler/settings.py">'
        '<link rel="stylesheet" href="/static/css/../../../../etc/hostname.css">'
        f'<style>@import url("{here}/b.css"); @font-face {{ font-family: x; src: url({here}/f) }}'
        "</style>"
        f'<p>Привет <img src="{here}/c.png"><svg><image href="{here}/d.png"/></svg></p>'
        f'<iframe src="{here}/e"></iframe><object data="{here}/g"></object>'
    )
    try:
        data = pdf._write(hostile)
    finally:
        server.shutdown()
    assert CountingHandler.hits == []
    assert "Привет" in pdf_text(data)
    fetch = pdf._fetcher()
    with pytest.raises(ValueError):
        fetch(f"{here}/a.css")
    served = fetch(pdf.BASE_URL + "static/css/report-pdf.css")
    assert b"@page" in served.read()


@pytest.mark.slow  # 50 comparables added one by one, then the longest layout
def test_the_largest_report_the_wizard_allows_renders_quickly_within_the_bounds(client, settings):
    settings.HOUSLER_FETCH_LIMIT = 1000
    start_manual(client)
    confirm_details(client)
    street = "Санкт-Петербург, " + "очень длинная улица " * 24  # address fields take 500 chars
    for number in range(50):
        price, area = f"{9_000_000 + number * 37_000}", f"{50 + number % 9},{number % 10}"
        added = add_manual_comparable(client, price, area, "2", "4", "9", f"{street}{number}")
        assert added.status_code == 302, text(added)
    assert analyze(client).status_code == 302

    started = time.perf_counter()
    response = client.get("/calculator/report.pdf")
    seconds = time.perf_counter() - started
    assert_pdf_download(response)
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    assert pages <= pdf.MAX_PAGES and len(response.content) < pdf.MAX_PDF_BYTES
    assert seconds < 20, f"{seconds:.1f} s for 50 comparables"


def test_a_stored_report_past_the_bounds_is_refused_in_russian_not_laid_out(client, shared):
    payload = shared.payload
    payload["inputs"]["target"]["address"] = "Ж" * (pdf.MAX_HTML_CHARS + 1)
    ShareSnapshot.objects.filter(pk=shared.pk).update(payload=payload)
    started = time.perf_counter()
    response = Client().get(f"/r/{shared.token}/report.pdf")
    assert response.status_code == 503 and "Не удалось подготовить PDF" in text(response)
    assert time.perf_counter() - started < 5
