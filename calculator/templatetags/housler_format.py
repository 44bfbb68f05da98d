"""Template filters over `calculator.formatting` (Russian numbers: "12 500 000 ₽", "126,4 м²")."""

from __future__ import annotations

from django import template

from calculator import formatting
from calculator.numbers import to_decimal

register = template.Library()

for _name in (
    "rub",
    "rub_sqm",
    "area",
    "percent",
    "signed_percent",
    "fraction_percent",
    "fraction_signed",
    "rooms_label",
    "floor_label",
    "house_label",
    "metro_label",
    "segment_label",
    "listing_facts",
    "listings_count",
):
    register.filter(_name, getattr(formatting, _name))
register.filter("format_int", formatting.format_number)


@register.filter
def decimal(value: object, decimals: int = 1) -> str:
    """A plain number with at most `decimals` decimals: 126.45 → "126,5"."""
    return formatting.format_number(value, int(decimals))


@register.filter
def abs_number(value: object) -> object:
    """|value| for a template that states the sign in words."""
    number = to_decimal(value)
    return None if number is None else abs(number)
