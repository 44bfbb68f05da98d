"""Project-wide system checks: what makes any deployment of this site unsafe.

`manage.py check --deploy` runs them, and `deploy/gunicorn.conf.py` before forking a worker.
The session checks (housler.E001, E002, E004, W001-W003) live with the engine in
`sessions_backend/checks.py`.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

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
