"""Per-client limit on actions that make Housler fetch pages from Cian.

Each fetch costs Cian's goodwill: too many from our address and Cian blocks everyone. The counter
lives in the default cache (Redis in production, so all workers share it) in fixed windows.

The client address is `REMOTE_ADDR`, except when the request comes from one of
`settings.TRUSTED_PROXIES`: then `X-Forwarded-For` is read from the right, skipping trusted
proxies, so a client cannot pick its own identity by sending the header itself.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMIT = 20
DEFAULT_WINDOW = 600


def _is_trusted(address: str) -> bool:
    trusted = getattr(settings, "TRUSTED_PROXIES", [])
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


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


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return (
            "Слишком много загрузок с ЦИАН подряд. "
            f"Подождите {minutes} мин. или введите данные вручную"
        )


def check_fetch(request: HttpRequest) -> Verdict:
    """Count one fetching action for this client; refuse it past the limit."""
    limit = getattr(settings, "HOUSLER_FETCH_LIMIT", DEFAULT_LIMIT)
    window = getattr(settings, "HOUSLER_FETCH_WINDOW", DEFAULT_WINDOW)
    now = int(time.time())
    window_start = now - now % window
    key = f"ratelimit:fetch:{client_ip(request)}:{window_start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return Verdict(allowed=count <= limit, retry_after=window_start + window - now)
