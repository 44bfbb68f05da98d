"""Russian number formatting for pages and the Markdown report.

Groups of thousands are separated by a plain space and the decimal mark is a comma
("12 500 000 ₽", "126,4 м²"). Plain spaces (never NBSP) keep copied figures predictable; pages
keep them on one line with CSS (`.num { white-space: nowrap }`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def _to_decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value: object, decimals: int = 0) -> str:
    """12500000 → "12 500 000"; 126.4 with decimals=1 → "126,4" (trailing ",0" dropped)."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = " ".join(groups)
    fraction = fraction.rstrip("0")
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


@register.filter
def rub(value: object) -> str:
    """Rubles, whole: "12 500 000 ₽"."""
    text = format_number(value)
    return text if text == "—" else f"{text} ₽"


@register.filter
def rub_sqm(value: object) -> str:
    text = format_number(value)
    return text if text == "—" else f"{text} ₽/м²"


@register.filter
def area(value: object) -> str:
    """Square metres with one decimal at most: "126,4 м²"."""
    text = format_number(value, 1)
    return text if text == "—" else f"{text} м²"


@register.filter
def decimal(value: object, decimals: int = 1) -> str:
    return format_number(value, int(decimals))


@register.filter
def percent(value: object, decimals: int = 1) -> str:
    """A value already in percent units: 5.25 → "5,3 %"."""
    text = format_number(value, int(decimals))
    return text if text == "—" else f"{text} %"


@register.filter
def signed_percent(value: object, decimals: int = 1) -> str:
    number = _to_decimal(value)
    if number is None:
        return "—"
    text = format_number(number, int(decimals))
    return f"+{text} %" if number > 0 and text != "0" else f"{text} %"


@register.filter
def fraction_percent(value: object, decimals: int = 1) -> str:
    """A fraction as percent: 0.053 → "5,3 %"."""
    number = _to_decimal(value)
    return "—" if number is None else percent(number * 100, decimals)


@register.filter
def rooms_label(value: object) -> str:
    if value is None or value == "":
        return "—"
    try:
        rooms = int(value)
    except (TypeError, ValueError):
        return "—"
    return "студия" if rooms == 0 else f"{rooms}-комн."


@register.filter
def floor_label(floor: object, total: object = None) -> str:
    if floor in (None, ""):
        return "—"
    return f"{floor} из {total}" if total not in (None, "") else f"{floor}"


@register.filter
def format_int(value: object) -> str:
    return format_number(value)


@register.filter
def abs_number(value: object) -> object:
    number = _to_decimal(value)
    return None if number is None else abs(number)


@register.filter
def fraction_signed(value: object) -> str:
    """A signed fraction as percent: 0.082 → "+8,2 %"."""
    number = _to_decimal(value)
    return "—" if number is None else signed_percent(number * 100, 1)
