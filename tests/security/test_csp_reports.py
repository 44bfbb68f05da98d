"""Hostile reports to the CSP report endpoint (README "Security"): never a 500, and a report's
text cannot reorder or split the log line it is written to."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from housler import csp_report


@pytest.fixture
def post_report(monkeypatch, caplog):
    monkeypatch.setattr(csp_report, "budget", csp_report.LogBudget())
    caplog.set_level(logging.WARNING, logger="housler.csp_report")
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    return lambda body: browser.post("/csp-report/", body, content_type="application/csp-report")


@pytest.mark.parametrize(
    "body",
    [b"[" * 5000 + b"]" * 5000, b'{"csp-report": {"document-uri": "http://[::1"}}'],
    ids=["json-nested-past-the-stack", "unparsable-address"],
)
def test_hostile_csp_reports_never_answer_500(post_report, body: bytes) -> None:
    assert post_report(body).status_code == 204


def test_csp_log_line_cannot_be_reordered_or_split(post_report, caplog) -> None:
    """U+2028 ends a line in many viewers and U+202E reverses what follows: both are escaped."""
    report = {"blocked-uri": "http://a/\u2028FAKE\u202eEVIL", "effective-directive": "ЦИАН\x85"}
    assert post_report(json.dumps({"csp-report": report})).status_code == 204
    [record] = [r for r in caplog.records if r.name == "housler.csp_report"]
    line = record.getMessage()
    assert "\\u2028" in line and "\\u202e" in line and "\\u0085" in line
    assert not {"\u2028", "\u202e", "\x85"} & set(line) and "ЦИАН" in line
