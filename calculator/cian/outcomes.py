"""What Cian answered our last fetches, shared by every worker: the `listing_source` evidence.

Each page fetch records one outcome (ok / blocked / timeout / error) in the default cache (Redis
in production): a list capped at `KEEP` entries, pushed atomically with LPUSH + LTRIM when the
cache is django-redis, read-modify-written otherwise (local memory: one process anyway). The
time of the last success is kept beside it. `/health` reads them and never fetches Cian itself.
Every cache call here degrades to "nothing recorded" when the cache is down or hung: a fetch
never fails because its bookkeeping could not be written.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from prometheus_client import Counter

from .errors import Blocked, CianError, FetchTimeout, ListingRemoved

logger = logging.getLogger(__name__)

OK, BLOCKED, TIMEOUT, ERROR = "ok", "blocked", "timeout", "error"
OUTCOMES = (OK, BLOCKED, TIMEOUT, ERROR)
KEEP = 50  # outcomes remembered across all workers
RECENT_KEY = "cian:source:recent"
LAST_OK_KEY = "cian:source:last_ok"
KEY_SECONDS = 7 * 24 * 3600

FETCHES = Counter(
    "housler_cian_fetches",
    "Cian page fetches by outcome (ok, blocked, timeout, error).",
    ["outcome"],
)


def classify(error: CianError | None) -> str:
    """The outcome of one fetch: a removed listing is Cian answering properly, so `ok`."""
    if error is None or isinstance(error, ListingRemoved):
        return OK
    if isinstance(error, Blocked):
        return BLOCKED
    if isinstance(error, FetchTimeout):
        return TIMEOUT
    return ERROR


def _raw_client():
    """django-redis' own client when the default cache is django-redis, else None."""
    client = getattr(cache, "client", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None


def _push(entry: str) -> None:
    client = _raw_client()
    if client is not None:
        key = cache.make_key(RECENT_KEY)
        pipe = client.pipeline(transaction=True)
        pipe.lpush(key, entry).ltrim(key, 0, KEEP - 1).expire(key, KEY_SECONDS)
        pipe.execute()
        return
    recent = cache.get(RECENT_KEY)
    recent = recent if isinstance(recent, list) else []
    cache.set(RECENT_KEY, [entry, *recent][:KEEP], KEY_SECONDS)


def record(outcome: str) -> None:
    """Count one fetch's outcome in the metric and in the shared list."""
    FETCHES.labels(outcome=outcome).inc()
    now = time.time()
    try:
        _push(json.dumps({"outcome": outcome, "at": round(now, 3)}))
        if outcome == OK:
            cache.set(LAST_OK_KEY, now, KEY_SECONDS)
    except Exception as error:  # a cache outage must not fail the fetch it describes
        logger.warning("Cian outcome not recorded: cache unavailable (%s)", type(error).__name__)


def _decoded(raw: object) -> str | None:
    """One stored entry's outcome; anything malformed read back from the cache is skipped."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode()
        outcome = json.loads(raw).get("outcome") if isinstance(raw, str) else None
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    return outcome if outcome in OUTCOMES else None


@dataclass(frozen=True)
class SourceHistory:
    """The last outcomes, newest first, and the Unix time of the last success (None: unknown)."""

    recent: tuple[str, ...]
    last_ok: float | None


def history() -> SourceHistory:
    """Read the shared history; raises when the cache does (the health probe reports it)."""
    client = _raw_client()
    if client is not None:
        raw = client.lrange(cache.make_key(RECENT_KEY), 0, KEEP - 1)
    else:
        raw = cache.get(RECENT_KEY)
    entries = raw if isinstance(raw, list) else []
    recent = tuple(o for o in map(_decoded, entries[:KEEP]) if o is not None)
    last_ok = cache.get(LAST_OK_KEY)
    valid = isinstance(last_ok, int | float) and not isinstance(last_ok, bool) and last_ok > 0
    return SourceHistory(recent, float(last_ok) if valid else None)


def refused_lately() -> bool:
    """Whether the site's newest Cian fetch failed (blocked, timed out, refused): the wizard then
    leads with the saved-page upload until a fetch succeeds again. False when nothing is recorded
    or the cache does not answer, so an outage never hides the link form's lead."""
    try:
        recent = history().recent
    except Exception as error:
        logger.warning("Cian outcomes not read: cache unavailable (%s)", type(error).__name__)
        return False
    return bool(recent) and recent[0] != OK
