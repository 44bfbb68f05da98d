"""The session engine's Prometheus series, for the project's `/metrics` view to expose.

Defined with `prometheus_client`, so under its multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`,
docs/sessions.md) one scrape of any worker shows the totals of every worker; without it they live
in the default registry of the one process. The per-process `SessionStorage.stats()` that `/health`
and `manage.py sessions stats` read stays as it is: `OperationCounts` mirrors its increments here.

The state gauges use `multiprocess_mode="liveall"`: one series per live worker (label `pid`),
because each worker has its own circuit breaker and `/health` describes only the worker that
answered; `max()` tells whether any worker is degraded, `sum()` how many, and a dead worker's
series disappear (`mark_process_dead` in deploy/gunicorn.conf.py).
"""

from __future__ import annotations

from collections import Counter as CountingDict
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge

from .circuit import CLOSED

if TYPE_CHECKING:
    from .storage import SessionStorage

OPERATIONS = Counter(
    "housler_session_operations",
    "Session store operations by outcome (hit, miss, fallback, unavailable, error...).",
    ["op", "result"],
)
FALLBACK_ACTIVE = Gauge(
    "housler_session_fallback_active",
    "1 while this worker keeps sessions in the fallback store (always, without Redis).",
    multiprocess_mode="liveall",
)
CIRCUIT_OPEN = Gauge(
    "housler_session_circuit_open",
    "1 while this worker's Redis circuit breaker is open or half-open.",
    multiprocess_mode="liveall",
)
SHARED_BETWEEN_WORKERS = Gauge(
    "housler_session_shared_between_workers",
    "1 if the store serving this worker's sessions now is visible to every worker.",
    multiprocess_mode="liveall",
)


class OperationCounts(CountingDict):
    """`Counter[(op, result)]` whose increments also reach `housler_session_operations_total`.

    The storage counts with `counts[op, result] += n` wherever an outcome is known; mirroring in
    `__setitem__` keeps every such line, present and future, counted in both places.
    """

    def __setitem__(self, key: tuple[str, str], value: int) -> None:
        grown = value - self.get(key, 0)
        super().__setitem__(key, value)
        if grown > 0:
            OPERATIONS.labels(*key).inc(grown)


def publish_state(storage: SessionStorage) -> None:
    """Set this worker's state gauges: on start, on every circuit change and at each scrape."""
    FALLBACK_ACTIVE.set(int(storage.primary is None or storage.degraded))
    CIRCUIT_OPEN.set(int(storage.breaker.state != CLOSED))
    SHARED_BETWEEN_WORKERS.set(int(storage.active.shared))
