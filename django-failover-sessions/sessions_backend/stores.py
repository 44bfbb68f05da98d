"""Key-value stores the session engine writes to: Redis (primary), local memory or DB (fallback).

Each store speaks the same five verbs with Redis semantics, so the engine never cares which one
it holds: `add` only creates (SET NX), `replace` only updates (SET XX), values are the signed
strings from `codec.dumps()` and TTLs are whole seconds. `compare_and_set` is `replace` only if
nobody changed the value since it was read (README "Concurrent saves").
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import timedelta
from enum import IntEnum

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from redis.exceptions import (
    AuthenticationWrongNumberOfArgsError,
    ClusterDownError,
    NoPermissionError,
    NoScriptError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisError,
    ResponseError,
    TryAgainError,
)

from . import codec
from .conf import FALLBACK_STORES, engine_settings
from .exceptions import DamagedValue
from .redaction import describe_error

BATCH = 200  # keys per pipelined Redis round trip
# Error replies that mean the server refuses everyone, by redis-py class and by reply code
# (for the codes redis-py has no class for). Any other error reply is about the key it names.
OUTAGE_RESPONSES = (
    OutOfMemoryError,
    ReadOnlyError,
    NoPermissionError,
    ClusterDownError,  # MASTERDOWN included
    TryAgainError,
    AuthenticationWrongNumberOfArgsError,
)
OUTAGE_REPLIES = frozenset(
    {"OOM", "READONLY", "NOAUTH", "WRONGPASS", "LOADING", "MASTERDOWN", "NOREPLICAS", "MISCONF"}
    | {"BUSY", "NOPERM", "CLUSTERDOWN", "TRYAGAIN"}
)


def is_outage(error: RedisError) -> bool:
    """Is `error` the store failing (the circuit opens) or one key's value (that session absent)?

    Connection-level failures — refused, timed out, authentication, loading, a protocol error
    (ConnectionError, TimeoutError and the like) — and the reply codes above are everyone's.
    An error reply about one key, such as WRONGTYPE for a hash under a session key, is that
    key's problem: Redis goes on serving every other key.
    """
    if not isinstance(error, ResponseError) or isinstance(error, OUTAGE_RESPONSES):
        return True
    # redis-py prefixes a pipeline's error: "Command # 1 (SET …) of pipeline caused error: …"
    reply = str(error).rpartition("caused error: ")[2]
    return reply.split(" ", 1)[0] in OUTAGE_REPLIES


def text(raw: bytes) -> str:
    """A stored value as text; bytes that are not UTF-8 are a damaged value, not a crash."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise DamagedValue("is not UTF-8 text") from None


def readable(reply: bytes | RedisError) -> str | None:
    """One pipelined GET reply as text, None for a damaged value; an outage is raised."""
    if isinstance(reply, RedisError):
        if is_outage(reply):
            raise reply
        return None
    try:
        return text(reply)
    except DamagedValue:
        return None


class Swap(IntEnum):
    """What a compare-and-set did; the values are the Redis script's replies."""

    ABSENT = 0
    WRITTEN = 1
    CONFLICT = -1


# KEYS[1] the session; ARGV: the version loaded (`codec.version`), the new value, the TTL in ms.
# An h2 value's version is its first 46 characters (prefix and MAC), any other value's the value.
COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if string.sub(current, 1, 3) == 'h2:' then current = string.sub(current, 1, 46) end
if current ~= ARGV[1] then return -1 end
if tonumber(ARGV[3]) <= 0 then redis.call('DEL', KEYS[1]) return 1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
COMPARE_AND_SET_SHA = hashlib.sha1(COMPARE_AND_SET.encode(), usedforsecurity=False).hexdigest()


class Store:
    """The interface; `name` is what the health report and the admin call this store."""

    name = ""
    shared = False  # visible to every worker process?

    def get(self, key: str) -> str | None:
        raise NotImplementedError

    def add(self, key: str, value: str, ttl: int) -> bool:
        raise NotImplementedError

    def replace(self, key: str, value: str, ttl: int) -> bool:
        raise NotImplementedError

    def compare_and_set(self, key: str, expected: str, value: str, ttl: int) -> Swap:
        """`replace`, only while the stored value's `codec.version` is still `expected`.

        This default reads, then writes: not atomic. The stores below override it atomically;
        a custom fallback store should too.
        """
        current = self.get(key)
        if current is None:
            return Swap.ABSENT
        if codec.version(current) != expected:
            return Swap.CONFLICT
        return Swap.WRITTEN if self.replace(key, value, ttl) else Swap.ABSENT

    def delete(self, *keys: str) -> None:
        raise NotImplementedError

    def ttl(self, key: str) -> int | None:
        raise NotImplementedError

    def keys(self, prefix: str = "") -> Iterator[str]:
        raise NotImplementedError

    def entries(self, keys: list[str]) -> list[tuple[str, str | None, int | None]]:
        """(key, value, ttl) of the `keys` still present; ttl None means "never expires".

        Value None: present but unreadable (see `DamagedValue`), so listings can say so.

        The batch read behind write-back, listings and purges; Redis overrides it to answer a
        whole batch per round trip.
        """
        found = []
        for key in keys:
            try:
                value = self.get(key)
            except DamagedValue:
                found.append((key, None, self.ttl(key)))
                continue
            if value is not None:
                found.append((key, value, self.ttl(key)))
        return found


