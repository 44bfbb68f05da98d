"""Crafted Cian listing pages whose blocks nest in themselves, for proving that reading a page
stays linear in its size however deep its blocks nest.

The page has a canonical Cian link, a price and an area, so the parser reads it as a listing;
`depth` copies of one `data-name` block wrap the rest, which fills the page to `size` bytes.
"""

from __future__ import annotations

HEAD = (
    '<!DOCTYPE html><html><head><link rel="canonical" '
    'href="https://spb.cian.ru/sale/flat/319270312/"></head><body>'
    '<div data-testid="price-amount">10 000 000 ₽</div><h1>2-комн. квартира, 50 м²</h1>'
)
TAIL = "</body></html>"
WORD = "Санкт-Петербург "
ITEM = '<div data-name="OfferSummaryInfoItem"><p>Этаж</p><p>5 из 9</p></div>'


def nested(name: str, depth: int, inner: str) -> str:
    return f'<div data-name="{name}">' * depth + inner + "</div>" * depth


def _room(size: int, depth: int) -> int:
    return max(0, size - len((HEAD + TAIL).encode()) - depth * 40)


def address_page(size: int, depth: int = 250) -> str:
    """`depth` nested `AddressItem` blocks around text: the address read once per level."""
    return (
        HEAD
        + nested("AddressItem", depth, WORD * (_room(size, depth) // len(WORD.encode())))
        + TAIL
    )


def summary_page(size: int, depth: int = 250) -> str:
    """`depth` nested `OfferSummaryInfoGroup` blocks around "label / value" items."""
    items = ITEM * (_room(size, depth) // len(ITEM.encode()))
    return HEAD + nested("OfferSummaryInfoGroup", depth, items) + TAIL
