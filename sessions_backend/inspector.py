"""Live sessions as operators see them: listed from a store, decoded and summarised.

One implementation behind both the admin page "Сессии" and `manage.py sessions`. Listing is
SCAN-based (never KEYS) and capped, values are read in pipelined batches, and full session keys
never leave this module except for the single session an operator opened: lists carry the
shortened key and a `ref`, an HMAC of the key that names it in URLs and commands but cannot be
used as a cookie (so access logs never hold a usable key).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from calculator.wizard import summarize

from .engine import VALID_CHARS, SessionStore, short_key
from .storage import TOMBSTONE, get_storage
from .stores import RedisStore, Store

REF_SALT = "sessions_backend.inspector.ref"
REF_PREFIX_LENGTH = 6
SCAN_LIMIT = 5000
BATCH = 200
HIDDEN_VALUE = "••••••"
HIDDEN_KEYS = frozenset({"_auth_user_hash"})
STORE_CHOICES = ("active", "redis", "fallback")


def session_ref(key: str) -> str:
    """`abc123.<hmac>`: the visible prefix of the key plus a keyed hash that names it uniquely."""
    digest = salted_hmac(REF_SALT, key, algorithm="sha256").hexdigest()[:16]
    return f"{key[:REF_PREFIX_LENGTH]}.{digest}"


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def wizard_summary(data: dict) -> dict:
    """What the admin list shows of a wizard: `calculator.wizard.summarize`, with parsed times."""
    summary = summarize(data)
    if summary:
        summary["created"] = parse_time(summary["created"])
        summary["updated"] = parse_time(summary["updated"])
    return summary


@dataclass
class LiveSession:
    key: str
    store: str
    size: int
    ttl: int | None
    data: dict = field(repr=False)

    @cached_property
    def ref(self) -> str:
        return session_ref(self.key)

    @property
    def short_key(self) -> str:
        return short_key(self.key)

    @cached_property
    def wizard(self) -> dict:
        return wizard_summary(self.data)

    @property
    def expires_at(self) -> datetime | None:
        return None if self.ttl is None else timezone.now() + timedelta(seconds=self.ttl)

    @property
    def last_activity(self) -> datetime | None:
        """The wizard's own timestamp, else derived from the sliding TTL (reset on every save)."""
        if self.wizard.get("updated"):
            return self.wizard["updated"]
        if self.ttl is None or "_session_expiry" in self.data:
            return None
        return timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE - self.ttl)

    def pretty_json(self) -> str:
        """The decoded session for the detail views, with the login hash masked."""
        shown = {k: HIDDEN_VALUE if k in HIDDEN_KEYS else v for k, v in self.data.items()}
        return json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True, default=str)

    def as_dict(self, *, full_key: bool = False) -> dict:
        """JSON for `manage.py sessions --json`; the full key only when the operator named it."""
        row = {
            "ref": self.ref,
            "key": self.key if full_key else self.short_key,
            "store": self.store,
            "ttl": self.ttl,
            "size": self.size,
            "step": self.wizard.get("step"),
            "address": self.wizard.get("address"),
            "comparables": self.wizard.get("comparables", 0),
            "created": iso(self.wizard.get("created")),
            "last_activity": iso(self.last_activity),
        }
        if full_key:
            row["data"] = json.loads(self.pretty_json())
        return row


def pick_store(name: str = "active") -> Store:
    """`active`: the store serving sessions in this process now; `redis`; `fallback`."""
    storage = get_storage()
    if name == "active":
        return storage.active
    if name == "fallback":
        return storage.fallback
    if name == "redis":
        if storage.primary is None:
            raise LookupError("REDIS_URL is not set: there is no Redis session store")
        return storage.primary
    raise LookupError(f"unknown store {name!r}; choose one of {', '.join(STORE_CHOICES)}")


def session_keys(store: Store, prefix: str = "") -> Iterator[str]:
    """Session keys by SCAN (tombstones left out)."""
    return (key for key in store.keys(prefix) if not key.startswith(TOMBSTONE))