class RedisStore(Store):
    """Sessions under `<KEY_PREFIX>:session:<key>` on the django-redis alias' own connection.

    Raw commands instead of the cache API: the cache API pickles or re-serialises values and hides
    whether SET NX/XX took effect. Errors propagate; the engine decides what they mean.
    """

    name = "redis"
    shared = True

    def __init__(self, alias: str) -> None:
        cache = caches[alias]
        self.client = cache.client.get_client(write=True)
        self.namespace = f"{cache.key_prefix}:session:"

    def get(self, key: str) -> str | None:
        """The value, None when absent; DamagedValue when present but unreadable."""
        try:
            value = self.client.get(self.namespace + key)
        except ResponseError as error:
            if is_outage(error):
                raise
            raise DamagedValue(f"is unreadable ({describe_error(error)})") from error
        return None if value is None else text(value)

    def add(self, key: str, value: str, ttl: int) -> bool:
        if ttl <= 0:
            return True
        return bool(self.client.set(self.namespace + key, value, nx=True, px=ttl * 1000))

    def add_many(self, entries: list[tuple[str, str, int]]) -> None:
        """SET NX for many sessions in one round trip (moving a fallback back after an outage)."""
        pipe = self.client.pipeline(transaction=False)
        for key, value, ttl in entries:
            pipe.set(self.namespace + key, value, nx=True, px=max(ttl, 1) * 1000)
        pipe.execute()

    def replace(self, key: str, value: str, ttl: int) -> bool:
        if ttl <= 0:
            return bool(self.client.delete(self.namespace + key))
        return bool(self.client.set(self.namespace + key, value, xx=True, px=ttl * 1000))

    def compare_and_set(self, key: str, expected: str, value: str, ttl: int) -> Swap:
        """One round trip: EVALSHA of the script, EVAL (which also caches it) on NOSCRIPT."""
        args = (self.namespace + key, expected, value, ttl * 1000)
        try:
            try:
                reply = self.client.evalsha(COMPARE_AND_SET_SHA, 1, *args)
            except NoScriptError:
                reply = self.client.eval(COMPARE_AND_SET, 1, *args)
        except ResponseError as error:  # e.g. WRONGTYPE: this key, not Redis, is broken
            if is_outage(error):
                raise
            raise DamagedValue(f"is unwritable ({describe_error(error)})") from error
        return Swap(reply)

    def delete(self, *keys: str) -> None:
        if keys:
            self.client.delete(*(self.namespace + key for key in keys))

    def ttl(self, key: str) -> int | None:
        seconds = self.client.ttl(self.namespace + key)
        return seconds if seconds >= 0 else None

    def keys(self, prefix: str = "") -> Iterator[str]:
        start = len(self.namespace)
        for raw in self.client.scan_iter(match=f"{self.namespace}{prefix}*", count=500):
            yield raw.decode()[start:]

    def entries(self, keys: list[str]) -> list[tuple[str, str | None, int | None]]:
        found = []
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            pipe = self.client.pipeline(transaction=False)
            for key in batch:
                pipe.get(self.namespace + key)
                pipe.ttl(self.namespace + key)
            replies = pipe.execute(raise_on_error=False)
            for key, value, ttl in zip(batch, replies[::2], replies[1::2], strict=True):
                if isinstance(ttl, Exception):
                    raise ttl
                if value is not None:
                    found.append((key, readable(value), ttl if ttl >= 0 else None))
        return found


