"""HTTP side: fetch an allow-listed Cian page, and a listing (cached) by its link.

Every URL is validated against the allow-list before a request and again after each redirect
(followed by hand), whether or not the request goes through `CIAN_PROXY_URL`. When
`CIAN_BASE_URL` is not itself a Cian host (tests point it at a local server), validated Cian URLs
are mapped onto it only for the request: validation always sees the real Cian URL.

Each page fetch records its outcome (`outcomes.py`); each request sent counts against the
caller's `Budget`; listing and search fetches hold a slot of the worker's bulkhead (`bulkhead.py`).
The search for comparables, which fetches several result pages, is `search.py`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.core.cache import cache
from urllib3.exceptions import ReadTimeoutError

from calculator.conf import conf
from sessions_backend.redaction import mask_urls

from . import outcomes
from .bulkhead import cian_slot
from .errors import (
    Blocked,
    CianError,
    FetchFailed,
    FetchTimeout,
    ListingRemoved,
    ResponseTooLarge,
)
from .page_config import search_offers
from .parse import listing_state, looks_blocked, parse_listing
from .urls import host_is_allowed, normalize_listing_url, offer_id_from_url, validate_url

logger = logging.getLogger(__name__)

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5",
}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_BACKOFF: tuple[float, ...] = (0.5, 1.5)  # seconds before retry 1 and 2
MAX_REDIRECTS = 5
MAX_CONNECT_TIMEOUT = 5.0
CHUNK_BYTES = 64 * 1024
sleep = time.sleep


@dataclass
class Budget:
    """How many requests one visitor's action may send to Cian (`limit`), and how many it sent."""

    limit: int | None = None
    used: int = 0

    @property
    def exhausted(self) -> bool:
        return self.limit is not None and self.used >= self.limit


class CianSession(requests.Session):
    """Cian's own session: no proxy/netrc from the environment, only `CIAN_PROXY_URL`.

    `trust_env = False` keeps every other proxy and credential of the environment out; every
    request it sends (retries and redirects included) is charged to its budget.
    """

    def __init__(self, budget: Budget | None = None) -> None:
        super().__init__()
        self.trust_env = False
        self.headers.update(HEADERS)
        self.budget = budget if budget is not None else Budget()
        if proxy := conf.CIAN_PROXY_URL:
            self.proxies = {"http": proxy, "https": proxy}

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        self.budget.used += 1
        return super().send(request, **kwargs)


def new_session(budget: Budget | None = None) -> CianSession:
    return CianSession(budget)


def _base() -> tuple[str, str] | None:
    """(scheme, netloc) of CIAN_BASE_URL when requests must go there instead of Cian itself."""
    parts = urlsplit(conf.CIAN_BASE_URL)
    if parts.hostname and host_is_allowed(parts.hostname, conf.CIAN_ALLOWED_HOSTS):
        return None
    return parts.scheme, parts.netloc


def _request_url(logical: str) -> str:
    base = _base()
    if base is None:
        return logical
    parts = urlsplit(logical)
    return parts._replace(scheme=base[0], netloc=base[1]).geturl()


def _redirect_target(location: str, request_url: str, logical: str) -> str:
    """The Cian URL a redirect points to; a hop to the base server stays on the current host."""
    target = urljoin(request_url, location)
    base = _base()
    parts = urlsplit(target)
    if base is not None and (parts.scheme, parts.netloc) == base:
        return parts._replace(scheme="https", netloc=urlsplit(logical).netloc).geturl()
    return target


def _send(session: requests.Session, url: str, timeout: float) -> requests.Response:
    try:
        return session.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(min(MAX_CONNECT_TIMEOUT, timeout), timeout),
        )
    except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout) as exc:
        raise FetchTimeout(mask_urls(f"{url}: {exc}")) from exc
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        raise FetchFailed(mask_urls(f"{url}: {exc}")) from exc


def _get(session: requests.Session, url: str, timeout: float, stop_at: float | None):
    """GET with up to len(RETRY_BACKOFF) retries on 429/5xx, never sleeping past `stop_at`."""
    for pause in (*RETRY_BACKOFF, None):
        response = _send(session, url, timeout)
        if response.status_code not in RETRY_STATUSES or pause is None:
            return response
        if stop_at is not None and time.monotonic() + pause >= stop_at:
            return response
        response.close()
        sleep(pause)
    return response


