"""`CIAN_PROXY_URL`: Cian traffic (and only it) goes through the proxy; its password never shows."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core.checks import run_checks
from django.test import override_settings

from calculator import cian
from housler.checks import check_cian_proxy
from housler.health import ListingSourceCheck
from tests.support.cian_pages import RESALE, fixture_html
from tests.support.fake_cian import Reply

LISTING_URL = "https://spb.cian.ru/sale/flat/319270312/"
SECRET = "pr0xy-s3cret"


class ForwardProxy:
    """A plain HTTP forward proxy (absolute-URI GET, no CONNECT) that records what it saw."""

    def __init__(self) -> None:
        self.seen: list[dict] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                proxy.seen.append(
                    {"target": self.path, "auth": self.headers["Proxy-Authorization"]}
                )
                upstream = requests.get(self.path, timeout=5, allow_redirects=False)
                self.send_response(upstream.status_code)
                for name in ("Content-Type", "Location"):
                    if name in upstream.headers:
                        self.send_header(name, upstream.headers[name])
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        # shutdown() waits for the serving loop's next poll: poll often, close at once.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    server = ForwardProxy()
    yield server
    server.close()


def test_cian_requests_go_through_the_proxy_with_its_credentials(fake_cian, proxy, settings):
    settings.CIAN_PROXY_URL = f"http://housler:{SECRET}@127.0.0.1:{proxy.port}"
    fake_cian.routes["/sale/flat/319270312/"] = Reply(body=fixture_html(RESALE))
    assert cian.fetch_listing(LISTING_URL)["offer_id"] == 319270312
    [seen] = proxy.seen
    assert seen["target"] == f"{fake_cian.url}/sale/flat/319270312/"
    assert seen["auth"] == "Basic " + base64.b64encode(f"housler:{SECRET}".encode()).decode()
    assert len(fake_cian.requests) == 1


def test_without_the_setting_no_environment_proxy_is_used(fake_cian, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.port}")
    fake_cian.routes["/sale/flat/319270312/"] = Reply(body=fixture_html(RESALE))
    assert cian.fetch_listing(LISTING_URL)["offer_id"] == 319270312
    assert proxy.seen == [] and len(fake_cian.requests) == 1


def test_ssrf_rules_hold_through_the_proxy(fake_cian, proxy, settings):
    settings.CIAN_PROXY_URL = f"http://127.0.0.1:{proxy.port}"
    fake_cian.routes["/sale/flat/319270312/"] = Reply(
        302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with pytest.raises(cian.HostNotAllowed):
        cian.fetch_listing(LISTING_URL)
    assert [seen["target"] for seen in proxy.seen] == [f"{fake_cian.url}/sale/flat/319270312/"]
    with pytest.raises(cian.HostNotAllowed):
        cian.fetch_listing("https://evil.example/sale/flat/1/")
    assert len(proxy.seen) == 1


@pytest.mark.parametrize("scheme", ["http", "socks5h"])
def test_a_dead_proxy_is_a_russian_failure_without_its_password(
    fake_cian, settings, caplog, scheme
):
    from tests.support.redis_server import free_port

    settings.CIAN_PROXY_URL = f"{scheme}://housler:{SECRET}@127.0.0.1:{free_port()}"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(cian.FetchFailed) as info:
        cian.fetch_listing(LISTING_URL)
    assert info.value.message.startswith("Не удалось связаться с ЦИАН")
    assert SECRET not in str(info.value) and SECRET not in info.value.detail
    assert SECRET not in caplog.text
    assert ListingSourceCheck().run()["recent"]["error"] == 1
    assert SECRET not in str(ListingSourceCheck().run())


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (f"ftp://housler:{SECRET}@proxy.example:21", "the scheme must be one of"),
        (f"socks5://housler:{SECRET}@:1080", "it names no host"),
        (f"http://housler:{SECRET}@proxy.example:99999", "it is not a URL"),
        (f"http://housler:{SECRET}@proxy.example:", "its port is empty or 0"),
        (f"http://housler:{SECRET}@proxy.example:3128/path", "no path, query or fragment"),
        ("proxy.example:3128", "the scheme must be one of"),
    ],
)
def test_e005_names_a_malformed_proxy_without_its_password(value: str, problem: str) -> None:
    with override_settings(CIAN_PROXY_URL=value):
        [error] = check_cian_proxy()
    assert error.id == "housler.E005" and problem in error.msg
    assert SECRET not in error.msg and SECRET not in (error.hint or "")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "http://127.0.0.1:3128",
        f"https://housler:{SECRET}@proxy.example:443",
        f"socks5h://housler:{SECRET}@proxy.example:1080",
        "socks5://[::1]:1080",
    ],
)
def test_e005_accepts_good_values(value: str) -> None:
    with override_settings(CIAN_PROXY_URL=value):
        assert not [m for m in run_checks() if m.id == "housler.E005"]