class LocMemStore(Store):
    """A bounded LRU in this process: the store without Redis, and the default fallback.

    Only the worker that wrote a session can read it back; that limit is why it is never the
    store of a multi-worker deployment (system check E001).
    """

    name = "locmem"

    def __init__(self, max_entries: int | None = None, clock=time.monotonic) -> None:
        self.max_entries = max_entries or engine_settings.SESSION_FALLBACK_MAX_ENTRIES
        self.clock = clock
        self._data: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _live(self, key: str) -> tuple[str, float] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] <= self.clock():
            del self._data[key]
            return None
        return entry

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._live(key)
            if entry is None:
                return None
            self._data.move_to_end(key)
            return entry[0]

    def _put(self, key: str, value: str, ttl: int) -> None:
        self._data[key] = (value, self.clock() + ttl)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def add(self, key: str, value: str, ttl: int) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            if ttl > 0:
                self._put(key, value, ttl)
            return True

    def replace(self, key: str, value: str, ttl: int) -> bool:
        with self._lock:
            if self._live(key) is None:
                return False
            if ttl > 0:
                self._put(key, value, ttl)
            else:
                del self._data[key]
            return True

    def compare_and_set(self, key: str, expected: str, value: str, ttl: int) -> Swap:
        """Atomic within this process: read, compare and write under the store's lock."""
        with self._lock:
            entry = self._live(key)
            if entry is None:
                return Swap.ABSENT
            if codec.version(entry[0]) != expected:
                return Swap.CONFLICT
            if ttl > 0:
                self._put(key, value, ttl)
            else:
                del self._data[key]
            return Swap.WRITTEN

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def ttl(self, key: str) -> int | None:
        with self._lock:
            entry = self._live(key)
            return None if entry is None else max(0, int(entry[1] - self.clock()))

    def keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            now = self.clock()
            found = [k for k, (_, exp) in self._data.items() if exp > now and k.startswith(prefix)]
        yield from found


class DbStore(Store):
    """Django's session table: slower than Redis but shared by every worker during an outage."""

    name = "db"
    shared = True

    @property
    def model(self):
        from django.contrib.sessions.models import Session

        return Session

    def _live(self):
        return self.model.objects.filter(expire_date__gt=timezone.now())

    def get(self, key: str) -> str | None:
        return self._live().filter(pk=key).values_list("session_data", flat=True).first()

    def add(self, key: str, value: str, ttl: int) -> bool:
        now = timezone.now()
        self.model.objects.filter(pk=key, expire_date__lte=now).delete()
        if ttl <= 0:
            return True
        try:
            with transaction.atomic():
                self.model.objects.create(
                    session_key=key, session_data=value, expire_date=now + timedelta(seconds=ttl)
                )
        except IntegrityError:
            return False
        return True

    def replace(self, key: str, value: str, ttl: int) -> bool:
        expires = timezone.now() + timedelta(seconds=ttl)
        return bool(self._live().filter(pk=key).update(session_data=value, expire_date=expires))

    def compare_and_set(self, key: str, expected: str, value: str, ttl: int) -> Swap:
        """A conditional `UPDATE … WHERE session_data = <the value compared>`: no schema change.

        A value changed between the read and the UPDATE updates no row; a second read tells
        "changed" from "gone".
        """
        current = self.get(key)
        if current is not None and codec.version(current) == expected:
            expires = timezone.now() + timedelta(seconds=ttl)
            rows = self._live().filter(pk=key, session_data=current)
            if rows.update(session_data=value, expire_date=expires):
                return Swap.WRITTEN
            current = self.get(key)
        return Swap.ABSENT if current is None else Swap.CONFLICT

    def delete(self, *keys: str) -> None:
        if keys:
            self.model.objects.filter(pk__in=keys).delete()

    def ttl(self, key: str) -> int | None:
        expires = self._live().filter(pk=key).values_list("expire_date", flat=True).first()
        return None if expires is None else int((expires - timezone.now()).total_seconds())

    def keys(self, prefix: str = "") -> Iterator[str]:
        live = self._live().filter(session_key__startswith=prefix).order_by("expire_date")
        yield from live.values_list("session_key", flat=True).iterator()

    def clear_expired(self) -> None:
        self.model.objects.filter(expire_date__lte=timezone.now()).delete()


def fallback_store_class(name: object) -> type[Store]:
    """`SESSION_FALLBACK`: an alias of FALLBACK_STORES or a dotted path to a Store subclass."""
    try:
        if not isinstance(name, str):
            raise ImportError(f"a {type(name).__name__}, not a string")
        store_class = import_string(FALLBACK_STORES.get(name, name))
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"SESSION_FALLBACK={name!r} is neither {' nor '.join(map(repr, FALLBACK_STORES))} "
            f"nor an importable dotted path ({exc})"
        ) from exc
    if not (isinstance(store_class, type) and issubclass(store_class, Store)):
        raise ImproperlyConfigured(
            f"SESSION_FALLBACK={name!r} is not a subclass of sessions_backend.stores.Store"
        )
    return store_class
