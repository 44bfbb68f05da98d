"""Per-process counters and the Prometheus text that `/metrics` serves.

Every gunicorn worker keeps its own counters, and a scrape reaches one worker at a time, so each
counter carries a `worker` label (the pid): per series it only grows, `rate()` works, and
`sum without (worker)` gives the service total.
"""

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .storage import get_storage
from .topology import configured_workers

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


def label_value(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def sample(name: str, value: float, **labels: object) -> str:
    text = repr(float(value)) if isinstance(value, float) else str(int(value))
    if not labels:
        return f"{name} {text}"
    pairs = ",".join(f'{key}="{label_value(val)}"' for key, val in labels.items())
    return f"{name}{{{pairs}}} {text}"


def family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def render_metrics() -> str:
    """The exposition text: cheap, no I/O (probes belong to `/health`)."""
    worker = os.getpid()
    storage = get_storage()
    stats = storage.stats()
    lines = [
        *family("housler_up", "gauge", "1 while this worker answers.", [sample("housler_up", 1)]),
        *family(
            "housler_info",
            "gauge",
            "Build and session configuration.",
            [
                sample(
                    "housler_info",
                    1,
                    version=settings.VERSION,
                    session_primary=stats["primary"] or "none",
                    session_fallback=stats["fallback"],
                )
            ],
        ),
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
        *family(
            "housler_session_operations_total",
            "counter",
            "Session store operations by outcome (hit, miss, fallback, unavailable, error...).",
            [
                sample(
                    "housler_session_operations_total",
                    row["count"],
                    op=row["op"],
                    result=row["result"],
                    worker=worker,
                )
                for row in stats["operations"]
            ],
        ),
        *family(
            "housler_session_fallback_active",
            "gauge",
            "1 while this worker keeps sessions in the fallback store (always, without Redis).",
            [
                sample(
                    "housler_session_fallback_active",
                    int(stats["fallback_active"]),
                    worker=worker,
                )
            ],
        ),
        *family(
            "housler_session_circuit_open",
            "gauge",
            "1 while this worker's Redis circuit breaker is open or half-open.",
            [
                sample(
                    "housler_session_circuit_open", int(stats["circuit"] != "closed"), worker=worker
                )
            ],
        ),
        *family(
            "housler_session_shared_between_workers",
            "gauge",
            "1 if the store serving sessions now is visible to every worker.",
            [
                sample(
                    "housler_session_shared_between_workers",
                    int(storage.active.shared),
                    worker=worker,
                )
            ],
        ),
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
