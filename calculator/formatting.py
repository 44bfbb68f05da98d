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


# --- the house and its place (listing keys; a session may hold anything, so every value is checked)

SEGMENTS = {"new": "новостройка", "resale": "вторичка"}
METRO_WAYS = {"walk": "пешком", "transport": "на транспорте"}


def _whole(value: object, low: int, high: int) -> int | None:
    """A whole number within [low, high]; None for anything else."""
    number = to_decimal(value)
    if number is None or number != number.to_integral_value() or not low <= number <= high:
        return None
    return int(number)


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _get(listing: object, key: str) -> object:
    return listing.get(key) if isinstance(listing, dict) else None


def _named(table: dict[str, str], value: object) -> str:
    """The table's word for a value; "" for another value or type (a list is unhashable)."""
    return table.get(value, "") if isinstance(value, str) else ""


def _house(listing: object) -> str:
    year = _whole(_get(listing, "build_year"), 1000, 9999)
    storeys = _whole(_get(listing, "total_floors"), 1, 999)
    parts = [
        _text(_get(listing, "house_type")),
        str(year) if year else "",  # a year is never grouped: "2015", not "2 015"
        f"{format_number(storeys)} эт." if storeys else "",
    ]
    return ", ".join(part for part in parts if part)


def _metro(listing: object, *, station: bool = False) -> str:
    minutes = _whole(_get(listing, "metro_minutes"), 0, 999)
    if minutes is None:
        return ""
    way = _named(METRO_WAYS, _get(listing, "metro_way"))
    text = " ".join(part for part in (format_number(minutes), "мин", way) if part)
    name = _text(_get(listing, "metro_name")) if station else ""
    return f"м. {name}, {text}" if name else text


def _segment(listing: object) -> str:
    parts = [_named(SEGMENTS, _get(listing, "category"))]
    if _get(listing, "apartments") is True:
        parts.append("апартаменты")
    return ", ".join(part for part in parts if part)


def house_label(listing: object) -> str:
    """What is known of the house: "монолит, 2015, 17 эт."."""
    return _house(listing) or MISSING


def metro_label(listing: object) -> str:
    """The nearest station's distance: "7 мин пешком", "10 мин на транспорте", "5 мин"."""
    return _metro(listing) or MISSING


def segment_label(listing: object) -> str:
    """ "новостройка", "вторичка, апартаменты"; a flat that is no апартаменты says nothing more."""
    return _segment(listing) or MISSING


def listing_facts(listing: object, station: bool = False) -> list[str]:
    """The known ones of house, nearest station (named when `station`) and segment; the
    compact description of a listing in tables and summaries."""
    facts = (_house(listing), _metro(listing, station=bool(station)), _segment(listing))
    return [fact for fact in facts if fact]


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian word for a count: plural(21, "аналог", "аналога", "аналогов") → "аналог"."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


def listings_count(value: object) -> str:
    """ "2 объявления", "5 объявлений", "21 объявление": the count with the Russian plural."""
    n = _whole(value, 0, 10**6)
    if n is None:
        return ""
    return f"{n} {plural(n, 'объявление', 'объявления', 'объявлений')}"