def read_entries(store: Store, keys: list[str]) -> list[tuple[str, str, int | None]]:
    """(key, value, ttl) for keys still present; Redis answers a whole batch per round trip."""
    if not isinstance(store, RedisStore):
        entries = ((key, store.get(key), store.ttl(key)) for key in keys)
        return [entry for entry in entries if entry[1] is not None]
    found = []
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        pipe = store.client.pipeline(transaction=False)
        for key in batch:
            pipe.get(store.namespace + key)
            pipe.ttl(store.namespace + key)
        replies = pipe.execute()
        for key, value, ttl in zip(batch, replies[::2], replies[1::2], strict=True):
            if value is not None:
                found.append((key, value.decode(), ttl if ttl >= 0 else None))
    return found


def decode_entries(store: Store, entries: list[tuple[str, str, int | None]]) -> list[LiveSession]:
    decoder = SessionStore()
    return [
        LiveSession(key, store.name, len(value.encode()), ttl, decoder.decode(value))
        for key, value, ttl in entries
    ]


@dataclass
class Listing:
    sessions: list[LiveSession]
    scanned: int
    truncated: bool


def list_sessions(store: Store, *, search: str = "", limit: int = SCAN_LIMIT) -> Listing:
    """Up to `limit` sessions, newest activity first, optionally those whose address matches."""
    keys = []
    for key in session_keys(store):
        keys.append(key)
        if len(keys) > limit:
            break
    truncated = len(keys) > limit
    keys = keys[:limit]
    sessions = decode_entries(store, read_entries(store, keys))
    needle = search.strip().casefold()
    if needle:
        sessions = [s for s in sessions if needle in (s.wizard.get("address") or "").casefold()]
    oldest = timezone.now() - timedelta(days=36500)
    sessions.sort(key=lambda s: s.last_activity or oldest, reverse=True)
    return Listing(sessions, len(keys), truncated)


def find_session(store: Store, ref_or_key: str) -> LiveSession | None:
    """A session by its `ref` (as lists show it) or by its full key (as an operator typed it)."""
    if "." in ref_or_key:
        prefix = ref_or_key.split(".", 1)[0]
        if not prefix or not set(prefix) <= VALID_CHARS:
            return None
        keys = [
            key
            for key in session_keys(store, prefix)
            if constant_time_compare(session_ref(key), ref_or_key)
        ]
    elif ref_or_key and set(ref_or_key) <= VALID_CHARS:
        keys = [ref_or_key]
    else:
        return None
    sessions = decode_entries(store, read_entries(store, keys[:1]))
    return sessions[0] if sessions else None


def delete_session(key: str) -> str:
    """Delete everywhere through the engine, so a delete during an outage leaves a tombstone.

    Returns "deleted", "tombstone" (Redis down, recorded in a shared fallback, replayed later)
    or "failed" (Redis down and the fallback is private to this process: nothing deleted).
    """
    storage = get_storage()
    storage.delete(key)
    if not storage.degraded:
        return "deleted"
    return "tombstone" if storage.fallback.shared else "failed"


def purge_expired(store: Store) -> dict:
    """Remove what can no longer be used but would not go away by itself.

    Redis and the local-memory store expire keys themselves; the database fallback keeps expired
    rows until swept; a Redis session without a TTL (never written by this engine) would live
    forever and is removed.
    """
    swept = False
    if hasattr(store, "clear_expired"):
        store.clear_expired()
        swept = True
    immortal = []
    if isinstance(store, RedisStore):
        keys = list(session_keys(store))
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            pipe = store.client.pipeline(transaction=False)
            for key in batch:
                pipe.ttl(store.namespace + key)
            immortal += [key for key, ttl in zip(batch, pipe.execute(), strict=True) if ttl == -1]
        store.delete(*immortal)
    return {"store": store.name, "swept_expired_rows": swept, "removed_without_ttl": len(immortal)}


def count_sessions(store: Store) -> int:
    return sum(1 for _ in session_keys(store))
