"""One Cian page a visitor saved in their own browser → a listing or search offers.

Cian answers server traffic with an anti-bot page, so a visitor can save the page in their own
browser (Ctrl+S on a computer, the download or share menu on a phone) and upload the file
instead. `read_saved_page` checks the size before any decoding, turns away what is plainly no
page (an empty file, a PDF, a picture) with its own sentence, reads the container
(`calculator.webpage_files`, which knows browsers' file formats and nothing of Cian), decides
which Cian page it is and parses it with the same parsers as fetched pages, within the bounds of
`limits` (a page past them is `SavedPageTooComplex`). Every failure is a `SavedPageError` whose
sentence names the file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Literal

from django.utils.text import Truncator

from calculator.conf import conf
from calculator.webpage_files import DecodedPage, UnreadableFile, decode_saved_page

from . import dom
from .errors import (
    Blocked,
    CianError,
    EmptySavedPage,
    ListingRemoved,
    NotAWebPage,
    NotCianPage,
    PageTooComplex,
    ParseError,
    SavedListingRemoved,
    SavedPageBlocked,
    SavedPageNotListing,
    SavedPagePdf,
    SavedPagePicture,
    SavedPageTooComplex,
    SavedPageTooLarge,
)
from .limits import CpuBudget
from .page_config import listing_state, search_offers
from .parse import looks_blocked, parse_listing
from .search import parse_search_results
from .urls import normalize_listing_url, safe_url

SOURCE = "file"
MAX_OFFERS = 100  # a Cian results page shows 28; anything beyond is not a real page
NAME_CHARS = 60
CIAN_MARKERS = ("_cianConfig", "cdn-cian.ru", "cian.ru/", "ЦИАН")
PDF_MAGIC = b"%PDF-"
# PNG, JPEG, GIF, WebP; HEIC/HEIF (an iPhone's photos) by the brand of their `ftyp` box.
PICTURE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class SavedPage:
    kind: Literal["listing", "search"]
    filename: str  # safe to show: no folders, no control characters, at most NAME_CHARS
    listing: dict | None = None
    offers: list[dict] = field(default_factory=list)


def display_name(filename: str) -> str:
    """The file's own name as the visitor knows it, safe to put in a sentence."""
    name = PureWindowsPath(str(filename or "")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return Truncator(" ".join(name.split())).chars(NAME_CHARS) or "без имени"


def size_text(limit: int) -> str:
    """A byte cap for a sentence: "8 МБ" (whole megabytes), "900 КБ" below one."""
    mb = 1024 * 1024
    return f"{limit // mb} МБ" if limit >= mb else f"{max(1, limit // 1024)} КБ"


def refuse_non_pages(data: bytes, name: str) -> None:
    """Files people upload instead of a saved page get their own sentence: an empty file, a
    PDF of the page, a screenshot. None of them holds data to read."""
    if not data.strip():
        raise EmptySavedPage(name, "empty file")
    if data.startswith(PDF_MAGIC):
        raise SavedPagePdf(name, "PDF")
    webp = data.startswith(b"RIFF") and data[8:12] == b"WEBP"
    heif = data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS
    if data.startswith(PICTURE_MAGIC) or webp or heif:
        raise SavedPagePicture(name, "picture")


def listing_url(url: str | None) -> str | None:
    """The canonical https Cian listing URL, or None for anything else (never a live bad link)."""
    try:
        return normalize_listing_url(url) if url else None
    except CianError:
        return None


def _claimed_urls(html: str, location: str | None) -> list[str]:
    doc = dom.parse_document(html)
    return [u for u in (location, *(dom.page_urls(doc) if doc is not None else [])) if u]


def _is_cian(html: str, claimed: list[str]) -> bool:
    """A page is Cian's when it names a Cian address, or names none and carries Cian markup."""
    if claimed:
        return any(safe_url(url) for url in claimed)
    return any(marker in html for marker in CIAN_MARKERS)


def _is_search(html: str, page_listing_url: str | None) -> bool:
    if listing_state(html) is not None:
        return False
    if search_offers(html) is not None:
        return True
    return page_listing_url is None and 'data-name="CardComponent"' in html


def _read_listing(html: str, url: str | None, name: str, budget: CpuBudget) -> dict:
    try:
        listing = parse_listing(html, url=url, budget=budget)
    except PageTooComplex:
        raise
    except Blocked as exc:
        raise SavedPageBlocked(name, exc.detail) from exc
    except ListingRemoved as exc:
        raise SavedListingRemoved(name, exc.detail) from exc
    except ParseError as exc:
        raise SavedPageNotListing(name, exc.detail) from exc
    listing["url"] = url or listing_url(listing["url"])
    listing["source"] = SOURCE
    return listing


def _read_offers(html: str, name: str, budget: CpuBudget) -> list[dict]:
    offers = parse_search_results(html, budget=budget)[:MAX_OFFERS]
    if not offers:
        if looks_blocked(html):
            raise SavedPageBlocked(name, "captcha page")
        raise SavedPageNotListing(name, "search page without offers")
    for offer in offers:
        offer["url"] = listing_url(offer["url"])
        offer["source"] = SOURCE
    return offers


def read_saved_page(data: bytes, filename: str) -> SavedPage:
    """Turn one uploaded file into a listing or search offers; SavedPageError says why not."""
    name = display_name(filename)
    limit = conf.HOUSLER_SAVED_PAGE_MAX_BYTES
    if len(data) > limit:
        raise SavedPageTooLarge(name, f"{len(data)} bytes, limit {limit}", limit=size_text(limit))
    refuse_non_pages(data, name)
    budget = CpuBudget()
    try:
        page = decode_saved_page(bytes(data))
    except UnreadableFile as exc:
        raise NotAWebPage(name, str(exc)) from exc
    try:
        return _read_page(page, name, budget)
    except PageTooComplex as exc:
        raise SavedPageTooComplex(name, exc.detail) from exc


def _read_page(page: DecodedPage, name: str, budget: CpuBudget) -> SavedPage:
    claimed = _claimed_urls(page.html, page.location)
    if not _is_cian(page.html, claimed):
        raise NotCianPage(name, "no Cian address or markup")
    url = next((u for u in map(listing_url, claimed) if u), None)
    budget.check("page kind")
    if _is_search(page.html, url):
        return SavedPage("search", name, offers=_read_offers(page.html, name, budget))
    return SavedPage("listing", name, listing=_read_listing(page.html, url, name, budget))
