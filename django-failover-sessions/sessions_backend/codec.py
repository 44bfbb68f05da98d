"""The session value format `h2`: signed JSON, cheaper than `SessionBase.encode()`.

    h2:<mac>:<flag><payload>

- `<mac>`: 43 characters, unpadded URL-safe base64 of HMAC-SHA256 over `<flag><payload>` (UTF-8),
  keyed by a key derived once per process from (secret, salt). It sits at a fixed offset
  (characters 3–45) so a script can tell two versions of a value apart by its first 46 characters.
- `<flag>`: `j` — `<payload>` is the JSON text itself; `z` — it is standard base64 of the JSON
  compressed with zlib at level 1 (only for JSON above `COMPRESS_ABOVE` bytes).

JSON only (orjson, with the standard library's rules for what it refuses), never pickle. A value
signed with a key of `SECRET_KEY_FALLBACKS` loads; the next save signs with `SECRET_KEY`. Values
without the `h2:` prefix are Django's format (`django.core.signing`) and still load, so an upgrade
logs nobody out. Anything else — garbage, truncated, tampered, foreign, too large, not a JSON
object — raises `Refused` with the reason, for the caller to log and treat as absent.
See README "Value format".
"""

import base64
import binascii
import functools
import hmac
import zlib

import orjson
from django.conf import settings
from django.contrib.sessions.serializers import JSONSerializer
from django.core import signing
from django.utils.encoding import force_bytes

from .exceptions import SessionTooLarge

PREFIX = "h2:"
MAC_LENGTH = 43  # base64 of 32 bytes without its "=" padding
HEADER_LENGTH = len(PREFIX) + MAC_LENGTH + 1  # "h2:<mac>:"
PLAIN, ZLIB = b"j", b"z"
COMPRESS_ABOVE = 4096  # bytes of JSON; bench/engine_cpu.py measures the trade-off
MAX_JSON_BYTES = 2 * 1024 * 1024  # far above any sane session; bounds what a load may inflate
MAX_VALUE_CHARS = MAX_JSON_BYTES * 4 // 3 + HEADER_LENGTH + 64  # base64 of incompressible JSON
JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class Refused(ValueError):
    """A stored value that must be treated as absent; the message completes "Session X …"."""


@functools.lru_cache(maxsize=16)
def signing_key(secret: str | bytes, salt: str) -> bytes:
    """The HMAC key for one (secret, salt), derived once per process instead of per value."""
    return hmac.digest(force_bytes(secret), f"{salt}:{PREFIX}".encode(), "sha256")


def mac(body: bytes, secret: str | bytes, salt: str) -> bytes:
    return base64.urlsafe_b64encode(hmac.digest(signing_key(secret, salt), body, "sha256"))[:-1]


def _stdlib_default(value: object) -> float:
    """What orjson leaves to us: float subclasses (numpy) pass, as with `json`; the rest fails."""
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_bytes(session: dict) -> bytes:
    """The JSON a session is stored as, before signing: what MAX_JSON_BYTES limits."""
    return orjson.dumps(session, default=_stdlib_default, option=JSON_OPTIONS)


def dumps(session: dict, salt: str) -> str:
    """The stored form of `session`, signed with the current `SECRET_KEY`; SessionTooLarge when
    its JSON is over MAX_JSON_BYTES."""
    raw = json_bytes(session)
    if len(raw) > MAX_JSON_BYTES:
        raise SessionTooLarge(f"session of {len(raw)} bytes exceeds {MAX_JSON_BYTES}")
    if len(raw) > COMPRESS_ABOVE:
        body = ZLIB + base64.b64encode(zlib.compress(raw, 1))
    else:
        body = PLAIN + raw
    return b"".join((PREFIX.encode(), mac(body, settings.SECRET_KEY, salt), b":", body)).decode()


def loads(value: str, salt: str) -> dict:
    """The session dict stored as `value`, in this format or Django's; `Refused` otherwise."""
    if len(value) > MAX_VALUE_CHARS:
        raise Refused(f"is larger than {MAX_VALUE_CHARS} characters")
    if not value.startswith(PREFIX):
        return _django_format_loads(value, salt)
    if value[HEADER_LENGTH - 1 : HEADER_LENGTH] != ":":
        raise Refused("is truncated")
    try:
        given = value[len(PREFIX) : HEADER_LENGTH - 1].encode()
        body = value[HEADER_LENGTH:].encode()
    except UnicodeEncodeError:
        raise Refused("is not text") from None
    if not _verified(given, body, salt):
        raise Refused("failed its signature")
    flag, payload = body[:1], body[1:]
    if flag == ZLIB:
        payload = _inflate(payload)
    elif flag != PLAIN:
        raise Refused(f"has an unknown payload type {flag!r}")
    try:
        session = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise Refused("is not valid JSON") from None
    if not isinstance(session, dict):
        raise Refused("is not a JSON object")
    return session


def version(value: str) -> str:
    """What a compare-and-set compares: an `h2` value's prefix up to its MAC, which covers the
    payload, so equal prefixes mean equal sessions; any other value is compared whole."""
    return value[: HEADER_LENGTH - 1] if value.startswith(PREFIX) else value


def _verified(given: bytes, body: bytes, salt: str) -> bool:
    """Constant-time check against `SECRET_KEY`, then each of `SECRET_KEY_FALLBACKS`."""
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    return any(hmac.compare_digest(mac(body, secret, salt), given) for secret in secrets)


def _inflate(payload: bytes) -> bytes:
    """Decompress at most `MAX_JSON_BYTES`: a small value must not expand into a huge one."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(payload, validate=True), MAX_JSON_BYTES)
    except (binascii.Error, zlib.error):
        raise Refused("has a corrupt compressed payload") from None
    if inflater.unconsumed_tail:
        raise Refused(f"decompresses to more than {MAX_JSON_BYTES} bytes")
    if not inflater.eof:
        raise Refused("has a truncated compressed payload")
    return raw


def _django_format_loads(value: str, salt: str) -> dict:
    """Django's own `SessionBase.encode()` format, minus its silent `{}`: a project switching
    to this engine keeps its visitors' sessions."""
    try:
        session = signing.loads(value, salt=salt, serializer=JSONSerializer)
    except signing.BadSignature:
        raise Refused("failed its signature") from None
    except Exception:  # like SessionBase.decode: JSON, base64 or zlib errors
        raise Refused("is not valid JSON") from None
    if not isinstance(session, dict):
        raise Refused("is not a JSON object")
    return session
