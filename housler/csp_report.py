"""Where browsers send Content-Security-Policy violations (README "Security").

Anyone can post here, so the body is size-capped, parsed defensively and logged as one JSON line
at WARNING (newlines and control characters cannot forge log lines). Query strings are dropped
from the reported addresses and long path segments (share tokens) are shortened, so no secret
reaches the logs. A flood is bounded: each process logs at most `CSP_REPORT_LOG_LIMIT` reports
per minute and then one line counting the ones it skipped.
"""

import json
import logging
import re
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from housler.middleware import declared_length

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
MAX_REPORTS_PER_BODY = 10  # a Reporting API batch may hold several
WINDOW_SECONDS = 60
# report-uri's field names and the Reporting API's for the same thing.
FIELDS = {
    "document-uri": "documentURL",
    "blocked-uri": "blockedURL",
    "effective-directive": "effectiveDirective",
    "violated-directive": "effectiveDirective",
    "source-file": "sourceFile",
    "line-number": "lineNumber",
    "disposition": "disposition",
}
URI_FIELDS = {"document-uri", "blocked-uri", "source-file"}
MAX_FIELD_CHARS = 200
LONG_SEGMENT = 16
# Characters that end or reorder a log line on a terminal or in a viewer (C0/C1 controls, line and
# paragraph separators, bidirectional overrides, lone surrogates): written as \uXXXX escapes.
UNSAFE_CHARS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufeff]"
)


class LogBudget:
    """At most `limit` log lines per window in this process; counts what it had to skip."""

    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self.window = window
        self.started = time.monotonic()
        self.used = 0
        self.skipped = 0
        self.lock = threading.Lock()

    def take(self, limit: int) -> tuple[bool, int]:
        """(may log now, reports skipped in the window that just ended)."""
        with self.lock:
            now = time.monotonic()
            skipped_before = 0
            if now - self.started >= self.window:
                skipped_before, self.skipped = self.skipped, 0
                self.started, self.used = now, 0
            if self.used >= limit:
                self.skipped += 1
                return False, skipped_before
            self.used += 1
            return True, skipped_before


budget = LogBudget()


def safe_uri(value: str) -> str:
    """An address without query or fragment, long path segments cut to their first 6 chars."""
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[::1": not an address at all
        return "(malformed address)"
    if not parts.scheme and not parts.netloc:
        return value  # a keyword such as "inline" or "eval"
    segments = [s[:6] + "…" if len(s) > LONG_SEGMENT else s for s in parts.path.split("/")]
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
    return origin + "/".join(segments)


def violations(body: bytes) -> list[dict]:
    """The violation dicts of a `report-uri` (`{"csp-report": …}`) or Reporting API body."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested past the stack
        return []
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [
            item["body"]
            for item in data
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def summary(report: dict) -> dict:
    """The fields operators need, as short strings named as in report-uri reports."""
    out = {}
    for field, other_name in FIELDS.items():
        value = report.get(field, report.get(other_name))
        if value is None or isinstance(value, (dict, list)):
            continue
        text = str(value)
        out[field] = (safe_uri(text) if field in URI_FIELDS else text)[:MAX_FIELD_CHARS]
    return out


def log_line(report: dict) -> str:
    """The summary as one JSON line that no character of the report can break or disguise."""
    text = json.dumps(summary(report), ensure_ascii=False)
    return UNSAFE_CHARS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log each violation at WARNING; always 204 for a body we accept, 413 past the cap."""
    if declared_length(request) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    limit = getattr(settings, "CSP_REPORT_LOG_LIMIT", 30)
    for report in violations(body)[:MAX_REPORTS_PER_BODY]:
        allowed, skipped = budget.take(limit)
        if skipped:
            logger.warning("CSP violation reports not logged (over the limit): %d", skipped)
        if allowed:
            logger.warning("CSP violation: %s", log_line(report))
    return HttpResponse(status=204)
