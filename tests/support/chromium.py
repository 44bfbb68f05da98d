"""Debian's Chromium for the browser tests: where it is, how it starts, where its screenshots go,
what it reports on the console, and the comparables a visitor types into it by hand."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("HOUSLER_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# (price, area, rooms) as typed, in the spellings a visitor uses.
COMPARABLES = [
    ("11 900 000", "52,0", "2"),
    ("12 800 000", "55,5", "2"),
    ("12 300 000", "54", "2"),
    ("13 400 000", "57,2", "2"),
    ("12 100 000 ₽", "53.8", "2"),
]


def type_comparables(page) -> None:
    """Step 2 by hand: each of COMPARABLES typed into the add form and added."""
    for price, area, rooms in COMPARABLES:
        page.locator("#id_add_manual-price").fill(price)
        page.locator("#id_add_manual-total_area").fill(area)
        page.locator("#id_add_manual-rooms").select_option(rooms)
        page.locator("form:has([name=action][value=add_manual]) button[type=submit]").click()


def require_chromium() -> None:
    """Fail, saying how to install it, when Chromium is missing: a skip would hide the tests."""
    if not shutil.which(CHROMIUM):
        pytest.fail(
            "Chromium is missing: `make test` installs it (apt-get install chromium) as root"
        )


def csp_violations(page) -> list[str]:
    """Chromium reports every CSP violation on the console: collect them."""
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found
