"""`SESSION_ENGINE = "sessions_backend.engine"`: Django sessions on a shared Redis, with a fallback.

Like Django's `cache` backend, but it never confuses "Redis is down" with "no such session":
see `storage.SessionStorage` for the routing and README "Sessions" for the guarantees.
Values are in the `codec` format (signed JSON, never pickle); see docs/sessions.md.
"""

import logging

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase

from . import codec
from .damage_log import report_damaged
from .storage import SessionStorage, get_storage

VALID_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(SessionBase):
    def __init__(
        self, session_key: str | None = None, storage: SessionStorage | None = None
    ) -> None:
        """`storage` defaults to this process's; tests pass another to play a second worker."""
        self._storage = storage or get_storage()
        super().__init__(session_key)

    def _validate_session_key(self, key: str | None) -> bool:
        """Django's rule plus the alphabet and length our keys use: odd cookies reach no store."""
        return (
            bool(super()._validate_session_key(key)) and len(key) <= 40 and set(key) <= VALID_CHARS
        )

    def encode(self, session_dict: dict) -> str:
        return codec.dumps(session_dict, self.key_salt)

    def decode(self, session_data: str) -> dict:
        """Django's contract: `{}` for a bad value, logged as Django's own backends log it."""
        try:
            return codec.loads(session_data, self.key_salt)
        except codec.Refused:
            logging.getLogger("django.security.SuspiciousSession").warning("Session data corrupted")
            return {}

    def _decode_or_none(self, data: str) -> dict | None:
        try:
            return codec.loads(data, self.key_salt)
        except codec.Refused as problem:
            report_damaged(self.session_key, str(problem))
            return None

    def load(self) -> dict:
        if self.session_key is None:
            return {}
        data = self._storage.load(self.session_key)
        session = self._decode_or_none(data) if data is not None else None
        if session is None:
            self._session_key = None
            return {}
        return session

    def exists(self, session_key: str) -> bool:
        return self._validate_session_key(session_key) and self._storage.exists(session_key)

    def create(self) -> None:
        data = self.encode(self._get_session(no_load=True))
        for _ in range(10):
            key = self._storage.create(data, self.get_expiry_age())
            if key is not None:
                self._session_key = key
                self.modified = True
                return
        raise RuntimeError("Unable to create a new session key.")

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self.encode(self._get_session(no_load=must_create))
        if must_create:
            if not self._storage.create(data, self.get_expiry_age(), key=self.session_key):
                raise CreateError
        else:
            self._storage.save(self.session_key, data, self.get_expiry_age())

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
