"""Errors the session layer raises instead of pretending a session is empty."""


class SessionUnavailable(Exception):
    """An existing session cannot be read or written because its store is unreachable.

    Treating it as empty would delete the user's cookie and wizard; the middleware answers 503
    with `Retry-After` instead, and the session is intact once the store is back.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"session store unavailable, retry after {retry_after} s")
        self.retry_after = retry_after
