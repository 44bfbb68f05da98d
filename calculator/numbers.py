"""Reading Russian numbers: what a visitor types, what a Cian page shows, what a session holds.

The one place that knows how Russians write numbers: groups of thousands split by any kind of
space (plain, NBSP, narrow NBSP, thin, figure space), a comma or a point as the decimal mark, a
unit after the figure ("9 500 000 ₽", "126,4 м²"). Also the one definition of price per square
metre (`price_per_sqm`), shown by every page and parser. Pure Python, no Django and no numpy, so
the valuation and the Cian parsers use it alike. Formatting is the other direction and lives in
`calculator.formatting`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_UNITS = re.compile(r"(₽|руб\.?|р\.|м²|м2|кв\.?\s*м\.?|м)$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_FIRST_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# No price, area, floor or id comes near 10**15: a longer number is garbage, not a value, and
# keeping figures below it keeps Python's int-string limit and float overflow out of reach.
MAX_DIGITS = 15
LIMIT = 10**MAX_DIGITS


def bounded_int(text: str) -> int | None:
    """`int()` of a signed digit string; None when empty or longer than MAX_DIGITS."""
    unsigned = text.lstrip("+-")
    if not unsigned.isdigit() or len(unsigned) > MAX_DIGITS:
        return None
    return int(text)


def bounded_float(number: float) -> float | None:
    """The number when finite and below LIMIT in size, else None."""
    return number if math.isfinite(number) and abs(number) < LIMIT else None


# Invisible format characters (Unicode category Cf: BOM U+FEFF, zero-width spaces and joiners,
# bidi marks) of the Basic Multilingual Plane, found once at import (~10 ms): a regex drops them
# far faster than a per-character category test on a whole page's text.
_INVISIBLE = re.compile(
    "["
    + "".join(f"\\u{c:04x}" for c in range(0x10000) if unicodedata.category(chr(c)) == "Cf")
    + "]"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")  # exactly the characters `str.split()` splits on


def clean_text(value: object) -> str:
    """Typed or page text made plain: invisible format characters go, control characters become
    spaces, every kind of whitespace (NBSP, thin space, newlines) collapses; "" for a non-string."""
    if not isinstance(value, str):
        return ""
    # One regex, not `" ".join(split())`: a page's whole text would become millions of words.
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", _INVISIBLE.sub("", value))).strip()


def parse_decimal(text: str) -> Decimal:
    """A whole typed figure: "9 500 000 ₽" → 9500000, "54,5" → 54.5; ValueError otherwise.

    Strict on purpose: "5,5,5", "1e5" or "9 500 000 $" are typing mistakes the visitor should
    see, not numbers to guess at.
    """
    cleaned = _UNITS.sub("", SPACES.sub("", str(text))).replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


# A sum typed with a word for its scale: "75 млн", "7,5 млн ₽", "750 тыс. руб.", "1,2 млрд".
_SCALE = re.compile(
    r"(млрд|миллиард\w*|млн|миллион\w*|тыс|тысяч\w*)\.?\s*(₽|руб\.?|р\.)?$", re.IGNORECASE
)
# "7.500.000": points between groups of three digits are thousands separators, not a decimal mark.
_POINT_GROUPS = re.compile(r"\d{1,3}(\.\d{3}){2,}")


def _scale_factor(word: str) -> int:
    word = word.lower()
    if word.startswith(("млрд", "миллиард")):
        return 10**9
    return 10**6 if word.startswith(("млн", "миллион")) else 10**3


def parse_amount(text: str) -> Decimal:
    """A typed sum of money: what `parse_decimal` reads, plus "75 млн", "7,5 млн ₽", "750 тыс.",
    "7.500.000"; ValueError otherwise. For prices only: "54 млн м²" is no area."""
    typed = SPACES.sub(" ", str(text)).strip()
    scale = _SCALE.search(typed)
    if scale is not None:
        return parse_decimal(typed[: scale.start()]) * _scale_factor(scale.group(1))
    figure = _UNITS.sub("", SPACES.sub("", typed))
    if _POINT_GROUPS.fullmatch(figure):
        return Decimal(figure.replace(".", ""))
    return parse_decimal(typed)


def to_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a number or a typed figure; None for missing or junk."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except ValueError:
            return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def to_number(value: object) -> float | None:
    """A finite float from a number or a typed figure; None for missing or junk.

    Values read back from a session or a listing are never trusted to be numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return bounded_float(float(value)) if abs(value) < LIMIT else None
    number = to_decimal(value)
    return None if number is None else bounded_float(float(number))


def price_per_sqm(listing: Mapping[str, Any]) -> float | None:
    """A listing's price divided by its total area; None unless both are numbers and the area
    is positive. Listings come from sessions and Cian pages, so neither is trusted to be a number.
    """
    price, total_area = to_number(listing.get("price")), to_number(listing.get("total_area"))
    if price is None or total_area is None or total_area <= 0:
        return None
    return price / total_area


def to_int(value: object) -> int | None:
    """The whole part of a number or of page text ("4 500 ₽", "12,5"); None without digits."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < LIMIT else None
    if isinstance(value, float):
        return round(value) if bounded_float(value) is not None else None
    if not isinstance(value, str):
        return None
    return digits(value.split(",")[0].split(".")[0])


def to_float(value: object) -> float | None:
    """The first number in page text ("126,4 м²", "3 м") or a number; None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return bounded_float(float(value)) if abs(value) < LIMIT else None
    if not isinstance(value, str):
        return None
    match = _FIRST_NUMBER.search(SPACES.sub("", value))
    return bounded_float(float(match.group(0).replace(",", "."))) if match else None


def digits(text: str | None) -> int | None:
    """Every digit of the text as one integer ("414 645 000 ₽" → 414645000); None without any."""
    return bounded_int(re.sub(r"\D", "", text)) if isinstance(text, str) else None
