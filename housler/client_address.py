"""Who is asking: the client address behind our own proxies, read one way for every use.

A forwarding header is believed only from a peer (`REMOTE_ADDR`) in `settings.TRUSTED_PROXIES`,
and only `X-Forwarded-For`, read from the right: trusted hops are skipped and the first other
one is the client, so a client cannot pick its identity by sending the header itself. Any other
case where a request says it was forwarded but names no believable client makes the client
*unknown* (`client_address` returns None), never the peer: behind an untrusted or misconfigured
proxy the peer is the proxy (often 127.0.0.1), the same address for every visitor.

- /metrics and the full /health (`housler.views.may_read_metrics`) refuse an unknown client.
- Apps read it as `request.client_address`, set once per request by `ClientAddressMiddleware`:
  the calculator's rate limiter (`calculator.ratelimit.client_key`) counts an unknown client
  under the peer's address, so all such requests share one budget, stricter, never looser.
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
# Headers by which a proxy may say "I forwarded this"; only X-Forwarded-For is ever read.
FORWARDING_HEADERS = (FORWARDED_FOR, "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def address_in(address: str, networks: list[str]) -> bool:
    """Is `address` in one of `networks` (addresses or CIDR ranges; bad entries never match)?"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in networks:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _is_trusted(address: str) -> bool:
    return address_in(address, settings.TRUSTED_PROXIES)


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _forwarded_client(forwarded_for: str) -> str | None:
    """The right-most hop that is not a trusted proxy; a malformed hop on the way means unknown.

    When every hop is trusted the request began at a trusted host (say, `curl` on the proxy's
    own machine): the left-most hop is then the client.
    """
    hops = [_ip(hop) for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if hop is None:
            return None
        if not _is_trusted(hop):
            return hop
    return hops[0]


def client_address(request: HttpRequest) -> str | None:
    """The client's address, or None when the request was forwarded but its client is unknown.

    A request with no forwarding header is a direct connection: its peer is the client, also
    when the peer is a trusted proxy's host (a process there talking straight to gunicorn).
    """
    meta = request.META
    remote = _ip(meta.get("REMOTE_ADDR", ""))
    forwarded = any(header in meta for header in FORWARDING_HEADERS)
    if remote is None or not forwarded:
        return remote
    if not _is_trusted(remote) or FORWARDED_FOR not in meta:
        return None
    return _forwarded_client(meta[FORWARDED_FOR])


class ClientAddressMiddleware:
    """`request.client_address`: `client_address(request)`, read once for every app of the request.

    Apps need not know the project's proxies: they read this attribute (str, or None for an
    unknown client) and treat it as absent when no middleware set it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_address = client_address(request)
        return self.get_response(request)
