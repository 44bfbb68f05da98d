"""Errors the session layer raises instead of pretending a session is empty or overwriting one."""

from django.contrib.sessions.backends.base import UpdateError


class SessionUnavailable(Exception):
    """An existing session cannot be read or written because its store is unreachable.

    Treating it as empty would delete the user's cookie and data; the middleware answers 503
    with `Retry-After` instead, and the session is intact once the store is back.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"session store unavailable, retry after {retry_after} s")
        self.retry_after = retry_after


class SessionTooLarge(ValueError):
    """A session whose JSON is over `codec.MAX_JSON_BYTES`: it is not saved, the stored one stays.

    A project keeps its own state under the limit; this is the engine's guard for anything else.
    The middleware answers 413 (`SESSION_TOO_LARGE_VIEW`), never a 500.
    """


class DamagedValue(Exception):
    """One stored session cannot be read (a Redis hash under its key, bytes that are not text).

    A problem of that session only: the engine treats it as absent, like a bad signature, and
    never as an outage of the store. The message completes "Session abc123… …".
    """


class SessionConflict(UpdateError):
    """Another request saved this session after this one loaded it; this save did not happen.

    A subclass of Django's `UpdateError` ("the save did not happen") so that code written for any
    Django backend handles it: Django's own middleware answers 400 instead of a 500. Code that
    can redo its change catches it, reloads (`SessionStore.refresh()`) and applies it again.
    """
