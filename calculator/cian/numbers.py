"""Numbers out of Russian page text ("78 000 000 ₽", "126,4 м²", "4 из 6", "9/9 этаж")."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_AREA = re.compile(r"(\d+(?:[.,]\d+)?)\s*м²")
_FLOOR_OF = re.compile(r"(-?\d+)\s*(?:из|/)\s*(\d+)")
_ROOMS = re.compile(r"(\d+)\s*-\s*комн")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def clean_text(value: str | None) -> str:
    """Collapse every kind of whitespace (NBSP, thin space, newlines) into single spaces."""
    return _SPACES.sub(" ", value or "").strip()


def to_int(value: object) -> int | None:
    """An int from an int, a numeric string or price text; None when there is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value)
    digits = re.sub(r"\D", "", str(value).split(",")[0].split(".")[0])
    return int(digits) if digits else None


def to_float(value: object) -> float | None:
    """A float from "126.4", "126,4 м²", "3 м" or a number; None when absent or unparseable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    match = re.search(r"\d+(?:[.,]\d+)?", _SPACES.sub("", str(value)))
    return float(match.group(0).replace(",", ".")) if match else None


def price_from_text(text: str | None) -> int | None:
    """Price in roubles: every non-digit dropped ("414 645 000 ₽" → 414645000)."""
    digits = re.sub(r"\D", "", text or "")
    return int(digits) if digits else None


def area_from_text(text: str | None) -> float | None:
    match = _AREA.search(clean_text(text))
    return float(match.group(1).replace(",", ".")) if match else None


def floor_from_text(text: str | None) -> tuple[int | None, int | None]:
    """("4 из 6" | "9/9 этаж") → (floor, total); a lone "5" → (5, None)."""
    text = clean_text(text)
    match = _FLOOR_OF.search(text)
    if match:
        return int(match.group(1)), int(match.group(2))
    single = re.fullmatch(r"(-?\d+)(?: этаж)?", text)
    return (int(single.group(1)), None) if single else (None, None)


def rooms_from_text(text: str | None) -> int | None:
    """Rooms from a title: "3-комн. квартира" → 3, "Студия" → 0, anything else → None."""
    text = clean_text(text).lower()
    match = _ROOMS.search(text)
    if match:
        return int(match.group(1))
    if "студи" in text:
        return 0
    return None


def year_from_text(text: str | None) -> int | None:
    match = _YEAR.search(clean_text(text))
    return int(match.group(1)) if match else None
