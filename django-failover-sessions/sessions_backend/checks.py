"""System checks that refuse the session configurations that lose visitors' sessions.

`manage.py check` runs the always-on ones, `manage.py check --deploy` adds E002, and a server
start-up hook may run both before forking a single worker. Redis checks cost at most one socket
timeout each when Redis hangs, and say nothing they cannot know. Ids are `<prefix>.E001` with
`SESSION_CHECK_PREFIX` (default `sessions_backend`), so a project keeps the names its runbooks use.
"""

from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .conf import FALLBACK_STORES, engine_settings
from .redis_facts import sessions_redis_facts
from .sharing import configured_workers, process_local_reason, redis_alias
from .stores import fallback_store_class

REDIS_HINT = (
    "Give sessions a shared Redis: a django-redis cache named by SESSION_CACHE_ALIAS (in a project "
    "that builds it from the environment, set REDIS_URL, e.g. redis://127.0.0.1:6379/0)"
)


def check_id(code: str) -> str:
    """`E001` under the project's namespace: `<SESSION_CHECK_PREFIX>.E001`."""
    return f"{engine_settings.SESSION_CHECK_PREFIX}.{code}"


@register(Tags.caches)
def check_session_sharing(app_configs=None, **kwargs) -> list:
    """E001: per-process sessions under several workers, which lose visitors; W001: no Redis."""
    messages = []
    reason = process_local_reason()
    workers = configured_workers()
    if reason and workers > 1:
        messages.append(
            Error(
                f"Sessions are process-local but SESSION_WORKERS={workers}: {reason}. A visitor "
                "whose next request reaches another worker loses their session.",
                hint=f"{REDIS_HINT}, or run a single worker (SESSION_WORKERS=1).",
                id=check_id("E001"),
            )
        )
    if redis_alias() is None:
        messages.append(
            Warning(
                "Sessions have no Redis (SESSION_CACHE_ALIAS names no django-redis cache): they "
                "live in this process's memory, are lost on restart and cannot be shared by "
                "several workers.",
                hint=f"Fine for one local process. In production: {REDIS_HINT}, on a Redis that "
                "keeps its keys (maxmemory-policy noeviction, appendonly yes).",
                id=check_id("W001"),
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
                "evicts live sessions, and visitors lose their data mid-way.",
                hint="Set maxmemory-policy noeviction (or volatile-lru) on the session Redis.",
                id=check_id("W002"),
            )
        )
    if facts.persistent is False:
        messages.append(
            Warning(
                "Redis has neither AOF nor RDB persistence: every session is lost when Redis "
                "restarts.",
                hint="Turn on AOF (appendonly yes, appendfsync everysec) on the session Redis.",
                id=check_id("W003"),
            )
        )
    return messages


@register(Tags.caches, deploy=True)
def check_redis_reachable(app_configs=None, **kwargs) -> list:
    """E002: sessions have a Redis that does not answer, so every session would hit the fallback."""
    facts = sessions_redis_facts()
    if facts is None or facts.available:
        return []
    return [
        Error(
            f"The session Redis (cache alias {redis_alias()!r}) is unreachable ({facts.error}); "
            f"sessions would run on the {engine_settings.SESSION_FALLBACK} fallback from the "
            "first request.",
            hint="Start Redis or fix the alias' LOCATION (host, port, DB number, password, "
            "rediss:// for TLS); `redis-cli -u <LOCATION> ping` must answer PONG.",
            id=check_id("E002"),
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
                id=check_id("E004"),
            )
        ]
    return []
