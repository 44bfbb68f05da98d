"""What of a secret may be printed: a short session key, a URL without its password.

Used wherever the engine prints a session key, a URL or an exception text that may contain one:
logs, system checks, the health report, the inspector and `manage.py sessions`. Standard library
only, so it also works before Django is configured; a project may use it for its own output
(README "Public API").
"""

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "****"
SECRET_PARAMETERS = frozenset(
    {"password", "passwd", "pwd", "pass", "secret", "token", "access_token", "api_key", "apikey"}
)
URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# redis-py quotes a failed pipeline command with its arguments, a session key among them.
PIPELINE_COMMAND = re.compile(r"(Command # \d+) \(.*?\) (of pipeline)", re.S)


def short_key(key: str | None) -> str:
    """What logs and listings show of a session key: enough to correlate, too little to use."""
    return f"{key[:6]}…" if key else "-"


def is_secret_name(name: str) -> bool:
    """Does a field's name say it holds a credential: `token`, `share_token`, `shared_tokens`,
    `password`, `api_key`…? Each `_`- or `-`-separated word is looked at, plural or not."""
    name = name.casefold()
    words = re.split(r"[_-]+", name)
    return name in SECRET_PARAMETERS or any(
        word in SECRET_PARAMETERS or word.removesuffix("s") in SECRET_PARAMETERS for word in words
    )


def _mask_query(query: str) -> str:
    pairs = []
    for pair in query.split("&"):
        name, sep, value = pair.partition("=")
        secret = sep and value and name.casefold() in SECRET_PARAMETERS
        pairs.append(f"{name}={MASK}" if secret else pair)
    return "&".join(pairs)


def mask_url(url: str) -> str:
    """`url` with its password and secret query parameters replaced by `****`.

    `redis://:s3cret@host:6379/0` → `redis://:****@host:6379/0`; the user name, host, path and
    other parameters stay, so the line still says where things go. A user part with no password
    (`socks5://TOKEN@proxy`) is usually a token and is masked whole. Text that is not a URL is
    returned unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc, query = parts.netloc, _mask_query(parts.query)
    userinfo, at, hostinfo = netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if at and colon and password:
        netloc = f"{user}:{MASK}@{hostinfo}"
    elif at and not colon and userinfo:
        netloc = f"{MASK}@{hostinfo}"
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # nothing secret: unchanged, even where urlunsplit would normalise it
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def mask_urls(text: str) -> str:
    """Every URL inside `text` (an exception message, a log line) masked by `mask_url`."""
    return URL_IN_TEXT.sub(lambda match: mask_url(match.group()), text)


def describe_error(error: BaseException) -> str:
    """`Type: message` of an exception for reports and logs: URLs masked, command arguments
    (which may hold a session key) dropped."""
    text = PIPELINE_COMMAND.sub(r"\1 \2", f"{type(error).__name__}: {error}")
    return mask_urls(text)
