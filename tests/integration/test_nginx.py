"""deploy/nginx.conf as shipped, started by Debian's nginx in front of real gunicorn.

What a visitor behind the production proxy notices: saved pages up to the app's own limits get
through, bigger bodies and a stopped or stuck app get Russian pages, the app's security headers
survive the proxy, /metrics stays private, and a few slow uploaders cannot starve the others.
Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3) to be told apart.
"""

import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.support.cian_pages import RESALE, expected, fixture_html
from tests.support.gunicorn_server import GunicornServer
from tests.support.nginx_server import NginxServer
from tests.support.redis_server import free_port
from tests.support.wizard_client import text

pytestmark = pytest.mark.slow

MB = 1024 * 1024
VISITOR, PROMETHEUS = "127.0.0.2", "127.0.0.3"
PROMETHEUS_ALLOWED = {"# allow 10.0.0.5;  # the Prometheus server": f"allow {PROMETHEUS};"}
THREADS = 2  # gunicorn's threads: fewer than the slow uploaders below


class FromAddress(HTTPAdapter):
    """Connections from one loopback address, as if from another machine."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client(proxy: NginxServer, address: str = VISITOR) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the test's own certificate
    session.verify = str(proxy.certificate)
    session.mount("https://", FromAddress(address))
    return session


@pytest.fixture(scope="module")
def app_and_proxy() -> Iterator[tuple[GunicornServer, NginxServer]]:
    https_port = free_port()
    app = GunicornServer(
        workers=1,
        GUNICORN_THREADS=str(THREADS),
        DJANGO_SECURE_COOKIES="1",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
        HOUSLER_TRUSTED_PROXIES="127.0.0.1",
        HOUSLER_METRICS_ALLOWED_IPS=PROMETHEUS,
    ).start()
    proxy = NginxServer(
        app.port,
        Path(app.env["DJANGO_STATIC_ROOT"]),
        https_port=https_port,
        overrides=PROMETHEUS_ALLOWED,
    )
    try:
        yield app, proxy.start()
    finally:
        proxy.stop()
        app.stop()


@pytest.fixture
def proxy(app_and_proxy) -> NginxServer:
    return app_and_proxy[1]


def post_saved_page(proxy: NginxServer, session: requests.Session, body: bytes):
    """Step 1's upload as a browser sends it: CSRF cookie and token, and its Origin header."""
    assert session.get(proxy.url + "/calculator/", timeout=10).status_code == 200
    return session.post(
        proxy.url + "/calculator/",
        data={"action": "upload", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        files={"page": ("Объявление.html", body, "text/html")},
        headers={"Origin": proxy.url},
        allow_redirects=False,
        timeout=60,
    )


def padded_listing(size: int) -> bytes:
    """The saved resale listing grown to `size` bytes by a comment, as photos inline would."""
    page = fixture_html(RESALE).encode()
    filler = size - len(page) - len(b"<!---->")
    return page + b"<!--" + b"x" * filler + b"-->"


def test_static_files_come_from_nginx(app_and_proxy) -> None:
    app, proxy = app_and_proxy
    response = client(proxy).get(proxy.url + "/static/css/housler.css", timeout=10)
    assert response.status_code == 200
    on_disk = Path(app.env["DJANGO_STATIC_ROOT"]) / "css" / "housler.css"
    assert response.content == on_disk.read_bytes()
    assert "immutable" in response.headers["Cache-Control"], "nginx's, not WhiteNoise's"


def test_a_saved_page_of_8_mb_reaches_the_wizard(proxy) -> None:
    session = client(proxy)
    response = post_saved_page(proxy, session, padded_listing(8 * MB))
    assert response.status_code == 302, response.text[:500]
    page = text(session.get(proxy.url + "/calculator/", timeout=10))
    price = f"{expected(RESALE)['price']:,}".replace(",", " ")
    assert "Объявление загружено" in page and f"{price} ₽" in page


def test_a_body_over_the_upload_cap_gets_the_russian_page(proxy) -> None:
    session = client(proxy)
    response = post_saved_page(proxy, session, b"x" * (30 * MB))
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Слишком большой запрос" in text(response)
    assert "Ничего из расчёта не потеряно" in text(response)


def test_other_paths_keep_the_1_mb_cap(proxy) -> None:
    response = client(proxy).post(
        proxy.url + "/calculator/share/", data=b"x" * (2 * MB), timeout=30
    )
    assert response.status_code == 413
    assert "Слишком большой запрос" in text(response)


def test_the_apps_security_headers_survive_the_proxy(proxy) -> None:
    response = client(proxy).get(proxy.url + "/calculator/", timeout=10)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000"), "HTTPS seen"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Secure" in headers["Set-Cookie"]


def test_plain_http_is_sent_to_https(proxy) -> None:
    response = requests.get(
        f"http://127.0.0.1:{proxy.http_port}/calculator/", allow_redirects=False, timeout=10
    )
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/calculator/"


SPOOFED = {"X-Forwarded-For": PROMETHEUS, "X-Real-IP": PROMETHEUS, "Forwarded": f"for={PROMETHEUS}"}


def test_metrics_answer_the_allowed_address_only(proxy) -> None:
    allowed = client(proxy, PROMETHEUS).get(proxy.url + "/metrics", timeout=10)
    assert allowed.status_code == 200 and "housler_up 1.0" in allowed.text
    for headers in ({}, SPOOFED):
        refused = client(proxy, VISITOR).get(proxy.url + "/metrics", headers=headers, timeout=10)
        assert refused.status_code == 404
        assert "Страница не найдена" in text(refused)


def test_the_app_sees_the_real_client_however_it_claims_another(proxy) -> None:
    """/health tells its full report to the allow-list only, judged by the forwarded address."""
    report = client(proxy, PROMETHEUS).get(proxy.url + "/health", timeout=10).json()
    assert "components" in report
    for headers in ({}, SPOOFED):
        public = client(proxy, VISITOR).get(proxy.url + "/health", headers=headers, timeout=10)
        assert set(public.json()) == {"status"}


def slow_uploader(proxy: NginxServer, csrf_cookie: str) -> ssl.SSLSocket:
    """A visitor's upload that sends its headers and a first bit of its body, then stalls: past
    the CSRF origin check, so the app would wait for the token in the body."""
    context = ssl.create_default_context(cafile=str(proxy.certificate))
    raw = socket.create_connection(("127.0.0.1", proxy.https_port), timeout=10)
    conn = context.wrap_socket(raw, server_hostname="127.0.0.1")
    conn.sendall(
        b"POST /calculator/comparables/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Origin: {proxy.url}\r\nCookie: csrftoken={csrf_cookie}\r\n".encode()
        + b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n"
        + b'--b\r\nContent-Disposition: form-data; name="action"\r\n\r\nadd_pages\r\n'
    )
    return conn


def test_slow_uploaders_do_not_hold_the_apps_threads(proxy) -> None:
    visitor = client(proxy)
    visitor.get(proxy.url + "/calculator/", timeout=10)
    stalled = [slow_uploader(proxy, visitor.cookies["csrftoken"]) for _ in range(THREADS + 2)]
    try:
        # Were the stalled bodies passed on as they came, every gunicorn thread would be waiting
        # on one of them and this page would not come until they finish, which they never do.
        response = visitor.get(proxy.url + "/calculator/", timeout=15)
        assert response.status_code == 200
    finally:
        for conn in stalled:
            conn.close()


# --- nginx's own answers, in front of an app that records or stalls --------------------------


class Recorder(BaseHTTPRequestHandler):
    """An upstream that notes each request's headers; /stuck never answers until released."""

    seen: list[dict[str, str]] = []
    release = threading.Event()

    def do_GET(self) -> None:
        Recorder.seen.append(dict(self.headers.items()))
        if self.path == "/stuck":
            Recorder.release.wait(30)
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorded() -> Iterator[tuple[NginxServer, list[dict[str, str]]]]:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    Recorder.seen.clear()
    Recorder.release.clear()
    proxy = NginxServer(
        upstream.server_address[1],
        Path("/nonexistent"),
        overrides={"proxy_read_timeout 65s;": "proxy_read_timeout 2s;"},
    ).start()
    yield proxy, Recorder.seen
    proxy.stop()
    Recorder.release.set()
    upstream.shutdown()
    upstream.server_close()


def test_only_the_proxy_names_the_client(recorded) -> None:
    proxy, seen = recorded
    claims = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
    claims["Forwarded"] = "for=203.0.113.9;proto=https"
    assert client(proxy, VISITOR).get(proxy.url + "/", headers=claims, timeout=10).ok
    headers = {name.lower(): value for name, value in seen[-1].items()}
    assert headers["x-forwarded-for"] == VISITOR
    assert headers["x-forwarded-proto"] == "https"
    assert "forwarded" not in headers and "x-real-ip" not in headers


def test_a_stuck_app_gets_the_russian_timeout_page(recorded) -> None:
    proxy, _seen = recorded
    response = client(proxy).get(proxy.url + "/stuck", timeout=30)
    assert response.status_code == 504
    assert "Сервер не успел ответить" in text(response)
    assert "Ваши данные сохранены" in text(response)


def test_a_stopped_app_gets_the_russian_restart_page() -> None:
    proxy = NginxServer(free_port(), Path("/nonexistent")).start()
    try:
        response = client(proxy).get(proxy.url + "/calculator/", timeout=10)
    finally:
        proxy.stop()
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Сервис перезапускается" in text(response)
