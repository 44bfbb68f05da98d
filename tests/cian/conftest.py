"""Fixtures for the Cian tests: the saved real pages, small hand-written pages and a local
HTTP server standing in for Cian (tests never reach the internet)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from calculator.cian import fetch

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / ".." / "shared" / "fixtures" / "cian"
PAGES = Path(__file__).resolve().parent / "pages"

NEW_BUILD = "cian_listing_spb_3room_newbuilding_315831388.html"
RESALE = "cian_listing_spb_3room_secondary_319270312.html"
CARD = "cian_search_card_spb_6room_newbuilding_309818461.html"


def fixture_html(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def page_html(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def expected(name: str) -> dict:
    data = json.loads((FIXTURES / "expected_values.json").read_text(encoding="utf-8"))
    return data[name]["expected"]


@dataclass
class Reply:
    status: int = 200
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_length: bool = True


Route = Callable[[str], Reply] | list[Reply] | Reply


class FakeCian:
    """A local server answering by path; records every request it receives."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake.requests.append({"path": self.path, "headers": dict(self.headers)})
                reply = fake.reply_for(self.path)
                time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.content_length:
                        self.send_header("Content-Length", str(len(body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def reply_for(self, raw_path: str) -> Reply:
        route = self.routes.get(urlsplit(raw_path).path)
        if route is None:
            return Reply(404, "<h1>Страница не найдена</h1>")
        if callable(route):
            return route(raw_path)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries without waiting; returns the list of pauses the fetcher asked for."""
    pauses: list[float] = []
    monkeypatch.setattr(fetch, "sleep", pauses.append)
    return pauses


@pytest.fixture
def fake_cian(settings, no_backoff) -> Iterator[FakeCian]:
    server = FakeCian()
    settings.CIAN_BASE_URL = server.url
    settings.CIAN_TIMEOUT = 2.0
    try:
        yield server
    finally:
        server.close()
