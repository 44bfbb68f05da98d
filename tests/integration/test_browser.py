"""A newcomer in a real headless Chromium: values a flat by hand, adds five comparables, reads
the verdict and downloads the report; then an operator opens the session inspector. All of it
under the site's Content-Security-Policy, which must not block anything: any violation fails the
test. Screenshots of every step go to test-artifacts/browser/."""

import os
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("HOUSLER_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COMPARABLES = [
    ("11 900 000", "52,0", "2"),
    ("12 800 000", "55,5", "2"),
    ("12 300 000", "54", "2"),
    ("13 400 000", "57,2", "2"),
    ("12 100 000 ₽", "53.8", "2"),
]
# Five saved comparable pages: the resale listing as other flats (price, area).
SAVED_COMPARABLES = [
    (71_000_000, 101.5),
    (78_500_000, 110.0),
    (69_900_000, 98.7),
    (82_000_000, 115.3),
    (74_000_000, 104.0),
]


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            "Chromium is missing: `make test` installs it (apt-get install chromium) as root"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def test_newcomer_values_a_flat_by_hand_and_downloads_the_report(gunicorn, browser, tmp_path):
    server = gunicorn(workers=2)
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, accept_downloads=True)
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    violations = csp_violations(page)

    page.goto(server.url + "/")
    page.screenshot(path=shots / "1-landing.png", full_page=True)
    page.get_by_role("link", name="Оценить квартиру").click()

    page.get_by_label("Адрес").first.fill("Москва, Ленинский проспект, 37")
    page.get_by_label("Цена, ₽").first.fill("12 500 000 ₽")
    page.get_by_label("Общая площадь, м²").first.fill("54,5")
    page.locator("#id_manual-rooms").select_option("2")
    page.locator("#id_manual-floor").fill("5")
    page.locator("#id_manual-total_floors").fill("12")
    page.screenshot(path=shots / "2-manual.png", full_page=True)
    page.locator("form:has([name=action][value=manual]) button[type=submit]").click()

    page.locator("#id_details-repair_level").select_option("улучшенная")
    page.screenshot(path=shots / "3-details.png", full_page=True)
    page.locator("form:has([name=action][value=details]) button[type=submit]").click()

    for price, area, rooms in COMPARABLES:
        page.locator("#id_add_manual-price").fill(price)
        page.locator("#id_add_manual-total_area").fill(area)
        page.locator("#id_add_manual-rooms").select_option(rooms)
        page.locator("form:has([name=action][value=add_manual]) button[type=submit]").click()
    assert "Приемлемо" in page.content(), "five comparables: the quality indicator says so"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal scroll"
    page.screenshot(path=shots / "4-comparables.png", full_page=True)
    assert_search_button_script_runs(page)
    page.locator("form:has([name=action][value=analyze]) button[type=submit]").click()

    verdict = page.locator("section.verdict .label").inner_text()
    assert verdict in {"Цена выше рынка", "Цена ниже рынка", "Цена в рынке"}
    assert "Справедливая цена" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal scroll"
    page.screenshot(path=shots / "5-analysis.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать отчёт (текстовый файл)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("housler_report_")
    report = tmp_path / download.suggested_filename
    download.save_as(report)
    text = report.read_text(encoding="utf-8")
    assert "Ленинский проспект, 37" in text and verdict in text

    visit_the_session_inspector(page, server, shots)
    assert violations == [] and console_errors == []
    assert_csp_blocks_and_reports_inline_code(page, server, violations)


def csp_violations(page) -> list[str]:
    """Chromium reports every CSP violation on the console: collect them."""
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def assert_search_button_script_runs(page) -> None:
    """static/js/search-busy.js loads under the CSP: a submit of the search form (dispatched
    without sending it) turns the button into a disabled "searching" notice."""
    page.evaluate("document.getElementById('search').dispatchEvent(new Event('submit'))")
    button = page.locator("#find-button")
    assert button.is_disabled() and button.inner_text().startswith("Ищем… до ")
    page.reload()


def visit_the_session_inspector(page, server, shots: Path) -> None:
    """The Django admin (its own static JS) and our inspector templates, under the CSP."""
    user = "from django.contrib.auth.models import User; User.objects.create_superuser"
    server.manage("shell", "-c", user + "('ops', '', 'pw')")
    page.goto(server.url + "/admin/sessions_backend/livesession/")
    page.locator("#id_username").fill("ops")
    page.locator("#id_password").fill("pw")
    page.locator("input[type=submit]").click()
    page.locator("#result_list tbody a").first.click()
    assert "Ленинский проспект, 37" in page.locator("#session-data").inner_text()
    assert page.locator("#session-data").evaluate("e => getComputedStyle(e).whiteSpace") == (
        "pre-wrap"
    ), "sessions_backend/inspector.css is applied"
    page.screenshot(path=shots / "6-admin-session.png", full_page=True)


def assert_csp_blocks_and_reports_inline_code(page, server, violations: list[str]) -> None:
    """The control: an injected inline script is blocked, seen on the console and reported to
    /csp-report/, which logs it. So the silence above means no violation, not a deaf test."""
    assert "/csp-report/" not in server.access_log.read_text(), "no report during the visit"
    injected = "var s = document.createElement('script'); s.textContent = 'window.ran = 1';"
    ran = page.evaluate(f"() => {{ {injected} document.head.appendChild(s); return window.ran }}")
    assert ran is None and any("inline script" in v for v in violations)
    answered = ' 204 "POST /csp-report/ '  # gunicorn logs the request once it is answered
    deadline = time.monotonic() + 10
    while answered not in server.access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answered in server.access_log.read_text()
    assert "CSP violation" in server.output.read_text()


@pytest.fixture
def saved_listing_mhtml() -> bytes:
    """Chromium's "Веб-страница, один файл" of the resale listing (its own browser, closed again
    before the `browser` fixture starts)."""
    from tests.support.browser_saves import browser_saves

    return browser_saves()["/sale/flat/319270312/"].mhtml


def test_newcomer_uploads_saved_pages_and_reaches_a_verdict_without_typing(
    saved_listing_mhtml, gunicorn, browser, tmp_path
):
    from tests.support.cian_pages import listing_variant

    server = gunicorn(workers=2)
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "Объявление.mhtml"
    target.write_bytes(saved_listing_mhtml)
    comparables = []
    for number, (price, area) in enumerate(SAVED_COMPARABLES, start=1):
        path = tmp_path / f"Аналог {number}.html"
        path.write_text(listing_variant(400000010 + number, price, area), encoding="utf-8")
        comparables.append(path)

    console_errors: list[str] = []
    for width, height, name in ((390, 844, "mobile"), (1280, 900, "desktop")):
        page = browser.new_page(viewport={"width": width, "height": height})
        violations = csp_violations(page)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.goto(server.url + "/calculator/")
        page.locator("#by-file summary").click()
        page.screenshot(path=shots / f"upload-1-{name}.png", full_page=True)
        page.locator("#by-file input[type=file]").set_input_files(target)
        page.locator("#by-file button[type=submit]").click()
        assert "75 000 000 ₽" in page.content(), "the saved listing is the flat now"
        summary = page.locator("section.summary").inner_text()
        assert "монолит, 2022, 9 эт." in summary and "м. Спортивная, 6 мин на транспорте" in summary
        page.locator("form:has([name=action][value=details]) button[type=submit]").click()

        page.locator("#add-pages input[type=file]").set_input_files(comparables)
        page.locator("#add-pages button[type=submit]").click()
        assert "добавлено аналогов — 5" in page.content()
        assert page.content().count("Источник: файл") == 5
        assert "Приемлемо" in page.content()
        facts = page.locator("#list .facts").all_inner_texts()
        assert facts == ["монолит, 2022, 9 эт. · 6 мин на транспорте · вторичка"] * 5
        table = page.locator("#list .table-scroll").bounding_box()
        exclude = page.get_by_role("button", name="Исключить аналог №5").bounding_box()
        assert exclude["x"] + exclude["width"] <= table["x"] + table["width"], "no sideways scroll"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=shots / f"upload-2-{name}.png", full_page=True)
        page.locator("form:has([name=action][value=analyze]) button[type=submit]").click()

        verdict = page.locator("section.verdict .label").inner_text()
        assert verdict in {"Цена выше рынка", "Цена ниже рынка", "Цена в рынке"}
        page.screenshot(path=shots / f"upload-3-{name}.png", full_page=True)
        assert violations == [], "the upload pages run under the CSP"
        page.close()
    assert console_errors == []


