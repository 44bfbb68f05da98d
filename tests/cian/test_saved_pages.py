"""Cian pages a visitor saved in their own browser: every format gives the ground truth."""

from __future__ import annotations

import codecs

import pytest

from calculator import cian
from calculator.cian.errors import (
    NotCianPage,
    SavedListingRemoved,
    SavedPageBlocked,
    SavedPageError,
    SavedPageNotListing,
)
from calculator.cian.saved_page import SOURCE, SavedPage, display_name, read_saved_page
from calculator.webpage_files import decode_saved_page
from tests.support.browser_saves import SEARCH_PATH, browser_saves
from tests.support.cian_pages import CARD, NEW_BUILD, RESALE, expected, fixture_html, page_html
from tests.support.saved_page_files import webarchive

LISTINGS = {NEW_BUILD: "/sale/flat/315831388/", RESALE: "/sale/flat/319270312/"}
CORE = ("price", "total_area", "rooms", "floor", "total_floors", "offer_id", "url")


def assert_core_matches(page: SavedPage, name: str) -> None:
    """Price, area, rooms, floors, address, offer id and URL as the hand-checked ground truth."""
    truth = expected(name)
    assert page.kind == "listing" and page.offers == []
    listing = page.listing
    assert {key: listing[key] for key in CORE} == {key: truth[key] for key in CORE}
    assert listing["address"] == truth["address_full"]
    assert listing["source"] == SOURCE
    assert tuple(listing) == (*cian.LISTING_KEYS, "source")


@pytest.mark.slow
@pytest.mark.parametrize("name", LISTINGS)
def test_chromium_mhtml_of_a_listing_gives_the_ground_truth(name: str) -> None:
    mhtml = browser_saves()[LISTINGS[name]].mhtml
    assert mhtml.startswith(b"From: <Saved by Blink>") and b"<script" not in mhtml
    page = read_saved_page(mhtml, f"{name}.mhtml")
    assert_core_matches(page, name)
    assert page.listing["photos"][0] == expected(name)["first_photo"]  # from og:image
    assert page.filename == f"{name}.mhtml"


@pytest.mark.slow
@pytest.mark.parametrize("name", LISTINGS)
def test_dom_path_alone_names_the_offer_from_og_url(name: str) -> None:
    """Chromium's MHTML has no scripts: no state, no JSON-LD `sku`; the id comes from og:url."""
    html = decode_saved_page(browser_saves()[LISTINGS[name]].mhtml).html
    assert "_cianConfig" not in html and "application/ld+json" not in html
    listing = cian.parse_listing(html)
    assert (listing["offer_id"], listing["url"]) == (
        expected(name)["offer_id"],
        expected(name)["url"],
    )


@pytest.mark.slow
def test_chromium_mhtml_of_a_search_page_gives_its_offers() -> None:
    page = read_saved_page(browser_saves()[SEARCH_PATH].mhtml, "Купить квартиру.mhtml")
    truth = expected(CARD)
    assert page.kind == "search" and page.listing is None
    [offer] = page.offers
    for key in ("offer_id", "url", "rooms", "total_area", "floor", "total_floors", "price"):
        assert offer[key] == truth[key], key
    assert offer["source"] == SOURCE


@pytest.mark.slow
@pytest.mark.parametrize("name", LISTINGS)
def test_html_as_chromium_serialises_it_keeps_the_state(name: str) -> None:
    html = browser_saves()[LISTINGS[name]].dom_html
    page = read_saved_page(html.encode("utf-8"), "page.html")
    assert_core_matches(page, name)
    assert page.listing["lat"] == expected(name)["lat"]  # the embedded state was read


@pytest.mark.parametrize("prefix", [b"", codecs.BOM_UTF8], ids=["utf8", "utf8-bom"])
def test_firefox_html_only_is_the_raw_file(prefix: bytes) -> None:
    raw = prefix + fixture_html(NEW_BUILD).encode("utf-8")
    assert_core_matches(read_saved_page(raw, "Продается 3-комн. квартира.html"), NEW_BUILD)


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_single_byte_russian_page_with_a_meta_charset(charset: str) -> None:
    html = fixture_html(RESALE).replace('<meta charset="UTF-8">', f'<meta charset="{charset}">')
    assert f'charset="{charset}"' in html
    data = html.encode(charset, errors="xmlcharrefreplace")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert_core_matches(read_saved_page(data, "resale.htm"), RESALE)


def test_safari_webarchive() -> None:
    body = fixture_html(RESALE).encode("utf-8")
    page = read_saved_page(webarchive(body), "Продажа.webarchive")
    assert_core_matches(page, RESALE)


def test_format_comes_from_the_content_not_the_name() -> None:
    body = fixture_html(RESALE).encode("utf-8")
    assert_core_matches(read_saved_page(webarchive(body), "page.html"), RESALE)
    assert_core_matches(read_saved_page(body, "page.webarchive"), RESALE)


def test_webarchive_with_a_non_text_encoding_name_falls_back_to_sniffing() -> None:
    body = fixture_html(RESALE).encode("utf-8")
    for encoding in ("rot13", "zlib_codec", "no-such-codec", 7):
        assert_core_matches(read_saved_page(webarchive(body, encoding), "a.webarchive"), RESALE)


@pytest.mark.parametrize(
    ("handmade", "error", "words"),
    [
        ("captcha.html", SavedPageBlocked, "страница проверки ЦИАН «Я не робот»"),
        ("archived.html", SavedListingRemoved, "снятое с публикации"),
        ("archived_dom_only.html", SavedListingRemoved, "снятое с публикации"),
        ("not_listing.html", SavedPageNotListing, "не объявление и не результаты поиска"),
    ],
)
def test_cian_pages_that_are_not_a_live_listing_say_so_naming_the_file(
    handmade: str, error: type, words: str
) -> None:
    with pytest.raises(error) as info:
        read_saved_page(page_html(handmade).encode("utf-8"), f"C:\\Загрузки\\{handmade}")
    assert f"«{handmade}»" in info.value.message and words in info.value.message
    assert isinstance(info.value, SavedPageError)


def test_cian_waf_page_saved_by_mistake_is_reported_as_the_check_page() -> None:
    waf = (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>ЦИАН</title></head>'
        '<body><div id="cian_waf_block"><h1>Обнаружен подозрительный трафик</h1>'
        "<p>Подтвердите, что запросы отправляли вы</p></div></body></html>"
    )
    with pytest.raises(SavedPageBlocked) as info:
        read_saved_page(waf.encode("utf-8"), "cian.html")
    assert isinstance(info.value, cian.Blocked)


def test_a_listing_page_of_another_site_is_refused() -> None:
    html = fixture_html(RESALE).replace(
        "https://spb.cian.ru/sale/flat/319270312/", "https://www.avito.ru/sale/flat/319270312/"
    )
    with pytest.raises(NotCianPage) as info:
        read_saved_page(html.encode("utf-8"), "avito.html")
    assert info.value.message.startswith("Файл «avito.html» — страница другого сайта")


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("C:\\Users\\Иван\\Desktop\\объявление.mhtml", "объявление.mhtml"),
        ("/home/ivan/page.html", "page.html"),
        ("evil\u202egnp.html\x00\n", "evilgnp.html"),
        ("", "без имени"),
        ("а" * 200 + ".html", "а" * 59 + "…"),
    ],
)
def test_file_name_in_messages_is_the_bare_name(filename: str, shown: str) -> None:
    assert display_name(filename) == shown
