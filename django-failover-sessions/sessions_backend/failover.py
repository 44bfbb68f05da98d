"""Routes session reads and writes between the Redis primary and the fallback store.

The rules (README "Failover"):
- Redis answers: it is the only truth; a miss there looks in the fallback for a session written
  during an outage and moves it to Redis (SET NX, so a newer Redis copy wins).
- Redis fails: the circuit opens; new sessions go to the fallback; a session that only Redis holds
  is *unavailable* (SessionUnavailable → 503), never silently empty.
- Deletes made while degraded leave a tombstone in the fallback, replayed to Redis before the
  worker trusts Redis again, so a logged-out or cycled key never comes back.

Thread safety (gthread workers serve several requests of a process at once): the storage is built
once per process under a lock; the counters are bumped under their own lock; the circuit breaker
locks its transitions; and every change to the fallback made while degraded, the recovery that
empties the fallback into Redis and a lazy write-back all hold `_moving`, so a session written to
the fallback while another thread moves the fallback to Redis is neither lost nor resurrected.
Healthy traffic never takes `_moving`.

Every counted outcome and every change of state is also sent as a signal (`signals.py`), which
the optional Prometheus series subscribe to.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.core.signals import setting_changed
from django.utils.crypto import get_random_string
from django.utils.http import base36_to_int, int_to_base36
from redis.exceptions import RedisError

from .circuit import CLOSED, CircuitBreaker
from .conf import STORAGE_SETTINGS, engine_settings
from .damage_log import report_damaged
from .exceptions import DamagedValue, SessionConflict, SessionUnavailable
from .redaction import describe_error
from .sharing import redis_alias
from .signals import session_operation, storage_changed
from .stores import RedisStore, Store, Swap, fallback_store_class, is_outage

T = TypeVar("T")
TOMBSTONE = "~"
KEY_LENGTH = 32
STAMP_LENGTH = 7  # base36 seconds since the epoch, enough until the year 4000
FALLBACK_GRACE = 60  # s a fallback-born session may take to reach Redis after recovery
WRITE_BACK_BATCH = 500  # sessions moved per batch when a worker recovers


def new_session_key(born_in_fallback: bool = False) -> str:
    """A random key; one made while Redis is down carries its birth time.

    After recovery, a worker that cannot find such a session knows it may still sit in another
    worker's memory, waiting to be moved, and answers 503 "retry" instead of "no such session".
    """
    key = get_random_string(KEY_LENGTH, VALID_KEY_CHARS)
    if not born_in_fallback:
        return key
    return key + int_to_base36(int(time.time())).rjust(STAMP_LENGTH, "0")


def birth_time(key: str) -> int | None:
    """The birth stamp of a key made in a fallback (seconds since the epoch), else None."""
    if len(key) != KEY_LENGTH + STAMP_LENGTH:
        return None
    try:
        return base36_to_int(key[KEY_LENGTH:])
    except ValueError:
        return None


def recently_born_in_fallback(key: str) -> bool:
    """Was `key` made in a fallback within FALLBACK_GRACE? A forged future stamp is not."""
    born = birth_time(key)
    return born is not None and abs(time.time() - born) < FALLBACK_GRACE  # abs: clock skew


def born_in_the_future(key: str) -> bool:
    """A stamp beyond the clock skew allowed: no engine made this key, someone forged it."""
    born = birth_time(key)
    return born is not None and born - time.time() >= FALLBACK_GRACE


class SessionStorage:
    def __init__(
        self,
        primary: RedisStore | None,
        fallback: Store,
        retry_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` times the circuit's wait (`retry_after` seconds) before Redis is probed again."""
        self.primary = primary
        self.fallback = fallback
        self.breaker = CircuitBreaker(retry_after, clock=clock, on_change=self._changed)
        self.counts: Counter[tuple[str, str]] = Counter()
        self._counts_lock = threading.Lock()
        self._moving = threading.RLock()
        self._changed()

    def _changed(self) -> None:
        storage_changed.send(sender=SessionStorage, storage=self)

    def _count(self, op: str, result: str, n: int = 1) -> None:
        with self._counts_lock:
            self.counts[op, result] += n
        session_operation.send(sender=SessionStorage, storage=self, op=op, result=result, count=n)

    @property
    def degraded(self) -> bool:
        """True while sessions are being served by the fallback instead of Redis."""
        return self.primary is not None and self.breaker.state != CLOSED

    @property
    def active(self) -> Store:
        return self.primary if self.primary is not None and not self.degraded else self.fallback

    def _on_primary(self, call: Callable[[], T]) -> tuple[bool, T | None]:
        """Run `call` against Redis unless the circuit is open; (False, None) means "degraded"."""
        if self.primary is None or not self.breaker.allow():
            return False, None
        if not self.breaker.is_probe():
            return self._call_primary(call)
        with self._moving:  # the one probing thread: nobody changes the fallback meanwhile
            try:
                self._recover()
            except RedisError as error:
                self._count("primary", "error")
                self.breaker.failed(error)
                return False, None
            return self._call_primary(call)

    def _call_primary(self, call: Callable[[], T]) -> tuple[bool, T | None]:
        try:
            result = call()
        except DamagedValue:
            self.breaker.succeeded()  # Redis answered: the store is fine, one value is not
            raise
        except RedisError as error:
            if not is_outage(error):
                self.breaker.succeeded()
                raise DamagedValue(f"is unreadable ({describe_error(error)})") from error
            self._count("primary", "error")
            self.breaker.failed(error)
            return False, None
        self.breaker.succeeded()
        return True, result

    def _recover(self) -> None:
        """Replay tombstones, then move every fallback session to Redis: the half-open probe."""
        tombstones = list(self.fallback.keys(TOMBSTONE))
        if tombstones:
            self.primary.delete(*(stone[len(TOMBSTONE) :] for stone in tombstones))
            self.fallback.delete(*tombstones)
        else:
            self.primary.client.ping()
        keys = [key for key in self.fallback.keys("") if not key.startswith(TOMBSTONE)]
        for start in range(0, len(keys), WRITE_BACK_BATCH):
            batch = keys[start : start + WRITE_BACK_BATCH]
            entries = [
                (key, value, ttl or settings.SESSION_COOKIE_AGE)
                for key, value, ttl in self.fallback.entries(batch)
                if value is not None
            ]
            self.primary.add_many(entries)  # NX: a copy already in Redis is newer and wins
            self.fallback.delete(*batch)
            self._count("write_back", "ok", len(entries))

    def _write_back(self, key: str, value: str | None = None, ttl: int | None = None) -> str | None:
        """Move a fallback session to Redis; `value` and `ttl` replace the fallback's when given."""
        if self.fallback.get(key) is None:
            return None
        with self._moving:
            return self._move(key, value, ttl)

    def _move(self, key: str, value: str | None, ttl: int | None) -> str | None:
        stored = self.fallback.get(key)
        if stored is None:
            return None
        value = stored if value is None else value
        ttl = ttl or self.fallback.ttl(key) or settings.SESSION_COOKIE_AGE
        if not self.primary.add(key, value, ttl):
            value = self.primary.get(key)
        self.fallback.delete(key)
        self._count("write_back", "ok")
        return value

    def _tombstoned(self, key: str) -> bool:
        return self.fallback.get(TOMBSTONE + key) is not None

    def _unavailable(self, op: str) -> SessionUnavailable:
        self._count(op, "unavailable")
        return SessionUnavailable(self.breaker.seconds_until_retry())

    def _damaged(self, op: str, key: str, problem: str) -> None:
        """One session's own problem: counted, logged once per key; nobody else is affected."""
        self._count(op, "damaged")
        report_damaged(key, problem)

    def load(self, key: str) -> str | None:
        try:
            ok, value = self._on_primary(lambda: self.primary.get(key) or self._write_back(key))
        except DamagedValue as damage:
            return self._damaged("load", key, str(damage))
        if ok:
            if value is None and recently_born_in_fallback(key):
                raise self._unavailable("load")
            if value is None and born_in_the_future(key):
                self._damaged("load", key, "carries a birth time in the future")
            self._count("load", "hit" if value is not None else "miss")
            return value
        value = self.fallback.get(key)
        if value is not None:
            self._count("load", "fallback")
            return value
        if self.primary is None or self._tombstoned(key):
            self._count("load", "miss")
            return None
        raise self._unavailable("load")

    def exists(self, key: str) -> bool:
        try:
            _, found = self._on_primary(lambda: self.primary.get(key) is not None)
        except DamagedValue:
            return True  # the key is taken, by a value nobody can read
        return bool(found) or self.fallback.get(key) is not None

    def create(self, value: str, ttl: int, key: str | None = None) -> str | None:
        """Store a new session under `key` (or a fresh one); the key used, None on a collision."""
        if self.primary is not None:
            primary_key = key or new_session_key()
            ok, created = self._on_primary(lambda: self.primary.add(primary_key, value, ttl))
            if ok:
                self._count("create", "ok")
                return primary_key if created else None
        key = key or new_session_key(born_in_fallback=self.primary is not None)
        self._count("create", "fallback")
        with self._moving:
            return key if self.fallback.add(key, value, ttl) else None

    def save(self, key: str, value: str, ttl: int, expected: str | None = None) -> None:
        """Update a session: UpdateError if it is gone, SessionUnavailable if that is unknowable,
        SessionConflict if its stored version is not `expected` (the one loaded), when given."""
        try:
            ok, saved = self._on_primary(
                lambda: (
                    _update(self.primary, key, value, ttl, expected)
                    or self._write_back(key, value, ttl)
                )
            )
        except DamagedValue as damage:
            self._damaged("save", key, str(damage))
            raise UpdateError from damage
        if not ok:
            with self._moving:
                saved = _update(self.fallback, key, value, ttl, expected)
        if saved is Swap.CONFLICT:
            self._count("save", "conflict")
            raise SessionConflict
        if ok:
            if not saved and recently_born_in_fallback(key):
                raise self._unavailable("save")
            if not saved:
                raise UpdateError
            self._count("save", "ok")
            return
        if saved:
            self._count("save", "fallback")
            return
        if self.primary is None or self._tombstoned(key):
            raise UpdateError
        raise self._unavailable("save")

    def delete(self, key: str) -> None:
        ok, _ = self._on_primary(lambda: self.primary.delete(key))
        if ok or self.primary is None:
            self.fallback.delete(key)
            self._count("delete", "ok")
            return
        with self._moving:
            if self.breaker.state == CLOSED:  # recovered while this thread waited: delete there
                ok, _ = self._on_primary(lambda: self.primary.delete(key))
            self.fallback.delete(key)
            if not ok:
                self.fallback.add(TOMBSTONE + key, "", settings.SESSION_COOKIE_AGE)
        self._count("delete", "tombstone" if not ok else "ok")

    def stats(self) -> dict:
        """This process's counters, for the health report and `manage.py sessions stats`."""
        with self._counts_lock:
            c = Counter(self.counts)
        return {
            "backend": self.active.name,
            "primary": self.primary.name if self.primary else None,
            "fallback": self.fallback.name,
            "fallback_active": self.primary is None or self.degraded,
            "circuit": self.breaker.state,
            "last_error": self.breaker.last_error,
            "hits": c["load", "hit"],
            "misses": c["load", "miss"],
            "errors": c["primary", "error"],
            "unavailable": c["load", "unavailable"] + c["save", "unavailable"],
            "damaged": c["load", "damaged"] + c["save", "damaged"],
            "fallback_reads": c["load", "fallback"],
            "fallback_writes": c["create", "fallback"] + c["save", "fallback"],
            "write_backs": c["write_back", "ok"],
            "tombstones": c["delete", "tombstone"],
            "operations": [
                {"op": op, "result": result, "count": n} for (op, result), n in sorted(c.items())
            ],
        }


