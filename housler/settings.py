"""Housler settings: everything comes from the environment (see README "Settings").

Defaults make `make run` work on a bare machine: SQLite, sessions in local memory, one worker.
Production sets REDIS_URL (shared sessions), DATABASE_URL and DJANGO_SECRET_KEY.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from calculator.conf import DEFAULTS as APP

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The calculator's settings: what each means and its default are `calculator/conf.py`; the
# environment variable of the same name overrides the default.
def app_int(name: str) -> int:
    return env_int(name, APP[name])


def app_list(name: str) -> list[str]:
    return env_list(name, ",".join(APP[name]))


DEBUG = env_bool("DJANGO_DEBUG", False)


def dev_secret_key(path: Path) -> str:
    """A development key kept in an untracked file.

    A key made up per process would differ between gunicorn workers, and every session signed by
    one worker would look tampered with to the others: the very failure this project exists to stop.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = "django-insecure-" + secrets.token_urlsafe(50)
        try:
            with path.open("x") as handle:
                handle.write(key)
        except FileExistsError:
            return path.read_text().strip()
        return key


# A missing key is a startup error outside DEBUG; a weak one is reported by
# `manage.py check --deploy` (housler.E003).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = dev_secret_key(BASE_DIR / ".dev-secret-key")
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment (deploy/env.example), "
            "or set DJANGO_DEBUG=1 for local development."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "sessions_backend",
    "calculator",
    "housler",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "housler.client_address.ClientAddressMiddleware",  # request.client_address, for the apps
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "housler.middleware.PrivatePagesMiddleware",
    "housler.metrics.RequestMetricsMiddleware",
    "housler.middleware.RequestSizeLimitMiddleware",
    "sessions_backend.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "housler.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "housler.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "housler.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and sessions ----------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "housler").strip() or "housler"
REDIS_SENTINELS = [
    (host.rsplit(":", 1)[0], int(host.rsplit(":", 1)[1]))
    for host in env_list("REDIS_SENTINELS", "")
]
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "").strip()
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5"))

WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 2 if REDIS_URL else 1)


def redis_cache(url: str, prefix: str) -> dict:
    """A django-redis cache alias with small timeouts and no IGNORE_EXCEPTIONS.

    The session engine must tell "absent" from "Redis down", so errors are never swallowed here.
    With Sentinel the URL names the master service; reads and writes both go to the primary.
    """
    options: dict = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
        "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
        "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
    }
    if REDIS_SENTINELS:
        options["CONNECTION_FACTORY"] = "django_redis.pool.SentinelConnectionFactory"
        options["SENTINELS"] = REDIS_SENTINELS
        options["SENTINEL_KWARGS"] = {"socket_timeout": REDIS_SOCKET_TIMEOUT}
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "OPTIONS": options,
    }


if REDIS_SENTINELS and REDIS_SENTINEL_MASTER and not REDIS_URL:
    REDIS_URL = f"redis://{REDIS_SENTINEL_MASTER}/0"

