"""The JSON state Cian embeds in its pages (`window._cianConfig[...]`), found without a DOM.

Pages push `{key, value}` items with
`window._cianConfig['<app>'] = (window._cianConfig['<app>'] || []).concat([...]);`.
A string search for that marker and `JSONDecoder.raw_decode` from the `[` is far cheaper than
parsing the 700 KB document, and needs no JavaScript.
"""

from __future__ import annotations

import json
import re
from functools import cache
from itertools import islice

from .limits import MAX_STATE_PUSHES

_DECODER = json.JSONDecoder()


@cache
def _marker(app: str) -> re.Pattern[str]:
    name = re.escape(app)
    return re.compile(
        rf"""_cianConfig\[(["']){name}\1\]\s*\|\|\s*\[\]\s*\)\s*\.concat\(\s*(?=\[)"""
    )


def config_item(html: str, app: str, key: str) -> object | None:
    """The `value` of the item `key` pushed to `_cianConfig[app]`, or None if absent/broken."""
    needle = f"_cianConfig['{app}']"
    if needle not in html and f'_cianConfig["{app}"]' not in html:
        return None
    # Each try may decode up to the end of the page: a bounded number of them keeps it linear.
    for match in islice(_marker(app).finditer(html), MAX_STATE_PUSHES):
        try:
            items, _ = _DECODER.raw_decode(html, match.end())
        except (ValueError, RecursionError):  # broken or absurdly nested JSON: no state
            continue
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and item.get("key") == key:
                return item.get("value")
    return None


def listing_state(html: str) -> dict | None:
    """`defaultState` of a listing page when its `offerData.offer` is there, else None."""
    state = config_item(html, "frontend-offer-card", "defaultState")
    if not isinstance(state, dict):
        return None
    offer_data = state.get("offerData")
    if not isinstance(offer_data, dict) or not isinstance(offer_data.get("offer"), dict):
        return None
    return state


def search_offers(html: str) -> list[dict] | None:
    """`initialState.results.offers` of a results page, or None when the page has no state."""
    state = config_item(html, "frontend-serp", "initialState")
    if not isinstance(state, dict):
        return None
    results = state.get("results")
    offers = results.get("offers") if isinstance(results, dict) else None
    if not isinstance(offers, list):
        return None
    return [offer for offer in offers if isinstance(offer, dict)]
