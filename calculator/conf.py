"""The calculator's own settings and their defaults: the one place both are defined.

Every `HOUSLER_*` and `CIAN_*` setting is read through `conf`, so a project that leaves one out
gets the default below instead of an AttributeError in the middle of a request. Housler's
`housler/settings.py` takes these same defaults when the environment sets nothing (README
"Settings"). Values are read from `django.conf.settings` on every access, so `override_settings`
and pytest-django's `settings` fixture keep working.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

MB = 1024 * 1024

DEFAULTS: dict[str, object] = {
    # --- request bodies (enforced by the project's middleware) ---
    # Bytes of any request body, file parts included: the 413 page past it.
    "HOUSLER_MAX_REQUEST_BYTES": 256 * 1024,
    # Bytes of a request body to one of HOUSLER_UPLOAD_PATHS: a few saved pages at once.
    "HOUSLER_MAX_UPLOAD_BYTES": 25 * MB,
    # Paths of the saved-page upload forms (exact; an entry ending in `*` is a prefix).
    "HOUSLER_UPLOAD_PATHS": ["/calculator/", "/calculator/comparables/"],
    # --- listing data (Cian) ---
    # Where listing and search pages are requested (tests point it at a local server).
    "CIAN_BASE_URL": "https://www.cian.ru",
    # Seconds one request to Cian may take.
    "CIAN_TIMEOUT": 15.0,
    # Bytes of one Cian response read at most.
    "CIAN_MAX_BYTES": 5 * MB,
    # Hosts a listing link may name (`*.` matches subdomains on a dot boundary).
    "CIAN_ALLOWED_HOSTS": ["cian.ru", "*.cian.ru"],
    # Seconds a fetched listing is served from the cache instead of Cian.
    "CIAN_CACHE_SECONDS": 24 * 3600,
    # Egress proxy for Cian traffic only (http, https, socks5, socks5h); empty: direct.
    "CIAN_PROXY_URL": "",
    # Requests of one worker that may wait on Cian at once (gunicorn's 8 threads, 2 kept free).
    "CIAN_CONCURRENCY": 6,
    # --- saved pages ---
    # Requests of one worker that may read uploaded saved pages at once.
    "HOUSLER_UPLOAD_CONCURRENCY": 2,
    # Bytes of one saved page (HTML, MHTML, .webarchive), checked before any decoding.
    "HOUSLER_SAVED_PAGE_MAX_BYTES": 8 * MB,
    # Saved pages one upload at step 2 may carry; files beyond are named and left out.
    "HOUSLER_SAVED_PAGE_MAX_FILES": 20,
    # --- wizard ---
    # Seconds one "find comparables" may spend on Cian.
    "HOUSLER_SEARCH_DEADLINE": 20,
    # Comparables one session may hold, the search's included.
    "HOUSLER_MAX_COMPARABLES": 50,
    # Requests to Cian per client per window (a listing served from the cache costs nothing).
    "HOUSLER_FETCH_LIMIT": 20,
    "HOUSLER_FETCH_WINDOW": 600,  # s
    # Share links per client per window.
    "HOUSLER_SHARE_LIMIT": 10,
    "HOUSLER_SHARE_WINDOW": 3600,  # s
    # PDF reports per client per window.
    "HOUSLER_PDF_LIMIT": 30,
    "HOUSLER_PDF_WINDOW": 600,  # s
    # Days a shared report link lives.
    "HOUSLER_SHARE_DAYS": 30,
    # Bytes of one share snapshot's JSON.
    "HOUSLER_MAX_SHARE_BYTES": 256 * 1024,
    # --- valuation ---
    # Overrides of the method's constants (`ValuationParams` field names); read, never mutated.
    "HOUSLER_VALUATION": {},
}


class CalculatorSettings:
    """`conf.CIAN_TIMEOUT`: the project's value, else the default above; unknown names raise."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a calculator setting")
        return getattr(settings, name, DEFAULTS[name])


conf = CalculatorSettings()
