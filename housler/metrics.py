"""Per-process HTTP counters and the Prometheus text that `/metrics` serves.

The project's series (up, info, workers, start time, HTTP status counts) are assembled here
around the session engine's own (`sessions_backend.metrics.session_families`).
"""

import os
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sessions_backend.metrics import family, sample, session_families
from sessions_backend.storage import get_storage
from sessions_backend.topology import configured_workers

REQUESTS: Counter[int] = Counter()
STARTED_AT = time.time()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class RequestCountMiddleware:
    """Counts responses by status code; outermost after security so every answer is seen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        REQUESTS[response.status_code] += 1
        return response


def render_metrics() -> str:
    """The exposition text: cheap, no I/O (probes belong to `/health`)."""
    worker = os.getpid()
    storage = get_storage()
    stats = storage.stats()
    info = sample(
        "housler_info",
        1,
        version=settings.VERSION,
        session_primary=stats["primary"] or "none",
        session_fallback=stats["fallback"],
    )
    lines = [
        *family("housler_up", "gauge", "1 while this worker answers.", [sample("housler_up", 1)]),
        *family("housler_info", "gauge", "Build and session configuration.", [info]),
        *family(
            "housler_workers_configured",
            "gauge",
            "WEB_CONCURRENCY: gunicorn workers this deployment runs.",
            [sample("housler_workers_configured", configured_workers())],
        ),
        *family(
            "housler_process_start_time_seconds",
            "gauge",
            "Start of this worker process, Unix time.",
            [sample("housler_process_start_time_seconds", round(STARTED_AT, 3), worker=worker)],
        ),
        *session_families(storage, stats, worker),
        *family(
            "housler_http_requests_total",
            "counter",
            "HTTP responses by status code.",
            [
                sample("housler_http_requests_total", count, status=status, worker=worker)
                for status, count in sorted(REQUESTS.items())
            ],
        ),
    ]
    return "\n".join(lines) + "\n"
