"""Pages saved by a real browser: Debian's Chromium opens a page served by a local stand-in for
Cian and saves it the way "Веб-страница, один файл" does (CDP `Page.captureSnapshot`, MHTML),
and as `page.content()` serialises it. Nothing reaches the internet: every request that is not
to the local server is aborted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tests.support.chromium import CHROMIUM, require_chromium
from tests.support.cian_pages import CARD, NEW_BUILD, RESALE, fixture_html
from tests.support.cian_search_pages import flat_card
from tests.support.fake_cian import FakeCian, Reply
from tests.support.wizard_cian import SEARCH_CARDS

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SEARCH_PATH = "/cat.php"
SIMILAR_PATH = "/cat.php/similar/"  # six flats like the resale listing, for step 2


@dataclass(frozen=True)
class BrowserSave:
    mhtml: bytes  # "Веб-страница, один файл"
    dom_html: str  # the rendered DOM as Chromium serialises it


def search_page_html(cards: list[str] | None = None) -> str:
    """A results page around saved cards (the fixture's one by default), naming itself as
    Cian's results page does."""
    return (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Купить квартиру</title>'
        '<link rel="canonical" href="https://spb.cian.ru/cat.php?deal_type=sale&amp;offer_type=flat">'
        '</head><body><div data-name="SearchEngineResultsPage">'
        + "".join(cards or [fixture_html(CARD)])
        + "</div></body></html>"
    )


def similar_search_html() -> str:
    """The results page a visitor saves at step 2: the six SEARCH_CARDS."""
    return search_page_html([flat_card(*spec) for spec in SEARCH_CARDS])


PAGES = {
    "/sale/flat/315831388/": lambda: fixture_html(NEW_BUILD),
    "/sale/flat/319270312/": lambda: fixture_html(RESALE),
    SEARCH_PATH: search_page_html,
    SIMILAR_PATH: similar_search_html,
}


@cache
def browser_saves() -> dict[str, BrowserSave]:
    """Every page of PAGES saved once per test run, keyed by its path."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    server = FakeCian()
    for path, body in PAGES.items():
        server.routes[path] = Reply(body=body())
    saves = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=FLAGS
            )
            context = browser.new_context(java_script_enabled=False)
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(server.url) else route.abort()
                ),
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            for path in PAGES:
                page.goto(server.url + path)
                snapshot = cdp.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
                saves[path] = BrowserSave(snapshot.encode("utf-8"), page.content())
            browser.close()
    finally:
        server.close()
    return saves
