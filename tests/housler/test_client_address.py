"""Which address a request comes from, behind a trusted proxy or not."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from calculator.ratelimit import client_key
from housler.client_address import ClientAddressMiddleware


def client_ip(request) -> str:
    """The key the rate limiter counts this request's client under, behind the project's
    middleware as in production."""
    ClientAddressMiddleware(lambda request: HttpResponse())(request)
    return client_key(request)


def test_client_ip_trusts_forwarded_for_only_from_a_configured_proxy(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    direct = factory.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(direct) == "203.0.113.5"
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(proxied) == "198.51.100.7"  # the rightmost hop the proxy saw
    junk = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(junk) == "10.0.0.1"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    chain = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2")
    assert client_ip(chain) == "198.51.100.7"
