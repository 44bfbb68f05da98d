"""The service's Prometheus series and the exposition `/metrics` serves.

Under gunicorn, `deploy/gunicorn.conf.py` sets `PROMETHEUS_MULTIPROC_DIR` before anything imports
`prometheus_client`: every worker writes its values there, and a scrape of any worker reads all
of them (`MultiProcessCollector`), so one scrape gives the service's totals. Without it (the test
client, `manage.py runserver`) the default registry of the one process is exposed.
"""

import os
import time
from collections.abc import Callable, Iterator
from http import HTTPMethod

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from sessions_backend import metrics as session_metrics
from sessions_backend.failover import storage_stats

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
OTHER = "other"
KNOWN_METHODS = frozenset(HTTPMethod)
# Seconds; up to a minute because "find comparables" may spend HOUSLER_SEARCH_DEADLINE on Cian.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60)

RESPONSES = Counter("housler_http_requests", "HTTP responses by status code.", ["status"])
DURATION = Histogram(
    "housler_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by route name and method.",
    ["route", "method"],
    buckets=DURATION_BUCKETS,
)
PROCESS_START = Gauge(
    "housler_process_start_time_seconds",
    "Start of this worker process, Unix time.",
    multiprocess_mode="liveall",
)


def route_name(request: HttpRequest) -> str:
    """The matched route's name, never the path: label values stay few. Unmatched: "other"."""
    match = request.resolver_match
    if match is None:
        return OTHER
    return match.view_name or match.route or OTHER


def method_name(request: HttpRequest) -> str:
    """The HTTP method, or "other" for an invented one (a visitor may send any token)."""
    return request.method if request.method in KNOWN_METHODS else OTHER


class RequestMetricsMiddleware:
    """Times every response and counts it by status; outermost after security and static files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Built once per worker (gunicorn loads the app after forking): its series exist before
        # its first request, so a scrape of another worker already lists it.
        PROCESS_START.set(time.time())
        session_metrics.refresh()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        DURATION.labels(route_name(request), method_name(request)).observe(elapsed)
        RESPONSES.labels(response.status_code).inc()
        return response


class ServiceFacts(Collector):
    """Configuration read at scrape time: the same from any worker, so no per-process file."""

    def collect(self) -> Iterator[Metric]:
        stats = storage_stats()
        yield GaugeMetricFamily("housler_up", "1 while the service answers.", value=1)
        info = GaugeMetricFamily(
            "housler_info",
            "Build and session configuration.",
            labels=["version", "session_primary", "session_fallback"],
        )
        info.add_metric([settings.VERSION, stats["primary"] or "none", stats["fallback"]], 1)
        yield info
        yield GaugeMetricFamily(
            "housler_workers_configured",
            "WEB_CONCURRENCY: gunicorn workers this deployment runs.",
            value=settings.WEB_CONCURRENCY,
        )

    def describe(self) -> list[Metric]:
        return []  # nothing to collect at registration time (no storage before settings)


SERVICE_FACTS = ServiceFacts()
REGISTRY.register(SERVICE_FACTS)


def exposition() -> bytes:
    """The Prometheus text: every worker's series when multiprocess, else this process's."""
    session_metrics.refresh()  # the answering worker's gauges are current, whatever happened
    if not os.environ.get(MULTIPROC_DIR):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(SERVICE_FACTS)
    return generate_latest(registry)
