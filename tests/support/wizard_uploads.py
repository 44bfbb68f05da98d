"""Saved pages sent to the wizard the way a browser's file field sends them."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from calculator.wizard import SESSION_KEY
from tests.support.cian_pages import RESALE, fixture_html
from tests.support.wizard_client import confirm_details, text

MB = 1024 * 1024


def upload(name: str, data: bytes | str) -> SimpleUploadedFile:
    body = data.encode("utf-8") if isinstance(data, str) else data
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def wizard(client) -> dict:
    return client.session[SESSION_KEY]


def upload_target(client, name: str = "Объявление.html", data: bytes | str | None = None):
    page = upload(name, fixture_html(RESALE) if data is None else data)
    return client.post("/calculator/", {"action": "upload", "page": page})


def start_with_saved_listing(client) -> None:
    response = upload_target(client)
    assert response.status_code == 302, text(response)
    confirm_details(client)


def add_pages(client, files: list[SimpleUploadedFile]):
    return client.post("/calculator/comparables/", {"action": "add_pages", "pages": files})
