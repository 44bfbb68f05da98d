"""Session middleware: an unreadable session is a 503, never an empty one; a conflict is a 409
for a view that gave up, last-writer-wins for a save at response time; a session too large to
store is a 413 that keeps the stored one (docs/sessions.md)."""

import logging
import sys
import threading
import time
from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from .exceptions import SessionConflict, SessionTooLarge, SessionUnavailable
from .storage import get_storage

logger = logging.getLogger("sessions_backend")


def seconds_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} секунду"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} секунды"
    return f"{n} секунд"


def n_requests(count: int) -> str:
    return f"{count} request" if count == 1 else f"{count} requests"


class OutageRefusals:
    """This process's 503s of one outage: the first logged, the rest counted, one summary.

    A paused Redis makes every request for a session only Redis holds a 503; Django would log
    each at ERROR (151 lines for a 6-second pause). The summary, "N requests answered 503
    during the outage", comes with the first response after the storage stops being degraded;
    a long outage also gets a line every `SUMMARY_EVERY` seconds. `/metrics` counts each 503.
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


def session_unavailable(exc: SessionUnavailable, path: str) -> HttpResponse:
    """The documented 503: data is safe, come back in N seconds. Rendered without the request,
    so nothing on the page (user, messages, context processors) can touch the session again;
    `path` is only for the log (`refusals`)."""
    refusals.refused(path)
    text = f"Ваши данные сохранены — повторите через {seconds_ru(exc.retry_after)}."
    try:
        body = loader.render_to_string(
            "errors/session_unavailable.html", {"retry_after": seconds_ru(exc.retry_after)}
        )
    except Exception:  # a broken template or static manifest must not turn this into a 500
        body = f"<!doctype html><h1>Сервис временно недоступен</h1><p>{text}</p>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(exc.retry_after)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # Django's own flag: counted by `refusals` instead
    return response


def session_conflict(request: HttpRequest) -> HttpResponse:
    """409 for a view that kept meeting concurrent saves: its change is dropped, nothing else."""
    request.session.modified = False
    body = (
        "<!doctype html><title>Повторите действие</title><h1>Повторите действие</h1>"
        "<p>Данные менялись одновременно в другой вкладке или другом запросе. Ничего не потеряно"
        " — вернитесь назад, обновите страницу и повторите действие.</p>"
    )
    response = HttpResponse(body, status=409)
    response["Cache-Control"] = "no-store"
    return response


def session_too_large(request: HttpRequest) -> HttpResponse:
    """413: what this request brought made the session too large to store, so none of it is
    stored; the session as saved before stays. 413 rather than 400: the cause is the size of
    what was sent, and the visitor can retry with less."""
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False
    body = (
        "<!doctype html><title>Слишком много данных</title><h1>Слишком много данных</h1>"
        "<p>Изменение не сохранено: с ним данные расчёта не помещаются в допустимый размер. "
        "Сохранённое раньше не потеряно — вернитесь назад и повторите с меньшим числом "
        "страниц или введите данные вручную.</p>"
    )
    return HttpResponse(body, status=413)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's middleware, plus the 503 for SessionUnavailable and the 413 for SessionTooLarge
    raised by views or by the save, and Django's last-writer-wins for its own save, which no view
    can redo on conflict."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SessionUnavailable):
            return session_unavailable(exception, request.path)
        if isinstance(exception, SessionConflict):
            return session_conflict(request)
        if isinstance(exception, SessionTooLarge):
            return session_too_large(request)
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
            return session_unavailable(exc, request.path)
        except SessionTooLarge:
            return session_too_large(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: SessionUnavailable raised outside a view (in a middleware) is still a 503."""
    exc = sys.exc_info()[1]
    if isinstance(exc, SessionUnavailable):
        return session_unavailable(exc, request.path)
    try:
        return defaults.server_error(request, template_name="errors/500.html")
    except Exception:
        return HttpResponseServerError("<h1>Ошибка сервера</h1>", content_type="text/html")
