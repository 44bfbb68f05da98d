"""`/health`: is this worker able to keep a visitor's session, and will every worker see it?

Each probe is a small class (django-health-check style) with a `name`, a `timeout` and a `run()`
that returns the component's JSON. Probes run side by side in a small thread pool and the report
waits for each at most its `timeout`, so a hung Redis or database makes `/health` say so within
about a second instead of hanging the request (and the load balancer's health check) with it.

Statuses: a failed *critical* probe (database, session round trip) makes the whole report
`unhealthy` (HTTP 503); Redis itself is not critical because the engine falls back, so a dead
Redis makes the report `degraded` (HTTP 200), as does per-process storage under several workers.
"""

import os
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, connections

from .engine import SessionStore
from .redis_facts import describe_error, sessions_redis_facts
from .storage import SessionStorage, get_storage
from .topology import configured_workers, process_local_reason

HEALTHY, DEGRADED, UNHEALTHY, DISABLED = "healthy", "degraded", "unhealthy", "disabled"
SEVERITY = {HEALTHY: 0, DISABLED: 0, DEGRADED: 1, UNHEALTHY: 2}
PROBE_KEY = "_housler_health_probe"
PROBE_TTL = 60


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class HealthCheck:
    """One component of the report. `critical`: may its failure make the service unhealthy?"""

    name = ""
    critical = True
    timeout = 1.0

    def run(self) -> dict:
        raise NotImplementedError


class RedisCacheCheck(HealthCheck):
    """PING and INFO on the `sessions` alias' own connection, never through the fallback."""

    name = "redis_cache"
    critical = False

    def run(self) -> dict:
        facts = sessions_redis_facts()
        if facts is None:
            return {
                "status": DISABLED,
                "available": False,
                "configured": False,
                "notes": ["REDIS_URL is not set"],
            }
        component = {
            "status": HEALTHY if facts.available else UNHEALTHY,
            "available": facts.available,
            "configured": True,
            "latency_ms": facts.latency_ms,
            "maxmemory_policy": facts.maxmemory_policy,
            "persistence": {"aof": facts.aof, "rdb": facts.rdb, "enabled": facts.persistent},
            "version": facts.version,
            "used_memory": facts.used_memory,
            "reasons": [],
            "warnings": list(facts.notes),
        }
        if not facts.available:
            component["error"] = facts.error
            component["reasons"].append(f"Redis does not answer PING: {facts.error}")
        if facts.evicts_live_keys:
            component["warnings"].append(
                f"maxmemory-policy {facts.maxmemory_policy} can evict live sessions (W002)"
            )
        if facts.persistent is False:
            component["warnings"].append("no AOF or RDB: a Redis restart loses sessions (W003)")
        return component


class SessionStorageCheck(HealthCheck):
    """A real round trip through the engine: save, load in a fresh store, compare, delete."""

    name = "session_storage"

    def round_trip(self, storage: SessionStorage) -> list[str]:
        nonce = secrets.token_hex(8)
        probe = SessionStore()
        probe[PROBE_KEY] = nonce
        probe.set_expiry(PROBE_TTL)
        probe.save()
        key = probe.session_key
        problems = []
        try:
            if SessionStore(key).get(PROBE_KEY) != nonce:
                problems.append("a session saved by the engine did not read back the same")
        finally:
            if storage.degraded:
                # Written to the fallback, never to Redis: the engine's delete would leave a
                # tombstone per probe, piling up in the fallback for a whole outage.
                storage.fallback.delete(key)
            else:
                SessionStore(key).delete()
        if SessionStore(key).exists(key):
            problems.append("a deleted session is still there")
        return problems

    def run(self) -> dict:
        storage = get_storage()
        workers = configured_workers()
        started = time.perf_counter()
        try:
            problems = self.round_trip(storage)
        except Exception as error:
            problems = [f"round trip failed: {describe_error(error)}"]
        round_trip_ms = elapsed_ms(started)
        stats = storage.stats()
        shared = storage.active.shared
        reasons = list(problems)
        if storage.degraded:
            error = storage.breaker.last_error or f"circuit {stats['circuit']}"
            reasons.append(
                f"Redis is failing ({error}): "
                f"new sessions go to the {storage.fallback.name} fallback, and sessions that only "
                f"Redis holds answer 503 until it is back "
                f"(next retry in {storage.breaker.seconds_until_retry()} s)"
            )
        if not shared and workers > 1:
            why = process_local_reason() or f"the {storage.active.name} store is per process"
            reasons.append(
                f"{why}, but WEB_CONCURRENCY={workers}: a visitor whose next request reaches "
                "another worker loses their session ('Сессия не найдена'). Set REDIS_URL "
                "(and SESSION_FALLBACK=db) or run one worker"
            )
        if problems:
            status = UNHEALTHY
        elif reasons:
            status = DEGRADED
        else:
            status = HEALTHY
        notes = []
        if storage.primary is None:
            notes.append("REDIS_URL is not set: sessions live in this process's memory only")
        return {
            "status": status,
            "type": settings.SESSION_ENGINE,
            "backend": storage.active.name,
            "fallback": storage.fallback.name,
            "fallback_active": stats["fallback_active"],
            "shared_between_workers": shared,
            "workers": workers,
            "round_trip_ms": round_trip_ms,
            "circuit": stats["circuit"],
            "reasons": reasons,
            "notes": notes,
            "stats": {key: value for key, value in stats.items() if key != "operations"},
        }


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


CHECKS: tuple[HealthCheck, ...] = (RedisCacheCheck(), SessionStorageCheck(), DatabaseCheck())

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
        return {"status": UNHEALTHY, "error": describe_error(error), "reasons": [str(error)]}
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
