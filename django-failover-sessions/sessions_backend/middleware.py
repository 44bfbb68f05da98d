"""Session middleware: an unreadable session is a 503, never an empty one; a conflict is a 409
for a view that gave up, last-writer-wins for a save at response time; a session too large to
store is a 413 that keeps the stored one (README "Middleware and error pages").

The engine decides the status and headers; the pages come from the project's views
(`SESSION_UNAVAILABLE_VIEW`, `SESSION_CONFLICT_VIEW`, `SESSION_TOO_LARGE_VIEW`), plain English
ones from `views.py` by default.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from .conf import DEFAULTS, engine_settings
from .exceptions import SessionConflict, SessionTooLarge, SessionUnavailable
from .failover import get_storage

logger = logging.getLogger("sessions_backend")


def n_requests(count: int) -> str:
    return f"{count} request" if count == 1 else f"{count} requests"


class OutageRefusals:
    """This process's 503s of one outage: the first logged, the rest counted, one summary.

    A paused Redis makes every request for a session only Redis holds a 503; Django would log
    each at ERROR (151 lines for a 6-second pause). The summary, "N requests answered 503
    during the outage", comes with the first response after the storage stops being degraded;
    a long outage also gets a line every `SUMMARY_EVERY` seconds. A project's request metrics
    still count each 503.
    """

    SUMMARY_EVERY = 60.0  # s

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started: float | None = None  # None: no 503 since the last outage ended
        self.total = 0
        self.window_started = 0.0
        self.window_count = 0
        self._lock = threading.Lock()

    def refused(self, path: str) -> None:
        with self._lock:
            now, first = self.clock(), self.started is None
            if first:
                self.started = self.window_started = now
                self.total = self.window_count = 0
            self.total += 1
            self.window_count += 1
            count, lasted = self.window_count, now - self.window_started
            if lasted >= self.SUMMARY_EVERY:
                self.window_started, self.window_count = now, 0
        if first:
            logger.warning(
                "Session store unavailable: %s answered 503 (retry); further 503s of this "
                "outage are counted, not logged",
                path,
            )
        elif lasted >= self.SUMMARY_EVERY:
            logger.warning(
                "%s answered 503 in the last %.0f s; the session store is still unavailable",
                n_requests(count),
                lasted,
            )

    def check_recovered(self) -> None:
        """After a 503: once the storage is healthy again, log the summary and close the count."""
        if self.started is None or get_storage().degraded:
            return
        with self._lock:
            if self.started is None:
                return
            total, lasted = self.total, self.clock() - self.started
            self.started = None
        logger.warning("%s answered 503 during the outage (%.0f s)", n_requests(total), lasted)


refusals = OutageRefusals()


_failed_views: set[str] = set()


def _page(setting: str, request: HttpRequest, exception: Exception) -> HttpResponse:
    """The page the project's view (`setting`) renders; the engine's own if that view fails, so
    a broken template or static manifest never turns the answer into a 500. The failure is
    logged once per process: during an outage every request would repeat it."""
    try:
        return import_string(getattr(engine_settings, setting))(request, exception)
    except Exception:
        if setting not in _failed_views:
            _failed_views.add(setting)
            logger.exception("%s failed; answering with the engine's own page", setting)
        return import_string(DEFAULTS[setting])(request, exception)


def unavailable_response(request: HttpRequest, exc: SessionUnavailable) -> HttpResponse:
    """The 503 "your data is safe, retry in N seconds" with `Retry-After`, whoever raised `exc`.

    Its page (`SESSION_UNAVAILABLE_VIEW`) must not touch the session again. Counted by
    `refusals` instead of logged by Django; a project's `handler500` calls it for a
    SessionUnavailable raised outside a view (`views.server_error` does).
    """
    refusals.refused(request.path)
    response = _page("SESSION_UNAVAILABLE_VIEW", request, exc)
    response.status_code = 503
    response["Retry-After"] = str(exc.retry_after)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # Django's own flag: counted by `refusals` instead
    return response


def conflict_response(request: HttpRequest, exc: SessionConflict) -> HttpResponse:
    """409 for a view that kept meeting concurrent saves: its change is dropped, nothing else."""
    request.session.modified = False
    response = _page("SESSION_CONFLICT_VIEW", request, exc)
    response.status_code = 409
    response["Cache-Control"] = "no-store"
    return response


def too_large_response(request: HttpRequest, exc: SessionTooLarge) -> HttpResponse:
    """413: what this request brought made the session too large to store, so none of it is
    stored; the session as saved before stays. 413 rather than 400: the cause is the size of
    what was sent, and the visitor can retry with less."""
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False
    response = _page("SESSION_TOO_LARGE_VIEW", request, exc)
    response.status_code = 413
    return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's middleware, plus the 503 for SessionUnavailable and the 413 for SessionTooLarge
    raised by views or by the save, and Django's last-writer-wins for its own save, which no view
    can redo on conflict."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SessionUnavailable):
            return unavailable_response(request, exception)
        if isinstance(exception, SessionConflict):
            return conflict_response(request, exception)
        if isinstance(exception, SessionTooLarge):
            return too_large_response(request, exception)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 503:
            refusals.check_recovered()
        session = getattr(request, "session", None)
        if hasattr(session, "last_writer_wins"):
            session.last_writer_wins = True
        try:
            return super().process_response(request, response)
        except SessionUnavailable as exc:
            return unavailable_response(request, exc)
        except SessionTooLarge as exc:
            return too_large_response(request, exc)
