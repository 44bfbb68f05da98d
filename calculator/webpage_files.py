"""Saved web-page files → the page's HTML text, recognised by content, never by file name.

Browsers save a page as plain HTML (Chrome, Yandex Browser, Edge, Firefox: "полностью" or "только
HTML"), as MHTML ("один файл": MIME multipart/related) or, in Safari, as a `.webarchive` (a binary
property list). Everything is decoded in memory from bytes the caller has already capped, so no
decoded text can outgrow the upload; nothing the page references is ever fetched.
"""

from __future__ import annotations

import codecs
import email.errors
import plistlib
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser

SNIFF_BYTES = 4096
MARKUP_WINDOW = 65536
# A browser's MHTML of a Cian page has a few hundred parts of a few header fields each; a file of
# tiny parts or header lines makes the stdlib parser build ~40 bytes of objects per input byte.
MAX_MHTML_PARTS = 2000
MAX_MHTML_HEADERS = 20000
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_MARKUP = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_MHTML_HEADER = re.compile(rb"^[A-Za-z0-9-]{1,76}:")
_MHTML_TYPE = re.compile(rb"^content-type:\s*multipart/related", re.I | re.M)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d{1,5}\)(\S{1,2048}?)\s*-->", re.I)
# What a hostile container can make the stdlib parsers raise besides their own errors.
_PARSER_ERRORS = (ValueError, LookupError, TypeError, IndexError, RecursionError, OverflowError)


class UnreadableFile(Exception):
    """Not a web page in any format we know; the caller names the file to the user."""


@dataclass(frozen=True)
class DecodedPage:
    html: str
    location: str | None  # where the browser says it got the page from: untrusted text


def _text_codec(name: str | None) -> str | None:
    """A real text codec for a declared charset, or None (`rot13`, `hex`, unknown names)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    # A page that says UTF-16 in ASCII markup is really UTF-8 (HTML spec, "prescan").
    return "utf-8" if info.name.startswith("utf-16") else info.name


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Bytes of an HTML document → text: BOM, then the declared charset, then `<meta charset>`,
    then UTF-8, then windows-1251 (old Russian pages saved "as is")."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    meta = _META_CHARSET.search(data[:SNIFF_BYTES])
    codec = _text_codec(declared) or _text_codec(meta.group(1).decode("ascii") if meta else None)
    if codec:
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1251", errors="replace")


def _html_or_fail(html: str) -> str:
    head = html[:MARKUP_WINDOW]
    if "\x00" in head or not head.lstrip().startswith("<") or not _MARKUP.search(head):
        raise UnreadableFile("no HTML markup at the start")
    return html


def _saved_from(html: str) -> str | None:
    """The `<!-- saved from url=(NNNN)… -->` mark Chromium and IE put on saved pages."""
    found = _SAVED_FROM.search(html[:SNIFF_BYTES])
    return found.group(1) if found else None


def _is_mhtml(data: bytes) -> bool:
    head = data[:SNIFF_BYTES].lstrip()
    headers = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    return bool(_MHTML_HEADER.match(headers) and _MHTML_TYPE.search(headers))


def _mhtml_root(message: Message) -> Message | None:
    """The root document of a multipart/related message (RFC 2557: `start`, else the first)."""
    if not message.is_multipart():
        return message if message.get_content_type() == "text/html" else None
    parts = message.get_payload()
    start = (message.get_param("start") or "").strip()
    for part in parts:
        if start and str(part.get("Content-ID", "")).strip() == start:
            return part
    return next((p for p in parts if p.get_content_type() == "text/html"), None)


def _capped_message_class() -> type[Message]:
    """A Message class for one parse that stops it past MAX_MHTML_PARTS parts or
    MAX_MHTML_HEADERS header fields, before their objects outgrow memory."""
    counts = {"parts": 0, "headers": 0}

    def count(what: str, cap: int) -> None:
        counts[what] += 1
        if counts[what] > cap:
            raise UnreadableFile(f"MHTML with over {cap} {what}")

    class CappedMessage(Message):
        def __init__(self, policy: policy.Policy = policy.compat32) -> None:
            count("parts", MAX_MHTML_PARTS)
            super().__init__(policy)

        def set_raw(self, name: str, value: str) -> None:
            count("headers", MAX_MHTML_HEADERS)
            super().set_raw(name, value)

    return CappedMessage


def _from_mhtml(data: bytes) -> DecodedPage:
    try:
        parser = BytesParser(_capped_message_class(), policy=policy.compat32)
        message = parser.parsebytes(data)
        root = _mhtml_root(message)
        if root is None:
            raise UnreadableFile("MHTML without an HTML document part")
        body = root.get_payload(decode=True)
        charset = root.get_content_charset()
        location = message.get("Snapshot-Content-Location") or root.get("Content-Location")
    except (*_PARSER_ERRORS, email.errors.MessageError) as exc:
        raise UnreadableFile(f"broken MHTML: {type(exc).__name__}") from exc
    if not isinstance(body, bytes):
        raise UnreadableFile("MHTML without an HTML document part")
    html = _html_or_fail(decode_html(body, charset))
    return DecodedPage(html, str(location) if location else None)


def _from_webarchive(data: bytes) -> DecodedPage:
    try:
        archive = plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    except (*_PARSER_ERRORS, plistlib.InvalidFileException) as exc:
        raise UnreadableFile(f"broken property list: {type(exc).__name__}") from exc
    main = archive.get("WebMainResource") if isinstance(archive, dict) else None
    body = main.get("WebResourceData") if isinstance(main, dict) else None
    if not isinstance(body, bytes):
        raise UnreadableFile("property list without WebMainResource.WebResourceData")
    encoding = main.get("WebResourceTextEncodingName")
    location = main.get("WebResourceURL")
    html = _html_or_fail(decode_html(body, encoding if isinstance(encoding, str) else None))
    return DecodedPage(html, location if isinstance(location, str) else None)


def decode_saved_page(data: bytes) -> DecodedPage:
    """The HTML of a saved page in any supported format; UnreadableFile for anything else."""
    if data.startswith(b"bplist00"):
        return _from_webarchive(data)
    if _is_mhtml(data):
        return _from_mhtml(data)
    html = _html_or_fail(decode_html(data))
    return DecodedPage(html, _saved_from(html))
