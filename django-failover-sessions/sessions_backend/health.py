"""The session components of a health report: is this worker able to keep a visitor's session,
and will every worker see it?

Each probe is a small object (django-health-check style) with a `name`, a `critical` flag, a
`timeout` in seconds and a `run()` that returns the component's JSON with a `status` of
HEALTHY, DEGRADED, UNHEALTHY or DISABLED; a project's health view runs them beside its own probes.
A failed *critical* probe (the session round trip) should make the service `unhealthy`; Redis
itself is not critical because the engine falls back, so a dead Redis makes it `degraded`, as
does per-process storage under several workers.
"""

import secrets
import time

from django.conf import settings

from .conf import engine_settings
from .engine import SessionStore
from .failover import SessionStorage, get_storage
from .redaction import describe_error
from .redis_facts import sessions_redis_facts
from .sharing import configured_workers, process_local_reason

HEALTHY, DEGRADED, UNHEALTHY, DISABLED = "healthy", "degraded", "unhealthy", "disabled"
PROBE_TTL = 60


class RedisCacheCheck:
    """PING and INFO on the session alias' own connection, never through the fallback."""

    name = "redis_cache"
    critical = False
    timeout = 1.0

    def run(self) -> dict:
        facts = sessions_redis_facts()
        if facts is None:
            return {
                "status": DISABLED,
                "available": False,
                "configured": False,
                "notes": [
                    "sessions have no Redis (SESSION_CACHE_ALIAS names no django-redis cache)"
                ],
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


class SessionStorageCheck:
    """A real round trip through the engine: save, load in a fresh store, compare, delete."""

    name = "session_storage"
    critical = True
    timeout = 1.0

    def round_trip(self, storage: SessionStorage) -> list[str]:
        nonce = secrets.token_hex(8)
        probe_key = engine_settings.SESSION_HEALTH_PROBE_KEY
        probe = SessionStore()
        probe[probe_key] = nonce
        probe.set_expiry(PROBE_TTL)
        probe.save()
        key = probe.session_key
        problems = []
        try:
            if SessionStore(key).get(probe_key) != nonce:
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
        round_trip_ms = round((time.perf_counter() - started) * 1000, 2)
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
                f"{why}, but SESSION_WORKERS={workers}: a visitor whose next request reaches "
                "another worker loses their session. Give sessions a django-redis cache "
                "(SESSION_CACHE_ALIAS) and SESSION_FALLBACK=db, or run one worker"
            )
        if problems:
            status = UNHEALTHY
        elif reasons:
            status = DEGRADED
        else:
            status = HEALTHY
        notes = []
        if storage.primary is None:
            notes.append("sessions have no Redis: they live in this process's memory only")
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


SESSION_CHECKS: tuple[RedisCacheCheck | SessionStorageCheck, ...] = (
    RedisCacheCheck(),
    SessionStorageCheck(),
)
