"""Template filters over `calculator.formatting` (Russian numbers: "12 500 000 ₽", "126,4 м²")."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


# A figure inside a sentence: "9 240 000 ₽", "2,8 %", "54,5 м²" (groups of three after a space).
_FIGURE = re.compile(r"[−+±]?\d+(?: \d{3})*(?:,\d+)?(?: ?(?:₽/м²|₽|%|м²|м))?(?![\w²])")


@register.filter
def figures_nowrap(text: object) -> SafeString:
    """A sentence escaped, its figures kept on one line (`.num`), as a table cell keeps them."""
    escaped = str(escape(text))
    return mark_safe(_FIGURE.sub(lambda m: f'<span class="num">{m.group(0)}</span>', escaped))  # noqa: S308
