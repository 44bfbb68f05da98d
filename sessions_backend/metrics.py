"""Per-process request counters, exposed by /metrics."""

from collections import Counter
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUESTS: Counter[int] = Counter()


class RequestCountMiddleware:
    """Counts responses by status code; outermost after security so every answer is seen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        REQUESTS[response.status_code] += 1
        return response
