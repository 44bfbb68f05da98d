"""Per-client limits on costly actions, one limiter with named buckets.

`fetch` counts the pages Housler really requests from Cian for a client (too many from our
address and Cian blocks everyone): an action is refused only when nothing of the window's budget
is left, and then charged what it sent (`fetch_budget`, `charge`); a listing served from our cache
costs nothing. `share` counts share links (each is a database row), one per action; `pdf` the PDF
reports, each a fraction of a second of a worker's CPU. The counters
live in the default cache (Redis in production, so all workers share them) in fixed windows.

The counters are a guard, not data: when the cache fails (Redis down or hung) a limiter must not
turn the page into a 500. It counts in this process's memory instead, so the limit still holds per
worker, and logs the outage.

Clients are told apart by `client_key`: the address the project resolved for the request (its
client behind the project's trusted proxies), else the peer's.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

from calculator.cian import Budget
from calculator.conf import conf

logger = logging.getLogger(__name__)

# Used only while the default cache fails; per process, so the limit holds per worker.
_local_counters = LocMemCache("housler-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


@dataclass(frozen=True)
class Bucket:
    """One named limit: `limit` actions per `window` seconds, both read from settings."""

    name: str
    limit_setting: str
    window_setting: str
    refusal: str  # the user's sentence, with {minutes}

    @property
    def limit(self) -> int:
        return int(getattr(conf, self.limit_setting))

    @property
    def window(self) -> int:
        return max(1, int(getattr(conf, self.window_setting)))


FETCH = Bucket(
    "fetch",
    "HOUSLER_FETCH_LIMIT",
    "HOUSLER_FETCH_WINDOW",
    "Слишком много загрузок с ЦИАН подряд. Подождите {minutes} мин. или введите данные вручную",
)
SHARE = Bucket(
    "share",
    "HOUSLER_SHARE_LIMIT",
    "HOUSLER_SHARE_WINDOW",
    "Слишком много ссылок на отчёты подряд. Подождите {minutes} мин. и попробуйте снова",
)

PDF = Bucket(
    "pdf",
    "HOUSLER_PDF_LIMIT",
    "HOUSLER_PDF_WINDOW",
    "Слишком много PDF подряд. Подождите {minutes} мин. и скачайте отчёт снова",
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


def _increment(store, key: str, units: int, timeout: int) -> int:
    """One round trip when the counter exists (a hung cache costs one socket timeout)."""
    try:
        return store.incr(key, units)
    except ValueError:  # no counter yet in this window (or it expired just now)
        if store.add(key, units, timeout=timeout):
            return units
        return store.incr(key, units)


def _count(key: str, units: int, timeout: int) -> int:
    try:
        return _increment(cache, key, units, timeout)
    except Exception as exc:  # any cache failure: count locally, never a 500
        logger.warning("Rate-limit cache unavailable (%s); counting in this process", exc)
        return _increment(_local_counters, key, units, timeout)


def _used(key: str) -> int:
    try:
        used = cache.get(key)
    except Exception as exc:
        logger.warning("Rate-limit cache unavailable (%s); counting in this process", exc)
        used = _local_counters.get(key)
    return used if isinstance(used, int) and not isinstance(used, bool) else 0


def client_key(request: HttpRequest) -> str:
    """The address this client is counted under.

    `request.client_address` is the contract with the project: a middleware sets it to the
    client's address behind the project's trusted proxies, or to None when the request was
    forwarded but names no believable client (Housler's `ClientAddressMiddleware`). A client it
    does not name, or every client when no middleware sets it, is counted under the peer's address
    (`REMOTE_ADDR`): all such requests share one budget, which is stricter, never looser.
    """
    address = getattr(request, "client_address", None)
    return address or request.META.get("REMOTE_ADDR", "") or "unknown"


def _window(request: HttpRequest, bucket: Bucket) -> tuple[str, int]:
    """This client's counter key in the current window, and the seconds left in the window."""
    window = bucket.window
    now = int(time.time())
    window_start = now - now % window
    key = f"ratelimit:{bucket.name}:{client_key(request)}:{window_start}"
    return key, window_start + window - now


def check(request: HttpRequest, bucket: Bucket) -> Verdict:
    """Count one action of this client in `bucket`; refuse it past the limit."""
    key, retry_after = _window(request, bucket)
    count = _count(key, 1, timeout=bucket.window + 5)
    return Verdict(count <= bucket.limit, retry_after, bucket)


def fetch_budget(request: HttpRequest) -> tuple[Verdict, Budget]:
    """May this client fetch from Cian now, and how many requests are left in the window."""
    key, retry_after = _window(request, FETCH)
    left = max(0, FETCH.limit - _used(key))
    return Verdict(left > 0, retry_after, FETCH), Budget(limit=left)


def charge(request: HttpRequest, budget: Budget) -> None:
    """Charge the requests an action really sent to Cian (nothing for a cached listing)."""
    if budget.used:
        key, _retry_after = _window(request, FETCH)
        _count(key, budget.used, timeout=FETCH.window + 5)
