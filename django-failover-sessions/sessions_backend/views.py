"""The engine's own pages for its middleware's answers, and a `handler500` that keeps the 503.

Plain, English and without templates, so they render whatever the project's templates and static
files are doing; a project renders its own through `SESSION_UNAVAILABLE_VIEW`,
`SESSION_CONFLICT_VIEW` and `SESSION_TOO_LARGE_VIEW`. The middleware sets the status code and
headers on whatever these return.
"""

import sys

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views import defaults

from .exceptions import SessionConflict, SessionTooLarge, SessionUnavailable
from .middleware import unavailable_response


def plain_page(title: str, text: str) -> HttpResponse:
    return HttpResponse(
        f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p>"
    )


def session_unavailable(request: HttpRequest, exception: SessionUnavailable) -> HttpResponse:
    """503: rendered without the request's session, which cannot be read now."""
    seconds = "second" if exception.retry_after == 1 else "seconds"
    return plain_page(
        "Service temporarily unavailable",
        f"Your data is safe. Please retry in {exception.retry_after} {seconds}.",
    )


def session_conflict(request: HttpRequest, exception: SessionConflict) -> HttpResponse:
    """409: another request changed the session meanwhile; this request's change was dropped."""
    return plain_page(
        "Please repeat your action",
        "Your data changed at the same time in another tab or request. Nothing was lost: go "
        "back, reload the page and repeat the action.",
    )


def session_too_large(request: HttpRequest, exception: SessionTooLarge) -> HttpResponse:
    """413: the change would make the session too large to store; the stored session stays."""
    return plain_page(
        "Too much data",
        "Your change was not saved: with it your data would exceed the allowed size. What you "
        "saved before is kept; go back and try again with less.",
    )


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """`handler500`: a SessionUnavailable raised outside a view (in another middleware) is still
    the 503 with `Retry-After`; anything else is Django's own 500 page (`template_name`)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, SessionUnavailable):
        return unavailable_response(request, exception)
    return defaults.server_error(request, template_name=template_name)
