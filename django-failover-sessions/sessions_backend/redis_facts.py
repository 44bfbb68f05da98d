"""What the session Redis says about itself: reachable, how fast, will it keep our sessions.

Used by the system checks (E002, W002, W003) and by the health report. Everything goes through
the session alias' own connection pool, so with the socket timeouts README "Settings" asks for
(`SOCKET_TIMEOUT`, `SOCKET_CONNECT_TIMEOUT`) a hung Redis costs one timeout, not a hung request.
"""

import time
from dataclasses import dataclass, field

import redis
from django.core.cache import caches
from redis.exceptions import RedisError

from .redaction import describe_error
from .sharing import redis_alias


@dataclass
class RedisFacts:
    available: bool
    latency_ms: float | None = None
    maxmemory_policy: str | None = None
    aof: bool | None = None
    rdb: bool | None = None
    version: str | None = None
    used_memory: int | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def persistent(self) -> bool | None:
        """True if AOF or RDB keeps data over a restart; None when Redis would not say."""
        if self.aof or self.rdb:
            return True
        if self.aof is None or self.rdb is None:
            return None
        return False

    @property
    def evicts_live_keys(self) -> bool:
        """`allkeys-*` lets Redis drop any key under memory pressure, live sessions included."""
        return bool(self.maxmemory_policy and self.maxmemory_policy.startswith("allkeys-"))


def sessions_redis_client() -> redis.Redis | None:
    """The raw client of the `sessions` alias (the engine's own pool), or None without Redis."""
    alias = redis_alias()
    if alias is None:
        return None
    return caches[alias].client.get_client(write=True)


def inspect_redis(client: redis.Redis) -> RedisFacts:
    """PING (timed), then INFO and CONFIG GET save in one pipelined round trip.

    CONFIG is often disabled on managed Redis; then RDB is reported as unknown rather than off.
    """
    started = time.perf_counter()
    try:
        client.ping()
    except RedisError as error:
        return RedisFacts(available=False, error=describe_error(error))
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    facts = RedisFacts(available=True, latency_ms=latency_ms)
    try:
        pipe = client.pipeline(transaction=False)
        pipe.info("server")
        pipe.info("memory")
        pipe.info("persistence")
        pipe.config_get("save")
        server, memory, persistence, save = pipe.execute(raise_on_error=False)
    except RedisError as error:
        facts.notes.append(f"INFO failed: {describe_error(error)}")
        return facts
    if isinstance(server, dict):
        facts.version = server.get("redis_version")
    if isinstance(memory, dict):
        facts.maxmemory_policy = memory.get("maxmemory_policy")
        facts.used_memory = memory.get("used_memory")
    if isinstance(persistence, dict):
        facts.aof = bool(int(persistence.get("aof_enabled", 0)))
    if isinstance(save, dict):
        facts.rdb = bool(str(save.get("save", "")).strip())
    else:
        facts.notes.append("CONFIG GET save is not allowed; RDB state unknown")
    return facts


def sessions_redis_facts() -> RedisFacts | None:
    """Facts about the session Redis, or None when sessions have no Redis configured."""
    client = sessions_redis_client()
    return None if client is None else inspect_redis(client)
