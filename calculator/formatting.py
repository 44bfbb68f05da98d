"""Writing numbers the Russian way, for pages, the Markdown report and messages.

Groups of thousands are separated by a plain space and the decimal mark is a comma
("12 500 000 ₽", "126,4 м²"). Plain spaces (never NBSP) keep copied figures predictable; pages
keep them on one line with CSS (`.num { white-space: nowrap }`). Pure Python, no Django: the
template filters in `calculator.templatetags.housler_format` only register these functions.
Anything that is not a number is shown as "—".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from calculator.numbers import to_decimal

MISSING = "—"


def format_number(value: object, decimals: int = 0) -> str:
    """12500000 → "12 500 000"; 126.4 with decimals=1 → "126,4" (trailing ",0" dropped)."""
    number = to_decimal(value)
    if number is None:
        return MISSING
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "−" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    text = f"{int(whole):,}".replace(",", " ")
    fraction = fraction.rstrip("0")
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def _with_unit(text: str, unit: str) -> str:
    return text if text == MISSING else f"{text} {unit}"


def rub(value: object) -> str:
    """Rubles, whole: "12 500 000 ₽"."""
    return _with_unit(format_number(value), "₽")


def rub_sqm(value: object) -> str:
    """Rubles per square metre, whole: "235 000 ₽/м²"."""
    return _with_unit(format_number(value), "₽/м²")


def area(value: object) -> str:
    """Square metres with one decimal at most: "126,4 м²"."""
    return _with_unit(format_number(value, 1), "м²")


def percent(value: object, decimals: int = 1) -> str:
    """A value already in percent units: 5.25 → "5,3 %"."""
    return _with_unit(format_number(value, int(decimals)), "%")


def signed_percent(value: object, decimals: int = 1) -> str:
    """Percent with its sign: 6.25 → "+6,3 %", −2 → "−2 %"."""
    number = to_decimal(value)
    if number is None:
        return MISSING
    text = format_number(number, int(decimals))
    return f"+{text} %" if number > 0 and text != "0" else f"{text} %"


def fraction_percent(value: object, decimals: int = 1) -> str:
    """A fraction as percent: 0.053 → "5,3 %"."""
    number = to_decimal(value)
    return MISSING if number is None else percent(number * 100, decimals)


def fraction_signed(value: object) -> str:
    """A signed fraction as percent: 0.082 → "+8,2 %"."""
    number = to_decimal(value)
    return MISSING if number is None else signed_percent(number * 100, 1)


def rooms_label(value: object) -> str:
    """0 → "студия", 3 → "3-комн."."""
    if value is None or value == "":
        return MISSING
    try:
        rooms = int(value)
    except (TypeError, ValueError):
        return MISSING
    return "студия" if rooms == 0 else f"{rooms}-комн."


def floor_label(floor: object, total: object = None) -> str:
    """ "4 из 6", or "4" when the house's storeys are unknown."""
    if floor in (None, ""):
        return MISSING
    return f"{floor} из {total}" if total not in (None, "") else f"{floor}"
