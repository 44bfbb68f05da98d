"""The site's error pages, all in Russian and all here: 400, 403 (and the CSRF failure), 404,
405, 413, 500, and the session engine's 503, 409 and 413.

Django reaches the first ones through `housler/urls.py` (`handler400`…) and `CSRF_FAILURE_VIEW`,
`housler/middleware.py` the 405 and the request-size 413, the session engine its own answers
through `SESSION_UNAVAILABLE_VIEW`, `SESSION_CONFLICT_VIEW` and `SESSION_TOO_LARGE_VIEW`: the
engine sets their status and headers, these views only render the page.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from calculator import uploads
from sessions_backend import views as session_views
from sessions_backend.exceptions import SessionConflict, SessionTooLarge, SessionUnavailable


def seconds_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} секунду"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} секунды"
    return f"{n} секунд"


def _back_link(request: HttpRequest) -> str:
    path = request.path
    return path if path.startswith("/calculator/") else "/calculator/"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400, and the page of a request refused for its size (the middleware makes it a 413)."""
    too_big = isinstance(exception, RequestDataTooBig)
    context = {
        "too_big": too_big,
        "files_too_big": isinstance(exception, uploads.UploadTooBig),
        "upload_mb": uploads.max_mb(),
        "back": _back_link(request),
    }
    return render(request, "errors/400.html", context, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"back": _back_link(request)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """For CSRF_FAILURE_VIEW: an outdated form (e.g. opened yesterday) explained in one sentence."""
    return render(
        request, "errors/403.html", {"csrf": True, "back": _back_link(request)}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/405.html", status=405)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a session store that cannot answer is still the engine's 503 (raised in a
    middleware, it reaches Django's handler instead of the session middleware)."""
    try:
        return session_views.server_error(request, template_name="errors/500.html")
    except Exception:
        return HttpResponseServerError("<h1>Ошибка сервера</h1>", content_type="text/html")


def session_unavailable(request: HttpRequest, exception: SessionUnavailable) -> HttpResponse:
    """The 503 "data is safe, come back in N seconds". Rendered without the request, so nothing
    on the page (user, messages, context processors) can touch the session again."""
    retry_after = seconds_ru(exception.retry_after)
    try:
        body = loader.render_to_string(
            "errors/session_unavailable.html", {"retry_after": retry_after}
        )
    except Exception:  # a broken template or static manifest must not turn this into a 500
        body = (
            "<!doctype html><h1>Сервис временно недоступен</h1>"
            f"<p>Ваши данные сохранены — повторите через {retry_after}.</p>"
        )
    return HttpResponse(body, status=503)


def session_conflict(request: HttpRequest, exception: SessionConflict) -> HttpResponse:
    """409 for a view that kept meeting concurrent saves: its change is dropped, nothing else."""
    return HttpResponse(
        "<!doctype html><title>Повторите действие</title><h1>Повторите действие</h1>"
        "<p>Данные менялись одновременно в другой вкладке или другом запросе. Ничего не потеряно"
        " — вернитесь назад, обновите страницу и повторите действие.</p>",
        status=409,
    )


def session_too_large(request: HttpRequest, exception: SessionTooLarge) -> HttpResponse:
    """413: the change would not fit in the session, so none of it is stored."""
    return HttpResponse(
        "<!doctype html><title>Слишком много данных</title><h1>Слишком много данных</h1>"
        "<p>Изменение не сохранено: с ним данные расчёта не помещаются в допустимый размер. "
        "Сохранённое раньше не потеряно — вернитесь назад и повторите с меньшим числом "
        "страниц или введите данные вручную.</p>",
        status=413,
    )
