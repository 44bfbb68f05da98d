"""Figures out of Cian page text ("126,4 м²", "4 из 6", "9/9 этаж", "3-комн. квартира").

How Russian numbers are read in general (`clean_text`, `to_int`, `to_float`, `digits`) lives in
`calculator.numbers`; this module only adds the patterns of Cian's page labels.
"""

from __future__ import annotations

import re

from calculator.numbers import bounded_float, bounded_int, clean_text

_AREA = re.compile(r"(\d+(?:[.,]\d+)?)\s*м²")
_FLOOR_OF = re.compile(r"(-?\d+)\s*(?:из|/)\s*(\d+)")
_ROOMS = re.compile(r"(\d+)\s*-\s*комн")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def area_from_text(text: str | None) -> float | None:
    match = _AREA.search(clean_text(text))
    return bounded_float(float(match.group(1).replace(",", "."))) if match else None


def floor_from_text(text: str | None) -> tuple[int | None, int | None]:
    """("4 из 6" | "9/9 этаж") → (floor, total); a lone "5" → (5, None)."""
    text = clean_text(text)
    match = _FLOOR_OF.search(text)
    if match:
        return bounded_int(match.group(1)), bounded_int(match.group(2))
    single = re.fullmatch(r"(-?\d+)(?: этаж)?", text)
    return (bounded_int(single.group(1)), None) if single else (None, None)


def rooms_from_text(text: str | None) -> int | None:
    """Rooms from a title: "3-комн. квартира" → 3, "Студия" → 0, anything else → None."""
    text = clean_text(text).lower()
    match = _ROOMS.search(text)
    if match:
        return bounded_int(match.group(1))
    if "студи" in text:
        return 0
    return None


def year_from_text(text: str | None) -> int | None:
    match = _YEAR.search(clean_text(text))
    return int(match.group(1)) if match else None
