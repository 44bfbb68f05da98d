"""Numbers out of Russian page text ("78 000 000 ₽", "126,4 м²", "4 из 6", "9/9 этаж").

Every reader takes any value from a hostile page and returns a bounded number or None: no
infinity, NaN or thousand-digit integer ever reaches arithmetic (or Python's int-string limit).
"""

from __future__ import annotations

import math
import re

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_AREA = re.compile(r"(\d+(?:[.,]\d+)?)\s*м²")
_FLOOR_OF = re.compile(r"(-?\d+)\s*(?:из|/)\s*(\d+)")
_ROOMS = re.compile(r"(\d+)\s*-\s*комн")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# No price, area, floor or id comes near 10**15: a longer number is garbage, not a value.
MAX_DIGITS = 15
_LIMIT = 10**MAX_DIGITS


def _int(digits: str) -> int | None:
    """`int()` of a signed digit string, None when empty or beyond MAX_DIGITS."""
    if not digits.lstrip("-") or len(digits.lstrip("-")) > MAX_DIGITS:
        return None
    return int(digits)


def _float(number: float) -> float | None:
    return number if math.isfinite(number) and abs(number) < _LIMIT else None


def clean_text(value: object) -> str:
    """Collapse every kind of whitespace (NBSP, thin space, newlines); "" for a non-string."""
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else ""


def to_int(value: object) -> int | None:
    """An int from an int, a float, a numeric string or price text; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < _LIMIT else None
    if isinstance(value, float):
        return round(value) if _float(value) is not None else None
    if not isinstance(value, str):
        return None
    return _int(re.sub(r"\D", "", value.split(",")[0].split(".")[0]))


def to_float(value: object) -> float | None:
    """A float from "126.4", "126,4 м²", "3 м" or a number; None when absent or unparseable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _float(float(value)) if abs(value) < _LIMIT else None
    if not isinstance(value, str):
        return None
    match = re.search(r"\d+(?:[.,]\d+)?", _SPACES.sub("", value))
    return _float(float(match.group(0).replace(",", "."))) if match else None


def price_from_text(text: str | None) -> int | None:
    """Price in roubles: every non-digit dropped ("414 645 000 ₽" → 414645000)."""
    return _int(re.sub(r"\D", "", clean_text(text)))


def area_from_text(text: str | None) -> float | None:
    match = _AREA.search(clean_text(text))
    return _float(float(match.group(1).replace(",", "."))) if match else None


def floor_from_text(text: str | None) -> tuple[int | None, int | None]:
    """("4 из 6" | "9/9 этаж") → (floor, total); a lone "5" → (5, None)."""
    text = clean_text(text)
    match = _FLOOR_OF.search(text)
    if match:
        return _int(match.group(1)), _int(match.group(2))
    single = re.fullmatch(r"(-?\d+)(?: этаж)?", text)
    return (_int(single.group(1)), None) if single else (None, None)


def rooms_from_text(text: str | None) -> int | None:
    """Rooms from a title: "3-комн. квартира" → 3, "Студия" → 0, anything else → None."""
    text = clean_text(text).lower()
    match = _ROOMS.search(text)
    if match:
        return _int(match.group(1))
    if "студи" in text:
        return 0
    return None


def year_from_text(text: str | None) -> int | None:
    match = _YEAR.search(clean_text(text))
    return int(match.group(1)) if match else None
