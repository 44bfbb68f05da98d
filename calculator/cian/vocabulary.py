"""Cian enums and page labels → the valuation vocabulary (docs/listings.md).

Unknown values map to None: a wrong repair level or house type silently skews the price, while a
blank one is asked from the user.
"""

from __future__ import annotations

REPAIR_TYPE = {
    "design": "дизайнерская",
    "euro": "улучшенная",
    "cosmetic": "эконом",
    "no": "черновая",
}
DECORATION = {
    "without": "черновая",
    "preFine": "черновая",
    "fine": "стандартная",
    "fineWithFurniture": "улучшенная",
}
REPAIR_LABEL = {
    "дизайнерский": "дизайнерская",
    "евроремонт": "улучшенная",
    "косметический": "эконом",
    "без ремонта": "черновая",
    "без отделки": "черновая",
    "предчистовая": "черновая",
    "чистовая": "стандартная",
    "чистовая с мебелью": "улучшенная",
}

VIEW = {"street": "улица", "yard": "дом", "yardAndStreet": "улица"}
VIEW_LABEL = {"на улицу": "улица", "во двор": "дом", "на улицу и двор": "улица"}

MATERIAL = {
    "monolith": "монолит",
    "brick": "кирпич",
    "monolithBrick": "монолит-кирпич",
    "panel": "панель",
    "block": "блочный",
    "aerocreteBlock": "блочный",
    "foamConcreteBlock": "блочный",
    "gasSilicateBlock": "блочный",
    "wood": "дерево",
    "wooden": "дерево",
}
MATERIAL_LABEL = {
    "монолитный": "монолит",
    "кирпичный": "кирпич",
    "монолитно-кирпичный": "монолит-кирпич",
    "панельный": "панель",
    "блочный": "блочный",
    "деревянный": "дерево",
}

CATEGORY = {"flatSale": "resale", "newBuildingFlatSale": "new"}
CATEGORY_LABEL = {"вторичка": "resale", "новостройка": "new"}


def elevator_count(passenger_lifts: int | None) -> str | None:
    if passenger_lifts is None or passenger_lifts < 0:
        return None
    return ("нет", "один", "два")[passenger_lifts] if passenger_lifts < 3 else "три+"


def bathrooms(combined: int | None, separate: int | None) -> int | None:
    """Combined + separate WCs; None when neither is known or the sum is 0 (never "no WC")."""
    total = (combined or 0) + (separate or 0)
    return total or None


def from_label(table: dict[str, str], label: str | None) -> str | None:
    return table.get((label or "").strip().lower())


def apartments(*texts: str | None) -> bool | None:
    """Апартаменты or a flat, from a title or a label ("1-комн. апарт.", "Апартаменты",
    "3-комн. квартира"); None when no text says either (a label like "Вторичка" decides nothing).
    """
    for text in texts:
        lowered = (text or "").lower()
        if "апарт" in lowered:
            return True
        if "квартир" in lowered or "студи" in lowered:
            return False
    return None


def travel_type(text: str | None) -> str | None:
    """ "5 мин. пешком" → walk, "10 мин. на транспорте" → transport, else None."""
    lowered = (text or "").lower()
    if "пешком" in lowered:
        return "walk"
    return "transport" if "транспорт" in lowered else None
