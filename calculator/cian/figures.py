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


def plausible_year(year: int | None) -> int | None:
    """A year a house can have been built or due in (1800…2099, as `year_from_text` reads)."""
    return year if year is not None and 1800 <= year <= 2099 else None


def year_from_text(text: str | None) -> int | None:
    match = _YEAR.search(clean_text(text))
    return int(match.group(1)) if match else None


# Minutes to the metro beyond three hours are no walk or ride anyone prices in, but garbage.
MAX_METRO_MINUTES = 180
_HOURS = re.compile(r"(\d{1,3})\s*ч")
_MINUTES = re.compile(r"(\d{1,4})\s*мин")
_LONE_NUMBER = re.compile(r"\d{1,4}")


def metro_minutes(value: int | None) -> int | None:
    """The minutes when plausible (0…MAX_METRO_MINUTES), else None."""
    return value if value is not None and 0 <= value <= MAX_METRO_MINUTES else None


def minutes_from_text(text: str | None) -> int | None:
    """ "18 мин.", "4 минуты на транспорте", "1 ч. 5 мин." → minutes; None without a figure.

    Not `digits`: "1 ч. 5 мин." is 65 minutes, not 15.
    """
    text = clean_text(text).lower()
    hours, minutes = _HOURS.search(text), _MINUTES.search(text)
    if hours or minutes:
        total = (int(hours.group(1)) * 60 if hours else 0) + (
            int(minutes.group(1)) if minutes else 0
        )
        return metro_minutes(total)
    lone = _LONE_NUMBER.fullmatch(text)
    return metro_minutes(int(lone.group(0))) if lone else None
