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


def listing_variant(offer_id: int, price: int, area: float) -> str:
    """The saved resale listing as another flat: its id, price, area and price per m² replaced
    in the embedded state, the JSON-LD and the visible text alike."""
    truth = expected(RESALE)
    spaced = f"{price:,}".replace(",", " ")
    html = fixture_html(RESALE).replace(str(truth["offer_id"]), str(offer_id))
    html = html.replace(str(truth["price"]), str(price)).replace("75 000 000", spaced)
    html = html.replace('"totalArea":"106.2"', f'"totalArea":"{area}"')
    html = html.replace("106,2", f"{area}".replace(".", ","))
    return html.replace(str(truth["price_per_sqm"]), str(round(price / area)))
