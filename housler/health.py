"""`/health`: the session engine's components plus the project's own probes.

Probes run side by side in a small thread pool and the report waits for each at most its
`timeout`, so a hung Redis or database makes `/health` say so within about a second instead of
hanging the request (and the load balancer's health check) with it. A failed critical probe
makes the report `unhealthy` (HTTP 503); a failed non-critical one only `degraded` (HTTP 200).
"""

import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.db import connection, connections

from calculator.cian import outcomes
from calculator.conf import conf
from sessions_backend.health import DEGRADED, DISABLED, HEALTHY, SESSION_CHECKS, UNHEALTHY
from sessions_backend.redaction import describe_error

SEVERITY = {HEALTHY: 0, DISABLED: 0, DEGRADED: 1, UNHEALTHY: 2}


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class HealthCheck(Protocol):
    """One component of the report, as the session engine's probes are too. `critical`: may its
    failure make the service unhealthy? `timeout`: seconds the report waits for it."""

    name: str = ""
    critical: bool = True
    timeout: float = 1.0

    def run(self) -> dict:
        """The component's JSON, with a `status` and, when not healthy, its `reasons`."""
        raise NotImplementedError


class DatabaseCheck(HealthCheck):
    """`SELECT 1` on the default database: admin, share snapshots and the db fallback need it."""

    name = "database"

    def run(self) -> dict:
        started = time.perf_counter()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as error:
            return {
                "status": UNHEALTHY,
                "available": False,
                "vendor": connection.vendor,
                "error": describe_error(error),
                "reasons": [f"the database does not answer: {describe_error(error)}"],
            }
        return {
            "status": HEALTHY,
            "available": True,
            "vendor": connection.vendor,
            "latency_ms": elapsed_ms(started),
        }


class ListingSourceCheck(HealthCheck):
    """Can the site still get listings from Cian? Judged from the real fetches of every worker.

    It never fetches Cian itself (a probe would spend the rate Cian tolerates from our address).
    `degraded` when the last `FAILING_RUN` fetches all failed: the saved-page upload still works.
    """

    name = "listing_source"
    critical = False
    FAILING_RUN = 10

    def run(self) -> dict:
        history = outcomes.history()
        recent = history.recent
        latest = recent[: self.FAILING_RUN]
        failing = len(latest) == self.FAILING_RUN and outcomes.OK not in latest
        component = {
            "status": DEGRADED if failing else HEALTHY,
            "recent": {outcome: recent.count(outcome) for outcome in outcomes.OUTCOMES},
            "window": len(recent),
            "last_success": (
                datetime.fromtimestamp(history.last_ok, UTC).isoformat(timespec="seconds")
                if history.last_ok
                else None
            ),
            "proxy": bool(conf.CIAN_PROXY_URL),
        }
        if failing:
            worst = max(set(latest), key=latest.count)
            component["reasons"] = [
                f"the last {self.FAILING_RUN} Cian fetches failed (mostly {worst}); "
                "visitors can still upload saved pages"
            ]
        return component


CHECKS: tuple[HealthCheck, ...] = (*SESSION_CHECKS, DatabaseCheck(), ListingSourceCheck())

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def probe_pool() -> ThreadPoolExecutor:
    """A small pool per process (created after gunicorn forks); hung probes cannot grow it."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool, _pool_pid = ThreadPoolExecutor(2 * len(CHECKS), "housler-health"), os.getpid()
        return _pool


def run_check(check: HealthCheck) -> dict:
    """Run one probe in a pool thread; its database connections close with it."""
    try:
        return check.run()
    except Exception as error:
        return {
            "status": UNHEALTHY,
            "error": describe_error(error),
            "reasons": [describe_error(error)],
        }
    finally:
        connections.close_all()


def collect(future: Future, check: HealthCheck, deadline: float) -> dict:
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        return {
            "status": UNHEALTHY,
            "error": "timeout",
            "reasons": [f"no answer within {check.timeout:g} s"],
        }


def overall_status(components: dict[str, dict], checks: tuple[HealthCheck, ...]) -> str:
    worst = HEALTHY
    for check in checks:
        status = components[check.name]["status"]
        if status == UNHEALTHY and not check.critical:
            status = DEGRADED
        if SEVERITY[status] > SEVERITY[worst]:
            worst = status
    return worst


def health_report(checks: tuple[HealthCheck, ...] = CHECKS) -> dict:
    """The `/health` document; every probe bounded by its own timeout, all run side by side."""
    started_at, started = time.monotonic(), time.perf_counter()
    pool = probe_pool()
    futures = [(check, pool.submit(run_check, check)) for check in checks]
    components = {
        check.name: collect(future, check, started_at + check.timeout) for check, future in futures
    }
    return {
        "status": overall_status(components, checks),
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "version": settings.VERSION,
        "duration_ms": elapsed_ms(started),
        "reasons": [
            f"{name}: {reason}"
            for name, component in components.items()
            for reason in component.get("reasons", [])
        ],
        "components": components,
    }
