"""The saved Cian pages kept in `tests/fixtures/cian/` (see its INDEX.md) and their ground truth."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cian"

NEW_BUILD = "cian_listing_spb_3room_newbuilding_315831388.html"
RESALE = "cian_listing_spb_3room_secondary_319270312.html"
CARD = "cian_search_card_spb_6room_newbuilding_309818461.html"


def fixture_html(name: str) -> str:
    """One saved page's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def expected(name: str) -> dict:
    """The hand-checked field values of one saved page."""
    data = json.loads((FIXTURES / "expected_values.json").read_text(encoding="utf-8"))
    return data[name]["expected"]


def page_html(name: str) -> str:
    """One small hand-written page (archived, captcha, not a listing…) from `handmade/`."""
    return (FIXTURES / "handmade" / name).read_text(encoding="utf-8")
