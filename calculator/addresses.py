"""Whether two listings are in one house when no house id says so: their addresses, normalised.

Cian's page state names a house by id, but saved pages read through the DOM, search cards and
flats typed by hand carry only an address, written in many ways: "ул. Савушкина, д. 10, корп. 2",
"Савушкина улица 10к2", "САВУШКИНА УЛ, 10 К 2". The address is reduced to its city, street
(name and kind), house number, корпус, строение and литера; case, ё/е, spaces, punctuation and
the usual abbreviations do not count. Districts, metro stations and flat numbers are ignored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Street kinds, each with the spellings that mean it (a dot after any of them is dropped).
STREET_KINDS = {
    "улица": ("ул", "улица"),
    "проспект": ("просп", "проспект", "пр-кт", "пр-т", "пркт"),
    "переулок": ("пер", "переулок"),
    "шоссе": ("ш", "шоссе"),
    "бульвар": ("б-р", "бульв", "бул", "бульвар"),
    "площадь": ("пл", "площадь"),
    "набережная": ("наб", "набережная"),
    "проезд": ("пр-д", "проезд"),
    "тупик": ("туп", "тупик"),
    "аллея": ("ал", "аллея"),
    "линия": ("лин", "линия"),
    "микрорайон": ("мкр", "мкрн", "микрорайон"),
    "квартал": ("кв-л", "квартал"),
}
_KIND_OF = {spelling: kind for kind, spellings in STREET_KINDS.items() for spelling in spellings}
_CITY_NAMES = {
    "москва": "москва",
    "санкт-петербург": "санкт-петербург",
    "петербург": "санкт-петербург",
    "спб": "санкт-петербург",
}
_LETTER = r"(?:[а-я](?![а-я]))"
_NUMBER = rf"\d+(?:\s*{_LETTER})?(?:\s*/\s*\d+{_LETTER}?)?"
# Longest spelling first, so that "корпус 1" is never read as "корп" + "у" + "с 1".
_BLOCK = rf"(?:корпус|корп|к)\s*(?P<block>\d+{_LETTER}?|{_LETTER})"
_BUILDING = rf"(?:строение|стр|с)\s*(?P<building>\d+{_LETTER}?)"
_LITERA = rf"(?:литера|литер|лит)\s*(?P<letter>{_LETTER})"
_HOUSE = (
    rf"(?:(?:владение|дом|вл|д)\s*)?(?P<number>{_NUMBER})"
    rf"(?:\s*{_BLOCK})?(?:\s*{_BUILDING})?(?:\s*{_LITERA})?"
)
HOUSE = re.compile(_HOUSE)
# A house written in the street's part: "Савушкина улица 10к2".
STREET_AND_HOUSE = re.compile(rf"(?P<street>.*?\D)\s(?P<house>{_HOUSE})")
# Parts after the house that continue it ("д. 6, корп. 1").
HOUSE_PART = re.compile(f"{_BLOCK}|{_BUILDING}|{_LITERA}")
_PIECES = (("к", "block"), ("с", "building"), ("л", "letter"))
_ORDINAL = re.compile(r"\b(\d+)\s*-?\s*(?:ая|ий|ый|ой|ое|я|й|е)\b")
MAX_ADDRESS = 500  # the parser's cap on an address: longer text is not a real one


@dataclass(frozen=True)
class HouseAddress:
    city: str | None  # None: not stated, matches any
    kind: str | None  # street kind, None: not stated, matches any
    street: str  # the street's name words, sorted
    house: str  # number, корпус, строение, литера: "10к2с1"

    def matches(self, other: HouseAddress) -> bool:
        if (self.street, self.house) != (other.street, other.house):
            return False
        return _agree(self.city, other.city) and _agree(self.kind, other.kind)

    @property
    def key(self) -> str:
        """What groups listings into houses (city and street kind left out: they may be
        missing on one of two spellings of one address)."""
        return f"{self.street}|{self.house}"


def _agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _clean(part: str) -> str:
    """Lower case, ё as е, no dots, quotes or "№", single spaces."""
    part = part.lower().replace("ё", "е")
    part = re.sub(r"[.«»\"'№]", " ", part)
    return " ".join(part.split())


def _street(part: str) -> tuple[str | None, str]:
    """(kind, name) of a street written in any order: "ул Савушкина", "Савушкина улица"."""
    kind, words = None, []
    for word in _ORDINAL.sub(r"\1", part).split():
        if word in _KIND_OF and kind is None:
            kind = _KIND_OF[word]
        else:
            words.extend(word.replace("-", " ").split())
    return kind, " ".join(sorted(words))


def _city(parts: list[str], city: object) -> str | None:
    if isinstance(city, str) and city.strip():
        name = _clean(city)
        return _CITY_NAMES.get(name, name)
    first = re.sub(r"^(?:г|город)\s+", "", parts[0]) if parts else ""
    if first in _CITY_NAMES:
        return _CITY_NAMES[first]
    return first if parts and first != parts[0] else None


def _number(house: re.Match, later: list[str]) -> str:
    """The house number with its корпус, строение and литера, also when they are written in the
    parts after it ("д. 6, корп. 1")."""
    found = {name: house[name] for _, name in _PIECES}
    for part in later:
        more = HOUSE_PART.fullmatch(part)
        if more is None:
            break
        found = {name: found[name] or more[name] for name in found}
    pieces = "".join(prefix + found[name] for prefix, name in _PIECES if found[name])
    return re.sub(r"\s", "", house["number"]) + pieces


def parse(address: object, city: object = None) -> HouseAddress | None:
    """The house an address names, or None when it names no street and house number."""
    if not isinstance(address, str) or len(address) > MAX_ADDRESS:
        return None
    parts = [p for p in (_clean(part) for part in address.split(",")) if p]
    for index, part in enumerate(parts):
        house = HOUSE.fullmatch(part)
        street = parts[index - 1] if house and index > 0 else None
        if house is None and (joined := STREET_AND_HOUSE.fullmatch(part)):
            house, street = HOUSE.fullmatch(joined["house"]), joined["street"]
        if house is None or street is None:
            continue
        kind, name = _street(street)
        if not name or HOUSE.fullmatch(street) or _city([street], None):
            return None
        return HouseAddress(_city(parts, city), kind, name, _number(house, parts[index + 1 :]))
    return None


def _house_id(flat: Mapping[str, Any]) -> str | None:
    house = flat.get("house_id")
    return None if house is None or str(house) == "" else str(house)


@functools.lru_cache(maxsize=4096)
def _parse_text(address: str, city: str | None) -> HouseAddress | None:
    return parse(address, city)


def of(flat: Mapping[str, Any]) -> HouseAddress | None:
    """A listing's house by address; cached, as the valuation asks for every pair of listings."""
    address, city = flat.get("address"), flat.get("city")
    if not isinstance(address, str):
        return None
    return _parse_text(address, city if isinstance(city, str) else None)


def same_house(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """One house: by Cian's house ids when both listings have one, else by address."""
    id_a, id_b = _house_id(a), _house_id(b)
    if id_a is not None and id_b is not None:
        return id_a == id_b
    house_a, house_b = of(a), of(b)
    return house_a is not None and house_b is not None and house_a.matches(house_b)


def house_key(flat: Mapping[str, Any]) -> str | None:
    """A key shared by the listings of one house: the address when it names one (so a listing
    read with its house id and one read without it still meet), else the house id."""
    house = of(flat)
    if house is not None:
        return "a:" + house.key
    house_id = _house_id(flat)
    return None if house_id is None else "h:" + house_id
