"""System checks that refuse the session configurations behind "Сессия не найдена".

`manage.py check` runs the always-on ones, `manage.py check --deploy` adds E002, and a server
start-up hook may run both before forking a single worker. Redis checks cost at most one socket
timeout each when Redis hangs, and say nothing they cannot know. The ids keep the `housler.`
namespace that operators and runbooks already know.
"""

from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .conf import FALLBACK_STORES, engine_settings
from .redis_facts import sessions_redis_facts
from .stores import fallback_store_class
from .topology import configured_workers, process_local_reason, redis_alias

REDIS_HINT = (
    "Give sessions a shared Redis: a django-redis cache named by SESSION_CACHE_ALIAS (in a project "
    "that builds it from the environment, set REDIS_URL, e.g. redis://127.0.0.1:6379/0)"
)


@register(Tags.caches)
def check_session_sharing(app_configs=None, **kwargs) -> list:
    """E001: per-process sessions with several workers (the historical bug); W001: no REDIS_URL."""
    messages = []
    reason = process_local_reason()
    workers = configured_workers()
    if reason and workers > 1:
        messages.append(
            Error(
                f"Sessions are process-local but WEB_CONCURRENCY={workers}: {reason}. A visitor "
                "whose next request reaches another worker loses the wizard "
                "('Сессия не найдена').",
                hint=f"{REDIS_HINT}, or run a single worker with WEB_CONCURRENCY=1.",
                id="housler.E001",
            )
        )
    if redis_alias() is None:
        messages.append(
            Warning(
                "Sessions have no Redis (REDIS_URL is not set): they live in this process's "
                "memory, are lost on restart and cannot be shared by several workers.",
                hint=f"Fine for one local process. In production: {REDIS_HINT}, on a Redis "
                "configured like deploy/redis.conf.",
                id="housler.W001",
            )
        )
    return messages


@register(Tags.caches)
def check_redis_keeps_sessions(app_configs=None, **kwargs) -> list:
    """W002: an eviction policy that drops live sessions; W003: no persistence at all."""
    facts = sessions_redis_facts()
    if facts is None or not facts.available:
        return []
    messages = []
    if facts.evicts_live_keys:
        messages.append(
            Warning(
                f"Redis maxmemory-policy is {facts.maxmemory_policy}: under memory pressure it "
                "evicts live sessions, and visitors lose their wizard mid-way.",
                hint="Set maxmemory-policy noeviction (or volatile-lru) on the session Redis, "
                "as in deploy/redis.conf.",
                id="housler.W002",
            )
        )
    if facts.persistent is False:
        messages.append(
            Warning(
                "Redis has neither AOF nor RDB persistence: every session is lost when Redis "
                "restarts.",
                hint="Turn on AOF (appendonly yes, appendfsync everysec) on the session Redis, "
                "as in deploy/redis.conf.",
                id="housler.W003",
            )
        )
    return messages


@register(Tags.caches, deploy=True)
def check_redis_reachable(app_configs=None, **kwargs) -> list:
    """E002: REDIS_URL is set but Redis does not answer, so every session would hit the fallback."""
    facts = sessions_redis_facts()
    if facts is None or facts.available:
        return []
    return [
        Error(
            f"The session Redis (REDIS_URL) is unreachable ({facts.error}); sessions would run "
            f"on the {engine_settings.SESSION_FALLBACK} fallback from the first request.",
            hint="Start Redis or fix REDIS_URL (host, port, DB number, password, rediss:// for "
            "TLS); `redis-cli -u $REDIS_URL ping` must answer PONG.",
            id="housler.E002",
        )
    ]


@register(Tags.caches)
def check_fallback_store(app_configs=None, **kwargs) -> list:
    """E004: SESSION_FALLBACK names no store, so the first session would fail."""
    try:
        fallback_store_class(engine_settings.SESSION_FALLBACK)
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint=f"Use {' or '.join(map(repr, FALLBACK_STORES))}, or the dotted path of a "
                "sessions_backend.stores.Store subclass.",
                id="housler.E004",
            )
        ]
    return []
