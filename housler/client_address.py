"""Who is asking: the client address behind our own proxies.

The address is `REMOTE_ADDR`, except when the request comes from one of
`settings.TRUSTED_PROXIES`: then `X-Forwarded-For` is read from the right, skipping trusted
proxies, so a client cannot pick its own identity by sending the header itself. Used by the
fetch rate limit and the /metrics allow-list.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


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


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not _is_trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote
