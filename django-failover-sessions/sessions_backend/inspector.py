"""Live sessions as operators see them: listed from a store, decoded and summarised.

One implementation behind both the admin page "Сессии" and `manage.py sessions`. Listing is
SCAN-based (never KEYS) and capped, values are read in batches (`Store.entries`), and full
session keys never leave this module: pages and commands show the shortened key and a `ref`, an
HMAC of the key under `SECRET_KEY` that names the session in URLs and commands but cannot be
turned into the key or used as a cookie (so access logs never hold a usable key). A value that
cannot be read or decoded is listed as damaged instead of breaking the list. What a session
*means* comes from the project (`SESSION_INSPECTOR_SUMMARY`); without it, size, number of keys
and TTL.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string

from .conf import engine_settings
from .engine import SessionStore, valid_session_key
from .failover import TOMBSTONE, get_storage
from .redaction import is_secret_name, short_key
from .stores import RedisStore, Store

REF_SALT = "sessions_backend.inspector.ref"
REF_PREFIX_LENGTH = 6
REF_DIGEST_LENGTH = 16
SCAN_LIMIT = 5000
TIME_FIELDS = ("created", "updated")
HIDDEN_VALUE = "••••••"
HIDDEN_KEYS = frozenset({"_auth_user_hash"})
STORE_CHOICES = ("active", "redis", "fallback")


# Django's session keys use lowercase letters and digits (VALID_KEY_CHARS).
REF_PATTERN = re.compile(rf"[0-9a-z]{{{REF_PREFIX_LENGTH}}}\.[0-9a-f]{{{REF_DIGEST_LENGTH}}}")


def session_ref(key: str) -> str:
    """`abc123.<hmac>`: the short key's characters plus a keyed hash that names it uniquely.

    The prefix lets a lookup SCAN with `MATCH abc123*` instead of hashing every key; the hash
    cannot be inverted or forged without `SECRET_KEY`.
    """
    digest = salted_hmac(REF_SALT, key, algorithm="sha256").hexdigest()[:REF_DIGEST_LENGTH]
    return f"{key[:REF_PREFIX_LENGTH]}.{digest}"


def is_ref(text: str) -> bool:
    """Is `text` shaped like a ref? A session key (or anything else) is not."""
    return REF_PATTERN.fullmatch(text) is not None


def masked_secrets(value: object, secret: bool = False) -> object:
    """`value` with every string under a credential's name (`is_secret_name`: a share link's
    `token`, `shared_tokens`…) shortened like a session key. A bearer token opens what it
    guards for whoever reads it, staff included, so no inspector page or command shows one."""
    if isinstance(value, dict):
        return {k: masked_secrets(v, secret or is_secret_name(str(k))) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked_secrets(item, secret) for item in value]
    if secret and isinstance(value, str):
        return short_key(value)
    return value


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


def project_summary(data: dict) -> dict:
    """What the project says about a session (`SESSION_INSPECTOR_SUMMARY`), times parsed.

    The hook takes the decoded session and returns a flat dict; ISO strings under `created` and
    `updated` become datetimes for the activity columns. Without a hook: {} (generic facts only).
    """
    path = engine_settings.SESSION_INSPECTOR_SUMMARY
    summary = dict(import_string(path)(data) or {}) if path else {}
    for name in TIME_FIELDS:
        if name in summary:
            summary[name] = parse_time(summary[name])
    return summary


@dataclass
class SessionSnapshot:
    """One stored session as read at one moment, decoded, for an operator's page or command.

    Not the admin's model `models.LiveSession`, which only carries the page's permissions.
    """

    key: str
    store: str
    size: int
    ttl: int | None
    data: dict = field(repr=False)
    damaged: bool = False  # the stored value could not be read or decoded: shown, not crashed

    @cached_property
    def ref(self) -> str:
        return session_ref(self.key)

    @property
    def short_key(self) -> str:
        return short_key(self.key)

    @cached_property
    def summary(self) -> dict:
        return project_summary(self.data)

    @property
    def key_count(self) -> int:
        return len(self.data)

    @property
    def summary_fields(self) -> dict:
        """The project's summary without its times (which have columns of their own)."""
        return {k: v for k, v in self.summary.items() if k not in TIME_FIELDS}

    def summary_text(self) -> str:
        """The project's summary on one line, for listings and the command's text output."""
        fields = self.summary_fields.items()
        return "; ".join(f"{name}: {value}" for name, value in fields if value is not None)

    def matches(self, needle: str) -> bool:
        """Does any text of the project's summary contain `needle` (case-insensitive)?"""
        texts = (value for value in self.summary.values() if isinstance(value, str))
        return any(needle in text.casefold() for text in texts)

    @property
    def expires_at(self) -> datetime | None:
        return None if self.ttl is None else timezone.now() + timedelta(seconds=self.ttl)

    @property
    def last_activity(self) -> datetime | None:
        """The summary's own timestamp, else derived from the sliding TTL (reset on every save)."""
        if self.summary.get("updated"):
            return self.summary["updated"]
        if self.ttl is None or "_session_expiry" in self.data:
            return None
        return timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE - self.ttl)

    def pretty_json(self) -> str:
        """The decoded session for the detail views, with its credentials masked."""
        shown = {k: HIDDEN_VALUE if k in HIDDEN_KEYS else v for k, v in self.data.items()}
        return json.dumps(
            masked_secrets(shown), ensure_ascii=False, indent=2, sort_keys=True, default=str
        )

    def as_dict(self, *, with_data: bool = False) -> dict:
        """JSON for `manage.py sessions --json`: the short key and ref, never the full key."""
        row = {
            **{k: v for k, v in self.summary.items() if k not in TIME_FIELDS},
            "ref": self.ref,
            "key": self.short_key,
            "damaged": self.damaged,
            "store": self.store,
            "ttl": self.ttl,
            "size": self.size,
            "keys": self.key_count,
            "created": iso(self.summary.get("created")),
            "last_activity": iso(self.last_activity),
        }
        if with_data:
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
            raise LookupError(
                "sessions have no Redis (SESSION_CACHE_ALIAS names no django-redis cache): "
                "no Redis store"
            )
        return storage.primary
    raise LookupError(f"unknown store {name!r}; choose one of {', '.join(STORE_CHOICES)}")


def session_keys(store: Store, prefix: str = "") -> Iterator[str]:
    """Session keys by SCAN (tombstones left out)."""
    return (key for key in store.keys(prefix) if not key.startswith(TOMBSTONE))


def snapshot(store: Store, key: str, value: str | None, ttl: int | None) -> SessionSnapshot:
    """One stored session, decoded; unreadable or undecodable (logged once) means damaged."""
    data = None if value is None else SessionStore(key).decode_stored(value)
    size = 0 if value is None else len(value.encode())
    return SessionSnapshot(key, store.name, size, ttl, data or {}, damaged=data is None)


def read_sessions(store: Store, keys: list[str]) -> list[SessionSnapshot]:
    """The sessions still present under `keys`, decoded."""
    return [snapshot(store, key, value, ttl) for key, value, ttl in store.entries(keys)]


@dataclass
class Listing:
    sessions: list[SessionSnapshot]
    scanned: int
    truncated: bool


def list_sessions(store: Store, *, search: str = "", limit: int = SCAN_LIMIT) -> Listing:
    """Up to `limit` sessions, newest activity first, optionally those whose summary matches."""
    keys = []
    for key in session_keys(store):
        keys.append(key)
        if len(keys) > limit:
            break
    truncated = len(keys) > limit
    keys = keys[:limit]
    sessions = read_sessions(store, keys)
    needle = search.strip().casefold()
    if needle:
        sessions = [session for session in sessions if session.matches(needle)]
    oldest = timezone.now() - timedelta(days=36500)
    sessions.sort(key=lambda s: s.last_activity or oldest, reverse=True)
    return Listing(sessions, len(keys), truncated)


def find_session(store: Store, ref: str) -> SessionSnapshot | None:
    """A session by its `ref`: one SCAN of the keys sharing its prefix, stopping at the match.

    A full session key is not a ref and finds nothing: URLs and commands that print what they
    were given must never be handed a usable key.
    """
    if not is_ref(ref):
        return None
    prefix = ref[:REF_PREFIX_LENGTH]
    matches = (k for k in session_keys(store, prefix) if constant_time_compare(session_ref(k), ref))
    key = next(matches, None)
    return None if key is None else session_by_key(store, key)


def session_by_key(store: Store, key: str) -> SessionSnapshot | None:
    """A session by its full key, as an operator typed it on a command line (never printed)."""
    if not valid_session_key(key):
        return None
    sessions = read_sessions(store, [key])
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
    """Remove what is expired or unusable but would not go away by itself.

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
        entries = store.entries(list(session_keys(store)))
        immortal = [key for key, _, ttl in entries if ttl is None]
        store.delete(*immortal)
    return {"store": store.name, "swept_expired_rows": swept, "removed_without_ttl": len(immortal)}


def count_sessions(store: Store) -> int:
    return sum(1 for _ in session_keys(store))