def _read_body(response: requests.Response, max_bytes: int, read_until: float) -> str:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise ResponseTooLarge(f"Content-Length {declared}")
    body = bytearray()
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            body += chunk
            if len(body) > max_bytes:
                raise ResponseTooLarge(f"more than {max_bytes} bytes")
            if time.monotonic() > read_until:
                raise FetchTimeout("body not received in time")
    except requests.exceptions.ConnectionError as exc:
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, ReadTimeoutError):
            raise FetchTimeout(mask_urls(str(exc))) from exc
        raise FetchFailed(mask_urls(str(exc))) from exc
    except requests.exceptions.RequestException as exc:
        raise FetchFailed(mask_urls(str(exc))) from exc
    finally:
        response.close()
    content_type = response.headers.get("Content-Type", "")
    charset = "utf-8"
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip(" \"'") or charset
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _raise_for_status(response: requests.Response, url: str) -> None:
    """404/410 is a removed listing; 403/429 (with or without the anti-bot page) is a block."""
    status = response.status_code
    if 200 <= status < 300:
        return
    response.close()
    if status in (404, 410):
        raise ListingRemoved(f"HTTP {status} for {url}")
    if status in (403, 429):
        raise Blocked(f"HTTP {status} for {url}")
    raise FetchFailed(f"HTTP {status} for {url}")


def is_block_page(html: str) -> bool:
    """An anti-bot or captcha page served with 200: the markers, and no offer data at all."""
    return looks_blocked(html) and listing_state(html) is None and not search_offers(html)


def fetch_page(
    url: str,
    session: requests.Session,
    *,
    timeout: float | None = None,
    stop_at: float | None = None,
) -> tuple[str, str]:
    """Fetch an allow-listed Cian page; return (html, final Cian URL after redirects).

    Records the outcome of every fetch that sent a request; raises Blocked for an anti-bot page
    whatever its status.
    """
    logical = validate_url(url)
    try:
        html, final = _follow(logical, session, timeout, stop_at)
        if is_block_page(html):
            raise Blocked(f"anti-bot page at {final}")
    except CianError as error:
        outcomes.record(outcomes.classify(error))
        raise
    outcomes.record(outcomes.OK)
    return html, final


def _follow(
    logical: str, session: requests.Session, timeout: float | None, stop_at: float | None
) -> tuple[str, str]:
    timeout = float(timeout if timeout is not None else conf.CIAN_TIMEOUT)
    for _hop in range(MAX_REDIRECTS + 1):
        request_url = _request_url(logical)
        started = time.monotonic()
        response = _get(session, request_url, timeout, stop_at)
        if response.is_redirect:
            location = response.headers.get("Location", "")
            response.close()
            logical = validate_url(_redirect_target(location, request_url, logical))
            continue
        _raise_for_status(response, logical)
        read_until = started + timeout
        if stop_at is not None:
            read_until = min(read_until, stop_at)
        return _read_body(response, conf.CIAN_MAX_BYTES, read_until), logical
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects from {logical}")


def _cache_key(offer_id: int) -> str:
    return f"cian:listing:{offer_id}"


def _cache_get(key: str) -> dict | None:
    try:
        value = cache.get(key)
    except Exception:  # a cache outage must not stop the user from loading a listing
        logger.warning("Cian listing cache unavailable on read", exc_info=True)
        return None
    return value if isinstance(value, dict) and value.get("offer_id") else None


def _cache_set(key: str, listing: dict) -> None:
    try:
        cache.set(key, listing, conf.CIAN_CACHE_SECONDS)
    except Exception:
        logger.warning("Cian listing cache unavailable on write", exc_info=True)


def fetch_listing(url: str, *, budget: Budget | None = None) -> dict:
    """Validate a user's listing URL, then return its parsed listing (cached 24 h by offer id).

    Raises a CianError subclass for every failure; its `.message` is for the user. A cached
    listing sends nothing to Cian and so costs nothing of `budget`.
    """
    normalized = normalize_listing_url(url)
    key = _cache_key(offer_id_from_url(normalized))
    cached = _cache_get(key)
    if cached is not None:
        return cached
    with cian_slot(), new_session(budget) as session:
        html, _final = fetch_page(normalized, session)
    listing = parse_listing(html, url=normalized)
    _cache_set(key, listing)
    return listing
