"""Cian search-results pages built from the saved search card, with other flats' numbers."""

from __future__ import annotations

import re

from tests.support.cian_pages import CARD, fixture_html


def card_variant(offer_id: int, *, city: str | None = None, price: str | None = None) -> str:
    """The saved card with another offer id (and optionally another city or price)."""
    html = fixture_html(CARD).replace("309818461", str(offer_id))
    if city:
        html = html.replace("Санкт-Петербург", city)
    if price:
        html = html.replace("414 645 000", price)
    return html


def flat_card(offer_id: int, rooms: int, area: float, floor: int, total: int, price: int) -> str:
    """The saved card describing another flat: rooms, area, floor and price all replaced."""
    html = card_variant(offer_id)
    area_text = f"{area:.1f}".replace(".", ",")
    html = html.replace(
        "6-комн. квартира, 251,3 м², 9/9 этаж",
        f"{rooms}-комн. квартира, {area_text} м², {floor}/{total} этаж",
    )
    html = re.sub(r"414\s645\s000\s₽", f"{price:,}".replace(",", " ") + " ₽", html)
    return html.replace("1 650 000 ₽/м²", f"{round(price / area):,} ₽/м²".replace(",", " "))


def results_page(cards: list[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Купить квартиру</title>'
        '</head><body><div data-name="SearchEngineResultsPage">'
        + "".join(cards)
        + "</div></body></html>"
    )