# Whether an element is wholly inside the window, as the visitor sees the page now.
IN_VIEW = (
    "e => { const r = e.getBoundingClientRect(); return r.top > -1 && r.bottom < innerHeight + 1 }"
)


def test_newcomer_blocked_by_cian_is_led_to_the_saved_page_way_on_a_phone(
    saved_listing_mhtml, gunicorn, browser, tmp_path
):
    """Cian turns the server away: each refused link says why, its message is in view where the
    visitor typed it, the guide names the browser's own menu items, and the saved pages carry
    the visitor to a list that fits a 390 px screen."""
    from tests.support.cian_pages import listing_variant
    from tests.support.fake_cian import FakeCian, Reply
    from tests.support.wizard_cian import NEW_BUILD_URL, RESALE_URL, WAF_PAGE

    cian = FakeCian()
    cian.routes["/sale/flat/319270312/"] = cian.routes["/sale/flat/315831388/"] = Reply(
        403, WAF_PAGE
    )
    server = gunicorn(workers=1, CIAN_BASE_URL=cian.url)
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "Объявление.mhtml"
    target.write_bytes(saved_listing_mhtml)
    comparable = tmp_path / "Аналог.html"
    comparable.write_text(listing_variant(400000021, 71_000_000, 101.5), encoding="utf-8")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    violations = csp_violations(page)
    try:
        page.goto(server.url + "/calculator/")
        page.locator("#by-url input[name=url]").fill(RESALE_URL)
        page.locator("#by-url button[type=submit]").click()
        assert "ЦИАН не пускает наш сервер" in page.locator("#by-url .error").inner_text()
        page.get_by_role("link", name="Как сохранить страницу ЦИАН и загрузить файл").click()
        guide = page.locator("#save-guide")
        assert guide.evaluate("e => e.open") and guide.locator("summary").evaluate(IN_VIEW)
        assert "«Веб-страница полностью» или «Веб-страница, один файл»" in guide.inner_text()
        page.screenshot(path=shots / "blocked-1-guide-mobile.png", full_page=True)

        page.locator("#by-file input[type=file]").set_input_files(target)
        page.locator("#by-file button[type=submit]").click()
        page.locator("form:has([name=action][value=details]) button[type=submit]").click()
        page.locator("#add-url input[name=url]").fill(NEW_BUILD_URL)
        page.locator("#add-url button[type=submit]").click()
        error = page.locator("#add-url .error")
        assert "ЦИАН не пускает наш сервер" in error.inner_text()
        assert error.evaluate(IN_VIEW), "the message shows where the link was typed"
        page.screenshot(path=shots / "blocked-2-add-url-mobile.png")

        page.locator("#add-pages input[type=file]").set_input_files(comparable)
        page.locator("#add-pages button[type=submit]").click()
        exclude = page.get_by_role("button", name="Исключить аналог №1")
        box = exclude.bounding_box()
        assert box["x"] + box["width"] <= 390, "the list needs no sideways scroll"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=shots / "blocked-3-list-mobile.png", full_page=True)
        assert violations == []
    finally:
        page.close()
        cian.close()
