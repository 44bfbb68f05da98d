"""A per-process circuit breaker for the session primary.

While Redis is failing, no request should wait on socket timeouts: after one failure the circuit
opens for `retry_after` seconds, then lets exactly one call through as a probe (half-open).
State changes are logged once each, never once per call, and reported to `on_change` (the
storage publishes its metrics there). Transitions happen under a lock, so among the threads of a
gthread worker exactly one becomes the probe (`is_probe`).
"""

import logging
import threading
import time
from collections.abc import Callable

from .redaction import describe_error

logger = logging.getLogger("sessions_backend")

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    def __init__(
        self,
        retry_after: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.retry_after = retry_after
        self.clock = clock
        self.on_change = on_change
        self.state = CLOSED
        self.opened_at: float | None = None
        self.last_error = ""
        self._probe_thread: int | None = None
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """May this call use the primary? Moves open → half-open once the wait is over."""
        if self.state == CLOSED:  # the every-request path: no lock while Redis is healthy
            return True
        with self._lock:
            if self.state == CLOSED:
                return True
            if self.state == OPEN and self.clock() - self.opened_at >= self.retry_after:
                self.state, self._probe_thread = HALF_OPEN, threading.get_ident()
                return True
            return False

    def is_probe(self) -> bool:
        """Is the calling thread the one let through to probe the primary?"""
        return self.state == HALF_OPEN and self._probe_thread == threading.get_ident()

    def succeeded(self) -> None:
        if self.state == CLOSED:
            return
        with self._lock:
            if self.state == CLOSED:
                return
            down_for = self.clock() - self.opened_at
            self.state, self.opened_at, self.last_error = CLOSED, None, ""
        logger.warning("Session primary recovered after %.1f s; circuit closed", down_for)
        self.on_change()

    def failed(self, error: BaseException) -> None:
        with self._lock:
            was = self.state
            self.state, self.opened_at = OPEN, self.clock()
            self.last_error = describe_error(error)
        if was == CLOSED:
            logger.warning(
                "Session primary failed (%s); using the fallback, next try in %s s",
                self.last_error,
                self.retry_after,
            )
            self.on_change()

    def seconds_until_retry(self) -> int:
        """Whole seconds until the next probe, for `Retry-After` (at least 1)."""
        with self._lock:  # another thread may close the circuit between the two reads
            if self.state != OPEN:
                return 1
            return max(1, int(self.retry_after - (self.clock() - self.opened_at) + 0.999))
