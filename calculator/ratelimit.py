"""Per-client limit on actions that make Housler fetch pages from Cian.

Each fetch costs Cian's goodwill: too many from our address and Cian blocks everyone. The counter
lives in the default cache (Redis in production, so all workers share it) in fixed windows.

Clients are told apart by `housler.client_address.client_ip` (X-Forwarded-For only from
trusted proxies).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from housler.client_address import client_ip

DEFAULT_LIMIT = 20
DEFAULT_WINDOW = 600


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
