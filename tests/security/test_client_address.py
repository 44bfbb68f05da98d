"""One reading of the client's address for /metrics, the full /health and the rate limiter.

Only `X-Forwarded-For` from a `HOUSLER_TRUSTED_PROXIES` peer names a client. Any other forwarded
request has an unknown client, which the allow-list refuses: from loopback, a request carrying
`X-Real-IP`, `Forwarded` or an empty `X-Forwarded-For` (a proxy that says it forwarded, but not
for whom) must not pass as 127.0.0.1 and get the metrics and the full health report.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from calculator.ratelimit import client_key
from housler.client_address import ClientAddressMiddleware, client_address

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_sessions")]

VISITOR = "203.0.113.9"
PROMETHEUS = "198.51.100.7"


def reads_metrics(**meta: str) -> bool:
    """Does this request get the Prometheus text and the full /health report?"""
    metrics = Client().get("/metrics", **meta).status_code
    report = Client().get("/health", **meta).json()
    assert (metrics == 200) == ("components" in report), "/metrics and /health must agree"
    return metrics == 200


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_X_REAL_IP": VISITOR},
        {"HTTP_FORWARDED": f"for={VISITOR};proto=https"},
        {"HTTP_X_FORWARDED_FOR": ""},
        {"HTTP_X_FORWARDED_FOR": VISITOR},
    ],
    ids=["x-real-ip", "forwarded", "empty-xff", "xff"],
)
def test_a_forwarded_request_through_an_untrusted_local_proxy_is_refused(settings, header):
    """nginx (or any proxy) on 127.0.0.1 without HOUSLER_TRUSTED_PROXIES: visitors look local."""
    settings.TRUSTED_PROXIES = []
    assert reads_metrics(REMOTE_ADDR="127.0.0.1")  # curl on the host, straight to gunicorn
    assert not reads_metrics(REMOTE_ADDR="127.0.0.1", **header)


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ({}, True),  # a process on the proxy's host talking straight to gunicorn
        ({"HTTP_X_FORWARDED_FOR": "127.0.0.1"}, True),  # curl on the host through nginx
        ({"HTTP_X_FORWARDED_FOR": PROMETHEUS}, True),
        ({"HTTP_X_FORWARDED_FOR": VISITOR}, False),
        ({"HTTP_X_FORWARDED_FOR": f"{PROMETHEUS}, {VISITOR}"}, False),  # the visitor prepended
        ({"HTTP_X_FORWARDED_FOR": ""}, False),  # the proxy forwarded but did not say for whom
        ({"HTTP_X_FORWARDED_FOR": " , "}, False),
        ({"HTTP_X_FORWARDED_FOR": "unknown"}, False),
        ({"HTTP_X_FORWARDED_FOR": f"{PROMETHEUS}:9090"}, False),  # a port: not an address
        ({"HTTP_X_REAL_IP": PROMETHEUS}, False),  # never read: the client stays unknown
        ({"HTTP_FORWARDED": f"for={PROMETHEUS}"}, False),
    ],
)
def test_behind_a_trusted_proxy_only_its_forwarded_for_names_the_client(settings, header, allowed):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", PROMETHEUS]
    assert reads_metrics(REMOTE_ADDR="127.0.0.1", **header) is allowed


def test_the_rate_limiter_counts_an_unknown_client_under_its_peer(settings):
    """The limiter keys on the same reading: a header the allow-list does not believe gives no
    fresh budget either, and an unknown client shares its proxy's."""
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    factory = RequestFactory()
    middleware = ClientAddressMiddleware(lambda request: HttpResponse())
    spoofed = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP=VISITOR)
    middleware(spoofed)
    assert client_address(spoofed) is None and client_key(spoofed) == "10.0.0.1"
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=VISITOR)
    middleware(proxied)
    assert client_address(proxied) == client_key(proxied) == VISITOR
