"""Log masking shortens tokens, not setting names.

Were every run of 24+ word characters cut to six, ERROR lines would read "settings.DATA_U…" and
an operator could not tell which limit was hit. Names in one case joined by underscores stay
whole; session keys and share tokens are still shortened. The lines are real ones Django logs,
passed through the console handler of `settings.LOGGING`.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string

from housler.log_masking import MaskSecretsFilter, mask_secrets

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def console_lines(records: list[logging.LogRecord]) -> list[str]:
    """The first line the configured console handler writes for each of `records` (its filter
    applied; a traceback below it is not what the filter masks)."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, MaskSecretsFilter) for item in handler.filters)
    )
    return [handler.format(record).splitlines()[0] for record in records if handler.filter(record)]


def test_a_setting_named_in_an_error_line_survives(client, caplog):
    too_many = {"action": "manual", "manual-address": "д" * 300_000}
    with caplog.at_level(logging.WARNING):
        response = client.post("/calculator/", too_many)
    assert response.status_code == 400
    lines = console_lines(caplog.records)
    assert any("settings.DATA_UPLOAD_MAX_MEMORY_SIZE" in line for line in lines), lines


def test_a_share_token_in_a_logged_path_is_still_shortened(client, caplog):
    token = "Ab_9" + get_random_string(28)
    with caplog.at_level(logging.WARNING):
        assert client.get(f"/r/{token}/").status_code == 404
    lines = console_lines(caplog.records)
    assert any(f"/r/{token[:6]}…/" in line for line in lines), lines
    assert not any(token in line for line in lines)


@pytest.mark.parametrize(
    "name",
    ["DATA_UPLOAD_MAX_MEMORY_SIZE", "HOUSLER_SAVED_PAGE_MAX_BYTES", "housler_http_requests_total"],
)
def test_identifiers_stay_whole(name):
    assert mask_secrets(f"{name} = 5") == f"{name} = 5"


@pytest.mark.parametrize(
    "secret",
    [
        get_random_string(32, VALID_KEY_CHARS),  # a session key
        get_random_string(39, VALID_KEY_CHARS),  # a fallback-born one
        "Q_" + get_random_string(30),  # share tokens: URL-safe base64
        "xy-" + get_random_string(29),
    ],
)
def test_token_runs_are_shortened(secret):
    assert mask_secrets(f"key {secret} seen") == f"key {secret[:6]}… seen"
