"""Saved-page files written by hand in the formats browsers save: Safari's "Веб-архив" and
Chromium's "Веб-страница, один файл" (MHTML), for tests that choose every byte."""

from __future__ import annotations

import base64
import plistlib

LISTING_URL = "https://spb.cian.ru/sale/flat/319270312/"


def webarchive(body: bytes, encoding: object = "UTF-8", url: object = None) -> bytes:
    """What Safari writes for "Веб-архив": a binary plist around the page's bytes."""
    main = {"WebResourceData": body, "WebResourceMIMEType": "text/html", "WebResourceFrameName": ""}
    if encoding is not None:
        main["WebResourceTextEncodingName"] = encoding
    if url is not None:
        main["WebResourceURL"] = url
    return plistlib.dumps({"WebMainResource": main}, fmt=plistlib.FMT_BINARY)


def mhtml(parts: list[tuple[str, bytes]], location: str = LISTING_URL) -> bytes:
    """A multipart/related file like Chromium's, every part base64 (headers given per part)."""
    boundary = "----MultipartBoundary--test----"
    out = [
        "From: <Saved by Blink>",
        f"Snapshot-Content-Location: {location}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"',
        "",
    ]
    for headers, body in parts:
        out += ["", f"--{boundary}", headers, "Content-Transfer-Encoding: base64", ""]
        out.append(base64.encodebytes(body).decode("ascii"))
    out += [f"--{boundary}--", ""]
    return "\r\n".join(out).encode("ascii")
