"""Logs with secrets cut out of the URLs they mention.

A visitor may paste a session key into a URL (an inspector page, a bare `/admin/<key>/`), and
share links carry their token in the path (`/r/<token>/`). Gunicorn's access log writes the request
line as sent and Django's request logger names the path ("Not Found: /admin/<key>/"), so any long
token-shaped run there is shortened to what `sessions_backend.redaction.short_key` shows: enough
to correlate, too little to use.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

from sessions_backend.redaction import short_key

# Session keys (32–39 chars) and share tokens (32 chars, URL-safe base64) are such runs; no page
# of ours has a legitimate path segment or parameter this long.
SECRET_RUN = re.compile(r"[A-Za-z0-9_-]{24,}")
# Names in one case joined by underscores (`DATA_UPLOAD_MAX_MEMORY_SIZE`, `housler_http_requests`)
# stay whole: a session key never has an underscore, and a random share token of this shape
# (one case, no hyphen) comes up less than once in ten million.
IDENTIFIER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
URL_ATOMS = ("r", "U", "q", "f")  # request line, path, query string, referer


def _shorten(match: re.Match) -> str:
    run = match.group()
    return run if IDENTIFIER.fullmatch(run) else short_key(run)


def mask_secrets(text: str) -> str:
    """`text` with every token-shaped run shortened to its first six characters."""
    return SECRET_RUN.sub(_shorten, text)


class AccessLogger(Logger):
    """`logger_class` of deploy/gunicorn.conf.py: the stock logger, URL atoms masked."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        values = super().atoms(resp, req, environ, request_time)
        for name in URL_ATOMS:
            if isinstance(values.get(name), str):
                values[name] = mask_secrets(values[name])
        return values


class MaskSecretsFilter(logging.Filter):
    """Handler filter (settings.LOGGING): the formatted message masked like the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