def _update(store: Store, key: str, value: str, ttl: int, expected: str | None) -> bool | Swap:
    """`replace`, or `compare_and_set` when the caller knows the version it loaded."""
    if expected is None:
        return store.replace(key, value, ttl)
    return store.compare_and_set(key, expected, value, ttl)


_storage: SessionStorage | None = None
# The clock `get_storage()` builds storages with. A test that must move past the circuit's wait
# replaces it (monkeypatch) with one it advances, instead of sleeping.
circuit_clock: Callable[[], float] = time.monotonic


def build_storage(clock: Callable[[], float] | None = None) -> SessionStorage:
    """Redis when SESSION_CACHE_ALIAS names a django-redis cache; the fallback in any case.

    `clock` (default `circuit_clock`) times the circuit; tests pass one they advance by hand.
    """
    alias = redis_alias()
    primary = RedisStore(alias) if alias is not None else None
    fallback = fallback_store_class(engine_settings.SESSION_FALLBACK)()
    retry = engine_settings.SESSION_FALLBACK_RETRY
    return SessionStorage(primary, fallback, retry, clock=clock or circuit_clock)


_storage_lock = threading.Lock()


def get_storage() -> SessionStorage:
    """The process-wide storage, built on first use (after a server forks: one per worker).

    Built under a lock: two threads of a fresh worker must share one fallback and one breaker.
    """
    global _storage
    storage = _storage
    if storage is None:
        with _storage_lock:
            if _storage is None:
                _storage = build_storage()
            storage = _storage
    return storage


def storage_stats() -> dict:
    """This process's storage as the health report and `manage.py sessions stats` show it: where
    sessions go now (`backend`, `primary`, `fallback`, `circuit`) and its counters."""
    return get_storage().stats()


def reset_storage(**kwargs) -> None:
    """Forget the storage (tests, `setting_changed`); the next use builds it from settings."""
    global _storage
    if kwargs.get("setting") is None or kwargs["setting"] in STORAGE_SETTINGS:
        _storage = None


setting_changed.connect(reset_storage)
