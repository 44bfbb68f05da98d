"""Session middleware: an unreadable session is a 503, never an empty one; a conflict is a 409
for a view that gave up, last-writer-wins for a save at response time; a session too large to
store is a 413 that keeps the stored one (docs/sessions.md)."""

import sys

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from .exceptions import SessionConflict, SessionTooLarge, SessionUnavailable


def seconds_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} секунду"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} секунды"
    return f"{n} секунд"


def session_unavailable(exc: SessionUnavailable) -> HttpResponse:
    """The documented 503: data is safe, come back in N seconds. Rendered without the request,
    so nothing on the page (user, messages, context processors) can touch the session again."""
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
            return session_unavailable(exception)
        if isinstance(exception, SessionConflict):
            return session_conflict(request)
        if isinstance(exception, SessionTooLarge):
            return session_too_large(request)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if hasattr(session, "last_writer_wins"):
            session.last_writer_wins = True
        try:
            return super().process_response(request, response)
        except SessionUnavailable as exc:
            return session_unavailable(exc)
        except SessionTooLarge:
            return session_too_large(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: SessionUnavailable raised outside a view (in a middleware) is still a 503."""
    exc = sys.exc_info()[1]
    if isinstance(exc, SessionUnavailable):
        return session_unavailable(exc)
    try:
        return defaults.server_error(request, template_name="errors/500.html")
    except Exception:
        return HttpResponseServerError("<h1>Ошибка сервера</h1>", content_type="text/html")
