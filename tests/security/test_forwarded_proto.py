"""Gunicorn believes `X-Forwarded-Proto` only from `HOUSLER_TRUSTED_PROXIES`.

With the variable empty, deploy/gunicorn.conf.py trusts no address: gunicorn's default
(127.0.0.1) would make a request https on a header's word, and any local process could pass for
TLS. Real gunicorn, real requests from 127.0.0.1; a request Django takes for https gets
`Strict-Transport-Security`.
"""

from __future__ import annotations

import pytest
import requests

from tests.support.gunicorn_conf import load_gunicorn_conf
from tests.support.gunicorn_server import GunicornServer

pytestmark = pytest.mark.slow

HSTS = "Strict-Transport-Security"
CLAIMS = ({"X-Forwarded-Proto": "https"}, {"X-Forwarded-Ssl": "on"})


@pytest.fixture(scope="module")
def servers():
    """One server trusting no proxy, one trusting 127.0.0.1; Secure cookies, so HSTS is on."""
    untrusting = GunicornServer(workers=1, DJANGO_SECURE_COOKIES="1")
    trusting = GunicornServer(
        workers=1, DJANGO_SECURE_COOKIES="1", HOUSLER_TRUSTED_PROXIES="127.0.0.1"
    )
    try:
        for server in (untrusting, trusting):
            server.manage("migrate", "--noinput", "-v0")
            server.manage("collectstatic", "--noinput", "-v0")
            server.launch()
        yield untrusting.wait_ready(), trusting.wait_ready()
    finally:
        untrusting.stop()
        trusting.stop()


@pytest.mark.parametrize("claim", CLAIMS, ids=["x-forwarded-proto", "x-forwarded-ssl"])
def test_without_trusted_proxies_a_local_claim_of_https_is_not_believed(servers, claim):
    untrusting, _ = servers
    response = requests.get(untrusting.url + "/", headers=claim, timeout=10)
    assert response.status_code == 200
    assert HSTS not in response.headers


@pytest.mark.parametrize("claim", CLAIMS, ids=["x-forwarded-proto", "x-forwarded-ssl"])
def test_the_trusted_proxy_is_believed(servers, claim):
    """The probe can see a believed claim: the same request from a trusted proxy is https."""
    _, trusting = servers
    response = requests.get(trusting.url + "/", headers=claim, timeout=10)
    assert response.status_code == 200
    assert response.headers[HSTS].startswith("max-age=")


def test_gunicorn_is_given_the_single_addresses_of_the_trusted_proxies(monkeypatch):
    """Gunicorn 23 matches exact addresses only: a network entry would stop it at start."""
    monkeypatch.setenv("HOUSLER_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, ::1/128, junk")
    conf = load_gunicorn_conf()
    assert conf.forwarded_allow_ips == "127.0.0.1,::1"
    assert conf.PROXY_NETWORKS == ["10.0.0.0/8"]
    monkeypatch.setenv("HOUSLER_TRUSTED_PROXIES", "")
    assert load_gunicorn_conf().forwarded_allow_ips == ""
