"""Hand-built Cian pages around an embedded JSON state, for tests that control every field."""

from __future__ import annotations

import json


def state_page(app: str, key: str, value: object, body: str = "") -> str:
    """A page pushing `{key, value}` to `_cianConfig[app]` (NaN and Infinity kept, as JS may)."""
    payload = json.dumps([{"key": key, "value": value}], ensure_ascii=False)
    script = (
        f"<script>window._cianConfig['{app}'] = "
        f"(window._cianConfig['{app}'] || []).concat({payload});</script>"
    )
    return f"<html><head>{script}</head><body>{body}</body></html>"


def listing_state_page(offer: object, page_data: object = None, body: str = "") -> str:
    """A listing page whose `defaultState` holds `offer` (and `pageData`, when given)."""
    state = {"offerData": {"offer": offer}, "pageData": page_data}
    return state_page("frontend-offer-card", "defaultState", state, body)


def serp_state_page(offers: object) -> str:
    """A search results page whose `initialState.results.offers` is `offers`."""
    return state_page("frontend-serp", "initialState", {"results": {"offers": offers}})


def search_offer(offer_id: int, price: int, area: float, **fields: object) -> dict:
    """A well-formed Saint Petersburg search offer; `fields` replace any top-level key."""
    return {
        "cianId": offer_id,
        "fullUrl": f"https://spb.cian.ru/sale/flat/{offer_id}/",
        "category": "flatSale",
        "roomsCount": 3,
        "totalArea": str(area),
        "floorNumber": 3,
        "bargainTerms": {"price": price},
        "building": {"floorsCount": 9},
        "geo": {
            "address": [
                {"type": "location", "shortName": "Санкт-Петербург", "id": 2},
                {"type": "street", "shortName": "ул. Тестовая"},
                {"type": "house", "shortName": str(offer_id % 100), "id": offer_id},
            ]
        },
        **fields,
    }
