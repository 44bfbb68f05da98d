"""The report as a PDF made on the server: a file a phone can keep and send on.

WeasyPrint lays out the very template of the printable page (`calculator/report.html`, print
media) with `static/css/report-pdf.css` on top (A4, page numbers, a font with Cyrillic), so the PDF
says what that page says. Fonts come from the system (fontconfig; Debian's `fonts-dejavu-core`)
and are embedded.

It fetches nothing from the network: the URL fetcher serves this site's own stylesheets from disk
and refuses every other address, so no stored value can make the server request anything.

Bounded: the report is built from the stored analysis, which the wizard and share links already
cap (50 comparables, `MAX_LISTING_BYTES` each, `HOUSLER_MAX_SHARE_BYTES`); on top of that the HTML,
the page count and the file size have limits, and one render runs at a time per process (WeasyPrint
is CPU-bound and not documented as thread-safe), so a burst of downloads queues briefly, then is
refused in Russian. Any failure is `PdfUnavailable` with a message for the visitor, never a 500.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

# A base address that can never resolve (RFC 2606): relative links in the page resolve against it
# and the fetcher below maps its static prefix to files on disk.
BASE_URL = "https://housler.invalid/"
SITE_STYLESHEET = "css/housler.css"
FETCHABLE_SUFFIXES = (".css",)
# The largest report the wizard makes (50 comparables, 500-character addresses) is about 72 000
# characters of HTML and 23 pages; past these caps layout stops within seconds (README "Reports").
MAX_HTML_CHARS = 250_000
MAX_PAGES = 50
MAX_PDF_BYTES = 5 * 1024 * 1024
QUEUE_SECONDS = 15  # how long a download waits for the render in progress in this process

_render_slot = threading.BoundedSemaphore(1)

FAILED = "Не удалось подготовить PDF"
BUSY = "Сейчас готовится много PDF. Подождите минуту и скачайте отчёт снова"


class PdfUnavailable(Exception):
    """The PDF could not be made; `message` is the visitor's sentence."""

    def __init__(self, message: str = FAILED) -> None:
        super().__init__(message)
        self.message = message


def _static_prefix() -> str:
    return urljoin(BASE_URL, settings.STATIC_URL)


def _static_file(name: str) -> Path | None:
    """The source file, else a collected one (hashed names exist only in STATIC_ROOT).

    Both look-ups join the name safely: "../" cannot leave the static directories."""
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    return Path(staticfiles_storage.path(name)) if staticfiles_storage.exists(name) else None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        """Serves this site's static stylesheets from disk; any other address is refused."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            prefix = _static_prefix()
            name = urlsplit(url).path.removeprefix(urlsplit(prefix).path)
            if not url.startswith(prefix) or not name.endswith(FETCHABLE_SUFFIXES):
                raise ValueError(f"the PDF fetches only this site's stylesheets, not {url[:200]}")
            path = _static_file(name)
            if path is None:
                raise ValueError(f"no static file {name[:200]}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "text/css"})

    return StaticOnly()


@functools.cache
def chart_css() -> str:
    """The site stylesheet's chart rules, custom properties resolved, for a `<style>` in the SVG.

    WeasyPrint styles an inline SVG only from a `<style>` inside it and knows no `var()` there;
    without this the chart's markers would have no stroke (invisible) and every dot would be black.
    Taken from housler.css itself, so the PDF's chart follows the page's.
    """
    import tinycss2

    path = _static_file(SITE_STYLESHEET)
    rules = tinycss2.parse_stylesheet(path.read_text(), skip_comments=True, skip_whitespace=True)
    rules = [rule for rule in rules if rule.type == "qualified-rule"]
    variables = {}
    for rule in rules:
        if tinycss2.serialize(rule.prelude).strip() == ":root":
            for item in tinycss2.parse_blocks_contents(rule.content):
                if item.type == "declaration":
                    variables[item.name] = tinycss2.serialize(item.value).strip()
    chart_rules = []
    for rule in rules:
        prelude = tinycss2.serialize(rule.prelude).strip()
        if re.match(r"\.chart(?![\w-])", prelude):
            body = re.sub(
                r"var\((--[\w-]+)\)",
                lambda m: variables.get(m[1], "initial"),
                tinycss2.serialize(rule.content),
            )
            chart_rules.append(f"{prelude} {{{body}}}")
    return "\n".join(chart_rules)


def _styled_chart(chart: str) -> SafeString:
    """The chart SVG with `chart_css()` inside it (the page's own chart stays as it is)."""
    css = chart_css()
    styled = re.sub(r"<svg\b[^>]*>", lambda m: f"{m[0]}<style>{css}</style>", chart, count=1)
    return mark_safe(styled)  # noqa: S308 -- our own SVG plus our own stylesheet


def _html(context: dict) -> str:
    context = {**context, "chart": _styled_chart(context.get("chart") or "")}
    html = render_to_string("calculator/report.html", context)
    if len(html) > MAX_HTML_CHARS:
        logger.warning("PDF refused: report HTML of %d characters", len(html))
        raise PdfUnavailable()
    return html


def _write(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render()
    if len(document.pages) > MAX_PAGES:
        logger.warning("PDF refused: %d pages", len(document.pages))
        raise PdfUnavailable()
    return document.write_pdf()


def report_pdf(context: dict) -> bytes:
    """The PDF of the report page rendered with `context` (`reports.report_context` and extras)."""
    if not _render_slot.acquire(timeout=QUEUE_SECONDS):
        raise PdfUnavailable(BUSY)
    try:
        data = _write(_html(context))
    except PdfUnavailable:
        raise
    except Exception:  # a library or font failure: the visitor gets a sentence, the log the trace
        logger.exception("PDF rendering failed")
        raise PdfUnavailable() from None
    finally:
        _render_slot.release()
    if len(data) > MAX_PDF_BYTES:
        logger.warning("PDF refused: %d bytes", len(data))
        raise PdfUnavailable()
    return data


def attachment_header(computed_at: datetime) -> str:
    """`Content-Disposition` for the download: a Russian name, with an ASCII one for old clients."""
    day = timezone.localtime(computed_at).date()
    russian = f"Оценка квартиры Housler {day:%d.%m.%Y}.pdf"
    return (
        f'attachment; filename="housler-report-{day:%Y-%m-%d}.pdf"; '
        f"filename*=UTF-8''{quote(russian)}"
    )
