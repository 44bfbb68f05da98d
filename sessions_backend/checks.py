"""System checks that refuse the configurations behind "Сессия не найдена".

`manage.py check` runs the always-on ones, `manage.py check --deploy` adds E002 and E003, and
`deploy/gunicorn.conf.py` runs both before forking a single worker. Redis checks cost at most one
socket timeout (0.5 s) each when Redis hangs, and say nothing they cannot know.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .redis_facts import sessions_redis_facts
from .topology import configured_workers, process_local_reason

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARS = 5


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
                hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so all workers share "
                "sessions, or run a single worker with WEB_CONCURRENCY=1.",
                id="housler.E001",
            )
        )
    if not getattr(settings, "REDIS_URL", ""):
        messages.append(
            Warning(
                "REDIS_URL is not set: sessions live in this process's memory, are lost on "
                "restart and cannot be shared by several workers.",
                hint="Fine for one local process. In production set REDIS_URL to a Redis "
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
            f"Redis at REDIS_URL is unreachable ({facts.error}); sessions would run on the "
            f"{settings.SESSION_FALLBACK} fallback from the first request.",
            hint="Start Redis or fix REDIS_URL (host, port, DB number, password, rediss:// for "
            "TLS); `redis-cli -u $REDIS_URL ping` must answer PONG.",
            id="housler.E002",
        )
    ]


def secret_key_problem(key: str) -> str | None:
    if not key:
        return "SECRET_KEY is empty"
    if key.startswith("django-insecure"):
        return "SECRET_KEY is a generated development key ('django-insecure…')"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARS:
        return f"SECRET_KEY is too weak (fewer than {MIN_SECRET_KEY_LENGTH} characters)"
    return None


@register(Tags.security, deploy=True)
def check_production_safety(app_configs=None, **kwargs) -> list:
    """E003: DEBUG on, or a missing, development or short secret key, in a deployment."""
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG is on (tracebacks and settings are shown to visitors)")
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    key_problem = secret_key_problem(key)
    if key_problem:
        problems.append(key_problem)
    if not problems:
        return []
    return [
        Error(
            "Not safe to deploy: " + "; ".join(problems) + ".",
            hint="Set DJANGO_DEBUG=0 and DJANGO_SECRET_KEY to a random value of at least 50 "
            'characters: python -c "import secrets; print(secrets.token_urlsafe(50))".',
            id="housler.E003",
        )
    ]