if REDIS_URL:
    CACHES = {
        "default": redis_cache(REDIS_URL, f"{REDIS_KEY_PREFIX}:cache"),
        "sessions": redis_cache(REDIS_URL, REDIS_KEY_PREFIX),
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

SESSION_ENGINE = "sessions_backend.engine"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
SESSION_COOKIE_NAME = "housler_session"
SESSION_COOKIE_AGE = env_int("SESSION_TTL", 86400)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_CACHE_ALIAS = "sessions"
# The engine's own settings have defaults (README "Engine settings"): set here only what Housler
# names its own way and what the environment overrides. A bad SESSION_FALLBACK is housler.E004.
SESSION_WORKERS = WEB_CONCURRENCY
SESSION_CHECK_PREFIX = "housler"  # housler.E001…: the ids runbooks and deploy/README.md use
SESSION_METRICS_PREFIX = "housler_session"  # housler_session_*: the dashboards' series
SESSION_HEALTH_PROBE_KEY = "_housler_health_probe"
SESSION_UNAVAILABLE_VIEW = "housler.errors.session_unavailable"
SESSION_CONFLICT_VIEW = "housler.errors.session_conflict"
SESSION_TOO_LARGE_VIEW = "housler.errors.session_too_large"
if os.environ.get("SESSION_FALLBACK", "").strip():
    SESSION_FALLBACK = os.environ["SESSION_FALLBACK"].strip()
if os.environ.get("SESSION_FALLBACK_RETRY", "").strip():
    SESSION_FALLBACK_RETRY = env_int("SESSION_FALLBACK_RETRY", 0)
if os.environ.get("SESSION_FALLBACK_MAX_ENTRIES", "").strip():
    SESSION_FALLBACK_MAX_ENTRIES = env_int("SESSION_FALLBACK_MAX_ENTRIES", 0)
SESSION_INSPECTOR_SUMMARY = "calculator.wizard.summarize"

# Messages live in a signed cookie so that reading them never needs the session store.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- Security --------------------------------------------------------------------------------

SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = 31536000 if SECURE_COOKIES else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# Behind nginx only: trust X-Forwarded-For / X-Forwarded-Proto from the configured proxy.
TRUSTED_PROXIES = env_list("HOUSLER_TRUSTED_PROXIES", "")
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (django-csp, README "Security"): no inline code anywhere, so nothing but
# this site's own files may run or style a page. Violations are logged by housler/csp_report.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-report/",  # housler/urls.py; a plain path, so any URLconf renders it
    }
}
CSP_REPORT_LOG_LIMIT = env_int("HOUSLER_CSP_REPORT_LOG_LIMIT", 30)  # logged reports/min/process
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
# Whole request bodies, file parts included (housler/middleware.py answers 413 past them).
HOUSLER_MAX_REQUEST_BYTES = env_int("HOUSLER_MAX_REQUEST_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE)
HOUSLER_MAX_UPLOAD_BYTES = app_int("HOUSLER_MAX_UPLOAD_BYTES")
# Paths with the upload cap (exact; `*` at the end for a prefix): the wizard's saved-page forms.
HOUSLER_UPLOAD_PATHS = app_list("HOUSLER_UPLOAD_PATHS")

# --- Ops -------------------------------------------------------------------------------------

METRICS_ALLOWED_IPS = env_list("HOUSLER_METRICS_ALLOWED_IPS", "127.0.0.1,::1")

# --- Listing data (Cian) ---------------------------------------------------------------------

CIAN_BASE_URL = os.environ.get("CIAN_BASE_URL", APP["CIAN_BASE_URL"]).rstrip("/")
CIAN_TIMEOUT = float(os.environ.get("CIAN_TIMEOUT", APP["CIAN_TIMEOUT"]))
CIAN_MAX_BYTES = app_int("CIAN_MAX_BYTES")
CIAN_ALLOWED_HOSTS = app_list("CIAN_ALLOWED_HOSTS")
CIAN_CACHE_SECONDS = app_int("CIAN_CACHE_SECONDS")
# Optional egress proxy for Cian traffic only (http, https, socks5, socks5h; check housler.E005).
CIAN_PROXY_URL = os.environ.get("CIAN_PROXY_URL", APP["CIAN_PROXY_URL"]).strip()
# Requests of one gunicorn worker that may wait on Cian at once (calculator/cian/bulkhead.py):
# two of the worker's GUNICORN_THREADS always stay free for other pages.
GUNICORN_THREADS = max(1, env_int("GUNICORN_THREADS", 8))
CIAN_CONCURRENCY = max(1, env_int("CIAN_CONCURRENCY", GUNICORN_THREADS - 2))
# Requests of one worker that may read uploaded saved pages at once (seconds of CPU and a few
# hundred MB each for the largest): the next get "Сервер сейчас разбирает…" at once.
HOUSLER_UPLOAD_CONCURRENCY = max(1, app_int("HOUSLER_UPLOAD_CONCURRENCY"))
# A saved page (HTML, MHTML, .webarchive) a visitor uploads, checked before any decoding.
HOUSLER_SAVED_PAGE_MAX_BYTES = app_int("HOUSLER_SAVED_PAGE_MAX_BYTES")
# Saved pages one upload at step 2 may carry; files beyond are named and left out.
HOUSLER_SAVED_PAGE_MAX_FILES = app_int("HOUSLER_SAVED_PAGE_MAX_FILES")

# --- Wizard ----------------------------------------------------------------------------------

HOUSLER_SEARCH_DEADLINE = app_int("HOUSLER_SEARCH_DEADLINE")
HOUSLER_FETCH_LIMIT = app_int("HOUSLER_FETCH_LIMIT")
HOUSLER_FETCH_WINDOW = app_int("HOUSLER_FETCH_WINDOW")
HOUSLER_SHARE_DAYS = app_int("HOUSLER_SHARE_DAYS")
HOUSLER_SHARE_LIMIT = app_int("HOUSLER_SHARE_LIMIT")
HOUSLER_SHARE_WINDOW = app_int("HOUSLER_SHARE_WINDOW")
HOUSLER_MAX_SHARE_BYTES = app_int("HOUSLER_MAX_SHARE_BYTES")
HOUSLER_PDF_LIMIT = app_int("HOUSLER_PDF_LIMIT")
HOUSLER_PDF_WINDOW = app_int("HOUSLER_PDF_WINDOW")
HOUSLER_MAX_COMPARABLES = app_int("HOUSLER_MAX_COMPARABLES")
CSRF_FAILURE_VIEW = "housler.errors.csrf_failure"

# --- Valuation -------------------------------------------------------------------------------

HOUSLER_VALUATION: dict = {}  # the method's own constants; see calculator/conf.py

# --- I18N, static ----------------------------------------------------------------------------

LANGUAGE_CODE = "ru"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}
    },
    # Session keys and share tokens in logged URLs are shortened (housler/log_masking.py).
    "filters": {"no_secrets": {"()": "housler.log_masking.MaskSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint (the PDF report) logs each rendering step and every screen-only CSS rule it skips;
    # only its errors (a refused or missing resource) are worth a line.
    "loggers": {"weasyprint": {"level": "ERROR"}},
}
