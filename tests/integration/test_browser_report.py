"""The report leaves the site on a phone (390 px, headless Chromium against real gunicorn): the
share link's copy button puts the link on the clipboard, the PDF downloads and reads the fair price,
and all of it works with JavaScript off, for the owner and through the share link."""

import io
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.chromium import ARTIFACTS, csp_violations, type_comparables

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


def value_a_flat_by_hand(page, url: str) -> None:
    page.goto(url + "/calculator/")
    page.get_by_label("Адрес").first.fill("Москва, Ленинский проспект, 37")
    page.get_by_label("Цена, ₽").first.fill("12 500 000 ₽")
    page.get_by_label("Общая площадь, м²").first.fill("54,5")
    page.locator("#id_manual-rooms").select_option("2")
    page.locator("form:has([name=action][value=manual]) button[type=submit]").click()
    page.locator("form:has([name=action][value=details]) button[type=submit]").click()
    type_comparables(page)
    page.locator("form:has([name=action][value=analyze]) button[type=submit]").click()


def download_pdf(page, tmp_path) -> str:
    """Tap "Скачать отчёт (PDF)": a real download with its Russian name; the PDF's text."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать отчёт (PDF)").first.click()
    download = download_info.value
    assert download.suggested_filename == f"Оценка квартиры Housler {date.today():%d.%m.%Y}.pdf"
    saved = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.pdf"
    download.save_as(saved)
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def spaced(value: str) -> str:
    return " ".join(value.split())


def test_owner_copies_the_share_link_and_downloads_the_pdf(gunicorn, browser, tmp_path):
    server = gunicorn(workers=1)
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    violations = csp_violations(page)

    value_a_flat_by_hand(page, server.url)
    fair = spaced(page.locator(".fair-price").first.inner_text())
    assert re.fullmatch(r"\d{1,3}( \d{3})+ ₽", fair), fair
    assert fair in download_pdf(page, tmp_path)

    page.get_by_role("button", name="Поделиться ссылкой").click()
    link = page.locator("#share-url").input_value()
    assert re.fullmatch(re.escape(server.url) + r"/r/[\w-]{32,}/", link), link
    page.get_by_role("button", name="Скопировать ссылку").click()
    expect(page.locator(".share-status")).to_have_text("Ссылка скопирована")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#share").screenshot(path=ARTIFACTS / "browser" / "share-copy.png")
    assert violations == [] and console_errors == []
    assert_clipboard_refused_selects_the_link(browser, context.cookies(), server.url, link)

    without_js = browser.new_context(
        viewport=PHONE, accept_downloads=True, java_script_enabled=False
    )
    without_js.add_cookies(context.cookies())
    owner = without_js.new_page()
    owner.goto(server.url + "/calculator/analysis/")
    assert owner.locator("#share-url").input_value() == link  # shown, selectable by hand
    assert owner.get_by_role("button", name="Скопировать ссылку").count() == 0
    assert fair in download_pdf(owner, tmp_path)

    recipient = browser.new_context(
        viewport=PHONE, accept_downloads=True, java_script_enabled=False
    ).new_page()
    recipient.goto(link)
    assert spaced(recipient.locator(".fair-price").first.inner_text()) == fair
    words = download_pdf(recipient, tmp_path)
    assert fair in words and "Ленинский проспект, 37" in words


def assert_clipboard_refused_selects_the_link(chromium, cookies, url: str, link: str) -> None:
    """Without clipboard permission the button falls back to selecting the whole link."""
    context = chromium.new_context(viewport=PHONE)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(url + "/calculator/analysis/")
    refuse = "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('no')); }"
    page.evaluate(refuse)
    page.get_by_role("button", name="Скопировать ссылку").click()
    expect(page.locator(".share-status")).to_have_text(re.compile("^Ссылка (скопирована|выделена)"))
    selected = page.evaluate(
        "(() => { const i = document.activeElement;"
        " return i.id === 'share-url' ? i.value.slice(i.selectionStart, i.selectionEnd) : ''; })()"
    )
    assert selected == link
    context.close()
