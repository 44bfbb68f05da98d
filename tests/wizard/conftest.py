"""A local stand-in for Cian serving the saved fixture pages, and wizard helpers.

The wizard runs against the real `calculator.cian` and `calculator.valuation`; only the network
is replaced, by this server (`settings.CIAN_BASE_URL` points at it).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "cian"
NEW_BUILD_ID, RESALE_ID = 315831388, 319270312
NEW_BUILD_URL = f"https://spb.cian.ru/sale/flat/{NEW_BUILD_ID}/"
RESALE_URL = f"https://spb.cian.ru/sale/flat/{RESALE_ID}/"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


LISTINGS = {
    NEW_BUILD_ID: "cian_listing_spb_3room_newbuilding_315831388.html",
    RESALE_ID: "cian_listing_spb_3room_secondary_319270312.html",
}


def card(offer_id: int, rooms: int, area: float, floor: int, total: int, price: int) -> str:
    """The saved search card with another flat's numbers in it."""
    html = fixture_text("cian_search_card_spb_6room_newbuilding_309818461.html")
    area_text = f"{area:.1f}".replace(".", ",")
    html = html.replace("309818461", str(offer_id))
    html = html.replace(
        "6-комн. квартира, 251,3 м², 9/9 этаж",
        f"{rooms}-комн. квартира, {area_text} м², {floor}/{total} этаж",
    )
    html = re.sub(r"414\s645\s000\s₽", f"{price:,}".replace(",", " ") + " ₽", html)
    return html.replace("1 650 000 ₽/м²", f"{round(price / area):,} ₽/м²".replace(",", " "))


SEARCH_CARDS = [
    (400000001, 3, 120.0, 3, 7, 70_000_000),
    (400000002, 3, 118.5, 5, 9, 66_500_000),
    (400000003, 3, 131.0, 2, 6, 79_000_000),
    (400000004, 3, 110.2, 6, 8, 62_000_000),
    (400000005, 3, 125.0, 4, 10, 74_500_000),
    (400000006, 3, 128.3, 7, 12, 71_000_000),
]


def search_page() -> str:
    cards = "".join(card(*spec) for spec in SEARCH_CARDS)
    return f"<html><head><title>Поиск</title></head><body><div>{cards}</div></body></html>"


@dataclass
class FakeCian:
    """Answers by path; `overrides` maps a path to (status, body, delay)."""

    url: str = ""
    overrides: dict[str, tuple[int, str, float]] = field(default_factory=dict)
    search_delay: float = 0.0
    hits: list[str] = field(default_factory=list)

    def reply(self, raw_path: str) -> tuple[int, str, float]:
        path = urlsplit(raw_path).path
        self.hits.append(raw_path)
        if path in self.overrides:
            return self.overrides[path]
        if path == "/cat.php":
            return 200, search_page(), self.search_delay
        match = re.fullmatch(r"/sale/flat/(\d+)/", path)
        if match and int(match.group(1)) in LISTINGS:
            return 200, fixture_text(LISTINGS[int(match.group(1))]), 0.0
        return 404, "<h1>Страница не найдена</h1>", 0.0


@pytest.fixture
def cian_server(settings) -> Iterator[FakeCian]:
    fake = FakeCian()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, body, delay = fake.reply(self.path)
            time.sleep(delay)
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CIAN_BASE_URL = fake.url
    settings.CIAN_TIMEOUT = 2.0
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> Iterator[None]:
    """Listings and rate-limit counters live in the default cache: start every test clean."""
    settings.HOUSLER_FETCH_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()
