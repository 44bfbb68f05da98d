"""Cian URL validation and normalisation: the SSRF boundary and the link boundary.

Every URL we are about to request — the user's, a redirect target, a search page — passes
`validate_url` first. Only https on an allow-listed Cian host with the default port is accepted;
userinfo, IP literals, non-ASCII look-alike hosts and odd ports are refused before any socket opens.
Every URL read from outside data (Cian pages, stored sessions and snapshots) passes `safe_url`
before it may become a link on a page.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import CianError, HostNotAllowed, InvalidURL

LISTING_PATH = re.compile(r"^/sale/flat/(\d{1,12})/?$")
_SCHEMELESS = re.compile(r"^(?:[a-z0-9-]+\.)*cian\.ru(?:/|$)", re.IGNORECASE)
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_CHARS = re.compile(r"[a-z0-9.-]+")
# Characters kept as they are when a link is re-quoted: reserved ones and existing escapes.
_LINK_SAFE = "/%:@!$&'()*+,;=-._~?"
# Cian serves photos from its CDN domain, outside the page hosts of CIAN_ALLOWED_HOSTS.
IMAGE_HOSTS = ("*.cdn-cian.ru",)
MAX_URL_LENGTH = 2048


def _allowed_hosts(allowed_hosts: Iterable[str] | None) -> list[str]:
    """The given hosts, else `CIAN_ALLOWED_HOSTS`, else (parsing outside Django) its default."""
    if allowed_hosts is None:
        from django.conf import settings

        from calculator.conf import DEFAULTS, conf

        configured = settings.configured
        allowed_hosts = conf.CIAN_ALLOWED_HOSTS if configured else DEFAULTS["CIAN_ALLOWED_HOSTS"]
    return [h.strip().lower().rstrip(".") for h in allowed_hosts if h.strip()]


def host_is_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Exact match, or `*.suffix` matched on a dot boundary (`evil-cian.ru` is not `*.cian.ru`)."""
    for pattern in allowed_hosts:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _is_ip_literal(host: str) -> bool:
    candidate = host.strip("[]")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        # Forms like "2130706433" or "0x7f.1" that resolvers still accept as IPv4.
        return bool(re.fullmatch(r"[0-9.]+|0x[0-9a-f.x]+", candidate))
    return True


def validate_url(url: str, allowed_hosts: Iterable[str] | None = None) -> str:
    """Return `url` as a canonical https Cian URL (path and query kept, fragment dropped).

    Raises InvalidURL for anything that is not a well-formed web URL and HostNotAllowed for a
    well-formed URL pointing anywhere but an allow-listed Cian host.
    """
    if not isinstance(url, str):
        raise InvalidURL("not a string")
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or _FORBIDDEN_CHARS.search(url):
        raise InvalidURL("empty, too long or contains control characters")
    if "://" not in url and _SCHEMELESS.match(url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURL(f"scheme {scheme!r}")
    if not parts.netloc:
        raise InvalidURL("no host")
    if "@" in parts.netloc:
        raise HostNotAllowed("userinfo in URL")
    host = (parts.hostname or "").rstrip(".")
    if not _HOST_CHARS.fullmatch(host):
        raise HostNotAllowed(f"host {host!r}")
    if _is_ip_literal(host):
        raise HostNotAllowed("IP literal")
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        raise HostNotAllowed(f"port {port}")
    if not host_is_allowed(host, _allowed_hosts(allowed_hosts)):
        raise HostNotAllowed(f"host {host!r}")
    if host == "cian.ru":
        host = "www.cian.ru"
    return urlunsplit(("https", host, parts.path or "/", parts.query, ""))


def safe_url(value: object, allowed_hosts: Iterable[str] | None = None) -> str | None:
    """`value` as an https link on an allow-listed Cian host, or None.

    For every URL from outside data that may reach a page: anything that is not a string, not a
    web URL or not on Cian (`javascript:`, `data:`, `//evil.example`) is dropped, never an error.
    A protocol-relative Cian link gets https; quotes and brackets are percent-encoded.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.startswith("//"):
        value = "https:" + value
    try:
        parts = urlsplit(validate_url(value, allowed_hosts))
    except CianError:
        return None
    path, query = quote(parts.path, safe=_LINK_SAFE), quote(parts.query, safe=_LINK_SAFE)
    return urlunsplit(("https", parts.netloc, path, query, ""))


def image_url(value: object) -> str | None:
    """A photo link from outside data: `safe_url` that also accepts Cian's image CDN."""
    return safe_url(value, [*_allowed_hosts(None), *IMAGE_HOSTS])


def normalize_listing_url(url: str, allowed_hosts: Iterable[str] | None = None) -> str:
    """Validate a user-typed listing link and return `https://<host>/sale/flat/<id>/`.

    Tracking query strings and fragments are dropped rather than rejected; a bare `cian.ru`
    becomes `www.cian.ru`.
    """
    canonical = validate_url(url, allowed_hosts)
    parts = urlsplit(canonical)
    match = LISTING_PATH.match(parts.path)
    if not match:
        raise InvalidURL(f"not a listing path: {parts.path!r}")
    return f"https://{parts.hostname}/sale/flat/{int(match.group(1))}/"


def offer_id_from_url(url: str | None) -> int | None:
    """The numeric offer id in a listing URL, or None; no validation (pure helper for parsers)."""
    if not url:
        return None
    match = re.search(r"/sale/flat/(\d{1,12})(?:/|$|\?)", url)
    return int(match.group(1)) if match else None
