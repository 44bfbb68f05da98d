"""Project-wide system checks: what makes any deployment of this site unsafe.

`manage.py check --deploy` runs them, and `deploy/gunicorn.conf.py` before forking a worker.
The session checks (housler.E001, E002, E004, W001-W003) live with the engine in
`sessions_backend/checks.py`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from calculator.conf import conf
from sessions_backend.redaction import mask_url

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARS = 5


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


PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def proxy_url_problem(url: str) -> str | None:
    """What is wrong with a `CIAN_PROXY_URL` value (scheme, host, port), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"it is not a URL ({error})"
    if parts.scheme.lower() not in PROXY_SCHEMES:
        return f"the scheme must be one of {', '.join(PROXY_SCHEMES)}"
    if not parts.hostname:
        return "it names no host"
    if parts.netloc.rpartition("@")[2].endswith(":") or port == 0:
        return "its port is empty or 0"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "a proxy URL has no path, query or fragment"
    return None


@register(Tags.security)
def check_cian_proxy(app_configs=None, **kwargs) -> list:
    """E005: a malformed `CIAN_PROXY_URL`; the value is shown with its password masked."""
    url = conf.CIAN_PROXY_URL
    problem = proxy_url_problem(url) if url else None
    if problem is None:
        return []
    return [
        Error(
            f"CIAN_PROXY_URL {mask_url(url)!r} cannot be used: {problem}.",
            hint="Use scheme://user:password@host:port with http, https, socks5 or socks5h "
            "(socks5h resolves Cian's address on the proxy), or leave CIAN_PROXY_URL unset.",
            id="housler.E005",
        )
    ]
