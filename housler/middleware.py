"""Project-wide rules no view should have to remember: bodies too large, the wrong method, and
no page of a visitor's kept in any cache.

The first two answer with the project's Russian pages (`housler/errors.py`) instead of Django's
empty or English ones.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from calculator.conf import conf
from calculator.uploads import UploadTooBig

from .errors import bad_request, method_not_allowed


def is_upload_path(path: str) -> bool:
    """HOUSLER_UPLOAD_PATHS holds exact paths; an entry ending in `*` is a prefix."""
    for entry in conf.HOUSLER_UPLOAD_PATHS:
        prefix = entry.removesuffix("*")
        if path == entry or (entry.endswith("*") and path.startswith(prefix)):
            return True
    return False


def request_size_cap(path: str) -> int:
    """Bytes one request body may have: upload endpoints get the larger cap."""
    if is_upload_path(path):
        return conf.HOUSLER_MAX_UPLOAD_BYTES
    return conf.HOUSLER_MAX_REQUEST_BYTES


def declared_length(request: HttpRequest) -> int:
    """CONTENT_LENGTH as Django reads the body: anything unparsable means no body at all."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """Refuse an oversized body before anything parses it, file parts included.

    DATA_UPLOAD_MAX_MEMORY_SIZE does not count multipart file parts, and FILE_UPLOAD_MAX_MEMORY_SIZE
    only decides memory or disk. Django reads at most CONTENT_LENGTH bytes of the body, so checking
    the declared length bounds what is streamed too (nginx's `client_max_body_size` is outermost).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if declared_length(request) > request_size_cap(request.path):
            too_big = UploadTooBig if is_upload_path(request.path) else RequestDataTooBig
            response = bad_request(request, too_big("request body over the cap"))
            response.status_code = 413
            response["Connection"] = "close"  # the unread body must not be taken for a request
            return response
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """Give Django's empty 405 (require_POST, require_safe, …) a Russian page; keep `Allow`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = method_not_allowed(request)
        for header in ("Allow", "Cache-Control"):
            if header in response:
                page[header] = response[header]
        return page


PRIVATE = "no-store, private"


class PrivatePagesMiddleware:
    """`Cache-Control: no-store, private` on every response Django makes that sets none itself.

    Wizard pages, reports and even error pages carry one visitor's address, prices or CSRF token,
    and a shared proxy or the browser's disk cache must keep none of them. A default here, rather
    than a decorator per view, cannot be forgotten on a new page. Static files never reach it
    (WhiteNoise answers them before); views that choose their own header (`/health`, share
    pages' `never_cache`) keep it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = PRIVATE
        return response
