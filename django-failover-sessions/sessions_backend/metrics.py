"""The engine's Prometheus series: optional (the `prometheus` extra), fed by the storage's signals.

`connect()`, called by the app's `ready()`, does nothing without `prometheus_client`; with it, it
creates four series named after `SESSION_METRICS_PREFIX` in prometheus_client's default registry
and subscribes them to `signals.py`. The project exposes that registry in its own `/metrics`
view. Under prometheus_client's multiprocess mode (`PROMETHEUS_MULTIPROC_DIR` set before it is
imported) one scrape of any worker shows the totals of every worker; without it the one process's.

- `<prefix>_operations_total{op, result}`: the increments of `SessionStorage.stats()`.
- `<prefix>_fallback_active`, `<prefix>_circuit_open`, `<prefix>_shared_between_workers`: 0/1
  gauges with `multiprocess_mode="liveall"`, one series per live worker (label `pid`), because
  each worker has its own circuit breaker; `max()` tells whether any worker is degraded, `sum()`
  how many. A server that forks workers should call prometheus_client's `mark_process_dead` when
  one exits, so its series disappear.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .circuit import CLOSED
from .conf import engine_settings
from .signals import session_operation, storage_changed

if TYPE_CHECKING:
    from .failover import SessionStorage

try:
    import prometheus_client
except ImportError:  # the `prometheus` extra is not installed: no series
    prometheus_client = None


@dataclass(frozen=True)
class Series:
    operations: Any
    fallback_active: Any
    circuit_open: Any
    shared_between_workers: Any


_series: Series | None = None
_lock = threading.Lock()
_operation_counters: dict[tuple[str, str], Any] = {}  # labelled children: no lookup per increment


def make_series(prefix: str) -> Series:
    Counter, Gauge = prometheus_client.Counter, prometheus_client.Gauge
    return Series(
        operations=Counter(
            f"{prefix}_operations",
            "Session store operations by outcome (hit, miss, fallback, unavailable, error...).",
            ["op", "result"],
        ),
        fallback_active=Gauge(
            f"{prefix}_fallback_active",
            "1 while this worker keeps sessions in the fallback store (always, without Redis).",
            multiprocess_mode="liveall",
        ),
        circuit_open=Gauge(
            f"{prefix}_circuit_open",
            "1 while this worker's Redis circuit breaker is open or half-open.",
            multiprocess_mode="liveall",
        ),
        shared_between_workers=Gauge(
            f"{prefix}_shared_between_workers",
            "1 if the store serving this worker's sessions now is visible to every worker.",
            multiprocess_mode="liveall",
        ),
    )


def connect() -> bool:
    """Create the series (once per process) and subscribe them; False without prometheus_client."""
    global _series
    if prometheus_client is None:
        return False
    with _lock:
        if _series is None:
            _series = make_series(engine_settings.SESSION_METRICS_PREFIX)
    session_operation.connect(count_operation, dispatch_uid="sessions_backend.metrics")
    storage_changed.connect(publish_state, dispatch_uid="sessions_backend.metrics")
    return True


def count_operation(sender, *, op: str, result: str, count: int, **kwargs) -> None:
    if _series is None or count <= 0:
        return
    counter = _operation_counters.get((op, result))
    if counter is None:
        counter = _series.operations.labels(op, result)
        _operation_counters[op, result] = counter
    counter.inc(count)


def publish_state(sender=None, *, storage: SessionStorage, **kwargs) -> None:
    """Set this worker's state gauges from `storage`."""
    if _series is None:
        return
    _series.fallback_active.set(int(storage.primary is None or storage.degraded))
    _series.circuit_open.set(int(storage.breaker.state != CLOSED))
    _series.shared_between_workers.set(int(storage.active.shared))


def refresh() -> None:
    """Set the state gauges from this process's storage now (building it if need be).

    The storage publishes every change itself; a `/metrics` view calls this before each scrape
    so a worker that has not served a session yet still lists its series.
    """
    if _series is not None:
        from .failover import get_storage

        publish_state(storage=get_storage())
