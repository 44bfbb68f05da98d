"""Per-client limits on costly actions, one limiter with named buckets.

`fetch` guards the actions that make Housler fetch pages from Cian (too many from our address and
Cian blocks everyone); `share` guards share links (each is a database row). The counters live in
the default cache (Redis in production, so all workers share them) in fixed windows.

The counters are a guard, not data: when the cache fails (Redis down or hung) a limiter must not
turn the page into a 500. It counts in this process's memory instead, so the limit still holds per
worker, and logs the outage.

Clients are told apart by `housler.client_address.client_ip` (X-Forwarded-For only from
trusted proxies).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

from housler.client_address import client_ip

logger = logging.getLogger(__name__)

# Used only while the default cache fails; per process, so the limit holds per worker.
_local_counters = LocMemCache("housler-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


@dataclass(frozen=True)
class Bucket:
    """One named limit: `limit` actions per `window` seconds, both read from settings."""

    name: str
    limit_setting: str
    window_setting: str
    default_limit: int
    default_window: int
    refusal: str  # the user's sentence, with {minutes}

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.limit_setting, self.default_limit))

    @property
    def window(self) -> int:
        return max(1, int(getattr(settings, self.window_setting, self.default_window)))


FETCH = Bucket(
    "fetch",
    "HOUSLER_FETCH_LIMIT",
    "HOUSLER_FETCH_WINDOW",
    20,
    600,
    "Слишком много загрузок с ЦИАН подряд. Подождите {minutes} мин. или введите данные вручную",
)
SHARE = Bucket(
    "share",
    "HOUSLER_SHARE_LIMIT",
    "HOUSLER_SHARE_WINDOW",
    10,
    3600,
    "Слишком много ссылок на отчёты подряд. Подождите {minutes} мин. и попробуйте снова",
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int
    bucket: Bucket = FETCH

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return self.bucket.refusal.format(minutes=minutes)


def _increment(store, key: str, timeout: int) -> int:
    """One round trip when the counter exists (a hung cache costs one socket timeout)."""
    try:
        return store.incr(key)
    except ValueError:  # no counter yet in this window (or it expired just now)
        if store.add(key, 1, timeout=timeout):
            return 1
        return store.incr(key)


def _count(key: str, timeout: int) -> int:
    try:
        return _increment(cache, key, timeout)
    except Exception as exc:  # any cache failure: count locally, never a 500
        logger.warning("Rate-limit cache unavailable (%s); counting in this process", exc)
        return _increment(_local_counters, key, timeout)


def check(request: HttpRequest, bucket: Bucket) -> Verdict:
    """Count one action of this client in `bucket`; refuse it past the limit."""
    window = bucket.window
    now = int(time.time())
    window_start = now - now % window
    key = f"ratelimit:{bucket.name}:{client_ip(request)}:{window_start}"
    count = _count(key, timeout=window + 5)
    return Verdict(count <= bucket.limit, window_start + window - now, bucket)


def check_fetch(request: HttpRequest) -> Verdict:
    """Count one fetching action for this client; refuse it past the limit."""
    return check(request, FETCH)
