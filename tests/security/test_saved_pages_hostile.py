"""Hostile files uploaded as "saved Cian pages": each ends in a typed error naming the file or in
a clean listing, never in another exception, a live bad link, a memory blow-up or a fetch."""

from __future__ import annotations

import plistlib
import random
import socket
import tracemalloc
import zlib

import pytest

from calculator.cian import saved_page
from calculator.cian.errors import NotAWebPage, NotCianPage, SavedPageError, SavedPageTooLarge
from calculator.cian.saved_page import read_saved_page
from tests.support.browser_saves import browser_saves, search_page_html
from tests.support.cian_pages import RESALE, expected, fixture_html
from tests.support.cian_search_pages import card_variant
from tests.support.saved_page_files import LISTING_URL, mhtml

MB = 1024 * 1024


def gzip_bomb(inflated: int) -> bytes:
    """`inflated` bytes of zeros, gzip-compressed chunk by chunk (the test never holds them)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MB)
    return b"".join(packer.compress(chunk) for _ in range(inflated // MB)) + packer.flush()


def assert_outcome_is_clean(data: bytes, filename: str = "page.mhtml") -> None:
    try:
        page = read_saved_page(data, filename)
    except SavedPageError as exc:
        assert f"«{filename}»" in exc.message
        return
    assert "javascript" not in repr(page).lower()


RANDOM = random.Random(20261206)


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (RANDOM.randbytes(64 * 1024), "— не сохранённая веб-страница"),
        (b"\x89PNG\r\n\x1a\n" + RANDOM.randbytes(4096), "— картинка, из неё данные не прочитать"),
        (b"\xff\xd8\xff\xe0" + RANDOM.randbytes(4096), "— картинка, из неё данные не прочитать"),
        (b"\x00\x00\x00\x18ftypheic" + RANDOM.randbytes(4096), "— картинка"),
        (
            b"%PDF-1.7\n1 0 obj <</Title (<html><body>cian.ru/</body></html>)>>",
            "— PDF, из него данные не прочитать. Сохраните страницу как веб-архив",
        ),
        (b"PK\x03\x04" + RANDOM.randbytes(4096), "— не сохранённая веб-страница"),
        (b"", "пустой — страница не сохранилась"),
        (b" \r\n\t ", "пустой — страница не сохранилась"),
        (
            "Объявление: 3-комн. квартира, 75 000 000 ₽ cian.ru/".encode(),
            "— не сохранённая веб-страница",
        ),
        (b"<html>" + b"\x00" * 100, "— не сохранённая веб-страница"),
    ],
    ids=[
        "random",
        "png",
        "jpeg",
        "heic",
        "pdf",
        "zip",
        "empty",
        "blank",
        "plain-text",
        "nul-bytes",
    ],
)
def test_what_is_not_a_web_page_is_named_as_such(data: bytes, sentence: str) -> None:
    """Each says what the file is and what to do instead; none suggests the same again."""
    with pytest.raises(NotAWebPage) as info:
        read_saved_page(data, "скан.jpg")
    assert info.value.message.startswith(f"Файл «скан.jpg» {sentence}")
    assert "Ctrl+S" not in info.value.message


def test_file_over_the_cap_is_refused_before_any_decoding(settings, monkeypatch) -> None:
    settings.HOUSLER_SAVED_PAGE_MAX_BYTES = 5 * MB
    page = fixture_html(RESALE).encode("utf-8")
    big = page.replace(b"</body>", b"<!--" + b"x" * (6 * MB) + b"--></body>")

    def never(data: bytes) -> None:
        raise AssertionError("decoded a file over the cap")

    monkeypatch.setattr(saved_page, "decode_saved_page", never)
    with pytest.raises(SavedPageTooLarge) as info:
        read_saved_page(big, "big.html")
    assert "«big.html» слишком большой: мы принимаем файлы до 5 МБ" in info.value.message
    assert "без картинок" in info.value.message and "введите данные вручную" in info.value.message
    monkeypatch.undo()
    settings.HOUSLER_SAVED_PAGE_MAX_BYTES = len(page)
    assert read_saved_page(page, "fits.html").listing["price"] == expected(RESALE)["price"]


@pytest.mark.parametrize(
    "data",
    [
        '<!DOCTYPE html><html><head><meta property="og:url" content="https://www.avito.ru/1">'
        "</head><body><h1>3-комн. квартира, 75 м²</h1></body></html>".encode(),
        "<!DOCTYPE html><html><body><h1>Продаётся квартира</h1><p>75 000 000 руб.</p>".encode(),
        mhtml(
            [("Content-Type: text/html", b"<html><body>Hi</body></html>")], "https://evil.example/"
        ),
        fixture_html(RESALE)
        .replace(LISTING_URL, "https://cian.ru.evil.example/sale/flat/1/")
        .encode(),
    ],
    ids=["other-site-og-url", "no-address-no-cian-markup", "mhtml-of-other-site", "look-alike"],
)
def test_a_page_of_another_site_is_refused(data: bytes) -> None:
    with pytest.raises(NotCianPage) as info:
        read_saved_page(data, "page.html")
    assert "страница другого сайта" in info.value.message


def test_javascript_links_never_come_out() -> None:
    only_js = fixture_html(RESALE).replace(LISTING_URL, "javascript:alert(1)")
    with pytest.raises(NotCianPage):
        read_saved_page(only_js.encode(), "page.html")

    marked = f"<!-- saved from url=(0040){LISTING_URL} -->\n" + only_js
    listing = read_saved_page(marked.encode(), "page.html").listing
    assert listing["url"] == LISTING_URL and "javascript" not in repr(listing)

    cards = search_page_html().replace(
        'href="https://spb.cian.ru/sale/flat/309818461/"',
        "href=\"javascript:fetch('//evil.example/sale/flat/309818461/')\"",
    )
    [offer] = read_saved_page(cards.encode(), "search.html").offers
    assert offer["url"] == "https://www.cian.ru/sale/flat/309818461/"
    assert "javascript" not in repr(offer) and "evil" not in repr(offer)


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.0005, 0.01, 0.3, 0.6, 0.9, 0.999])
def test_truncated_chromium_mhtml_ends_cleanly(fraction: float) -> None:
    whole = browser_saves()["/sale/flat/319270312/"].mhtml
    assert_outcome_is_clean(whole[: int(len(whole) * fraction)])


@pytest.mark.parametrize(
    "data",
    [
        plistlib.dumps([1, 2, 3], fmt=plistlib.FMT_BINARY),
        plistlib.dumps({"WebSubresources": []}, fmt=plistlib.FMT_BINARY),
        plistlib.dumps({"WebMainResource": "html"}, fmt=plistlib.FMT_BINARY),
        plistlib.dumps({"WebMainResource": {"WebResourceData": "<html>"}}, fmt=plistlib.FMT_BINARY),
        plistlib.dumps(
            {"WebMainResource": {"WebResourceData": b"\x89PNG"}}, fmt=plistlib.FMT_BINARY
        ),
        b"bplist00" + RANDOM.randbytes(2048),
        plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY)[:-32] + b"\xff" * 32,
    ],
    ids=[
        "array",
        "no-main",
        "main-is-string",
        "data-is-string",
        "data-is-png",
        "garbage",
        "trailer",
    ],
)
def test_property_list_of_the_wrong_shape_is_not_a_web_page(data: bytes) -> None:
    with pytest.raises(NotAWebPage):
        read_saved_page(data, "page.webarchive")


def test_zip_bomb_in_a_base64_part_is_never_inflated() -> None:
    bomb = gzip_bomb(128 * MB)
    root = "Content-Type: text/html\r\nContent-Encoding: gzip"
    listing_root = ("Content-Type: text/html; charset=utf-8", fixture_html(RESALE).encode())
    extra = "Content-Type: image/jpeg\r\nContent-Encoding: gzip\r\nContent-Location: https://x/1"
    tracemalloc.start()
    try:
        with pytest.raises(NotAWebPage):
            read_saved_page(mhtml([(root, bomb)]), "bomb.mhtml")
        page = read_saved_page(mhtml([listing_root, (extra, bomb)]), "bomb.mhtml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert page.listing["price"] == expected(RESALE)["price"]
    assert peak < 32 * MB, f"peak {peak / MB:.0f} MB while reading a {len(bomb) / MB:.1f} MB bomb"


@pytest.mark.parametrize("charset", ["rot13", "utf-16", "base64", "x" * 300, "utf-7"])
def test_hostile_declared_charset_still_reads_the_page(charset: str) -> None:
    html = fixture_html(RESALE).replace('<meta charset="UTF-8">', f'<meta charset="{charset}">')
    assert_outcome_is_clean(html.encode("utf-8"), "page.html")


def test_search_offers_are_capped(monkeypatch) -> None:
    monkeypatch.setattr(saved_page, "MAX_OFFERS", 3)
    cards = "".join(map(card_variant, range(1, 6)))
    page = search_page_html().replace("</div></body>", cards + "</div></body>")
    offers = read_saved_page(page.encode(), "search.html").offers
    assert [offer["offer_id"] for offer in offers] == [309818461, 1, 2]


def test_nothing_the_page_references_is_fetched(monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a saved page made us open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    html = fixture_html(RESALE)
    assert html.count("https://") > 50
    assert read_saved_page(html.encode(), "page.html").listing["price"] == 75000000
