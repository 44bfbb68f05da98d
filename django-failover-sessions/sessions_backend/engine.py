"""`SESSION_ENGINE = "sessions_backend.engine"`: Django sessions on a shared Redis, with a fallback.

Like Django's `cache` backend, but it never confuses "Redis is down" with "no such session":
see `failover.SessionStorage` for the routing and README "Guarantees" for what it promises.
Values are in the `codec` format (signed JSON, never pickle; README "Value format").
A save is a compare-and-set against the version this store loaded: a change another request
saved meanwhile is never overwritten silently (`SessionConflict`; README "Concurrent saves").
"""

import logging

from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS,
    CreateError,
    SessionBase,
    UpdateError,
)

from . import codec
from .damage_log import report_damaged
from .exceptions import SessionConflict
from .failover import SessionStorage, get_storage
from .redaction import short_key

logger = logging.getLogger("sessions_backend")
VALID_CHARS = frozenset(VALID_KEY_CHARS)
MAX_KEY_LENGTH = 40


def valid_session_key(key: str | None) -> bool:
    """Django's rule (at least 8 characters) plus the alphabet and length our keys use: an odd
    cookie, or anything else typed as a key, reaches no store."""
    return bool(key) and 8 <= len(key) <= MAX_KEY_LENGTH and set(key) <= VALID_CHARS


class SessionStore(SessionBase):
    # Set by `sessions_backend.middleware` for its save at response time: code that did not
    # handle SessionConflict itself keeps Django's last-writer-wins.
    last_writer_wins = False

    def __init__(
        self, session_key: str | None = None, storage: SessionStorage | None = None
    ) -> None:
        """`storage` defaults to this process's; tests pass another to play a second worker."""
        self._storage = storage or get_storage()
        self._version: str | None = None  # `codec.version` of the value loaded or last written
        self._written: str | None = None  # the value this store last wrote
        super().__init__(session_key)

    def _validate_session_key(self, key: str | None) -> bool:
        return valid_session_key(key)

    def encode(self, session_dict: dict) -> str:
        return codec.dumps(session_dict, self.key_salt)

    def decode(self, session_data: str) -> dict:
        """Django's contract: `{}` for a bad value, logged as Django's own backends log it."""
        try:
            return codec.loads(session_data, self.key_salt)
        except codec.Refused:
            logging.getLogger("django.security.SuspiciousSession").warning("Session data corrupted")
            return {}

    def decode_stored(self, data: str) -> dict | None:
        """A stored value as a session dict; None, logged once per key, when it cannot be
        trusted (unlike `decode`, which answers {} as Django's contract requires)."""
        try:
            return codec.loads(data, self.key_salt)
        except codec.Refused as problem:
            report_damaged(self.session_key, str(problem))
            return None

    def load(self) -> dict:
        if self.session_key is None:
            return {}
        data = self._storage.load(self.session_key)
        session = self.decode_stored(data) if data is not None else None
        if session is None:
            self._session_key = None
            return {}
        self._version = codec.version(data)
        return session

    def refresh(self) -> None:
        """Forget this request's changes and read the stored session again (after a conflict).

        UpdateError when it is gone meanwhile (logout, "start over" in another tab): a change
        redone on an empty session would bring the deleted one back under a new key.
        """
        self._session_cache = self.load()
        self.modified = False
        if self.session_key is None:
            raise UpdateError

    def exists(self, session_key: str) -> bool:
        return self._validate_session_key(session_key) and self._storage.exists(session_key)

    def create(self) -> None:
        data = self.encode(self._get_session(no_load=True))
        for _ in range(10):
            key = self._storage.create(data, self.get_expiry_age())
            if key is not None:
                self._session_key = key
                self.modified = True
                self._wrote(data)
                return
        raise RuntimeError("Unable to create a new session key.")

    def save(self, must_create: bool = False) -> None:
        """SessionConflict if another request saved since this store loaded (see the class)."""
        if self.session_key is None:
            return self.create()
        data = self.encode(self._get_session(no_load=must_create))
        if must_create:
            if not self._storage.create(data, self.get_expiry_age(), key=self.session_key):
                raise CreateError
        elif data != self._written:  # the middleware's save after a view's own is a no-op
            self._update(data)
        self._wrote(data)

    def _update(self, data: str) -> None:
        ttl = self.get_expiry_age()
        try:
            self._storage.save(self.session_key, data, ttl, expected=self._version)
        except SessionConflict:
            if not self.last_writer_wins:
                raise
            logger.info("Session %s saved over a concurrent save", short_key(self.session_key))
            self._storage.save(self.session_key, data, ttl)

    def _wrote(self, data: str) -> None:
        self._version, self._written = codec.version(data), data

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if session_key is not None:
            self._storage.delete(session_key)

    @classmethod
    def clear_expired(cls) -> None:
        """Redis and the LRU expire keys themselves; the DB fallback needs a sweep."""
        fallback = get_storage().fallback
        if hasattr(fallback, "clear_expired"):
            fallback.clear_expired()
