"""Small helpers that drive the wizard the way a browser would."""

from __future__ import annotations

import html
import re

from django.test import Client

# Every page of one visitor's wizard that answers GET (the report formats included).
VISITOR_PAGES = [
    "/calculator/",
    "/calculator/comparables/",
    "/calculator/analysis/",
    "/calculator/report/",
    "/calculator/report.md",
    "/calculator/reset/",
]

DETAILS = {
    "action": "details",
    "details-repair_level": "стандартная",
    "details-ceiling_height": "2,7",
    "details-bathrooms": "1",
    "details-window_type": "пластиковые",
    "details-elevator_count": "один",
    "details-view_type": "улица",
    "details-living_area": "",
}

MANUAL = {
    "action": "manual",
    "manual-address": "Санкт-Петербург, ул. Савушкина, 10",
    "manual-price": "9 500 000 ₽",
    "manual-total_area": "54,5",
    "manual-rooms": "2",
    "manual-floor": "5",
    "manual-total_floors": "12",
    "manual-living_area": "30.5",
    "manual-kitchen_area": "",
    "manual-build_year": "2010",
    "manual-house_type": "панель",
}

COMPARABLES = [
    ("9 300 000", "52", "2", "4", "9"),
    ("9 900 000", "56,3", "2", "7", "14"),
    ("8 800 000", "50.1", "2", "2", "5"),
    ("10 200 000", "58", "2", "10", "16"),
    ("9 600 000", "55", "2", "3", "12"),
]


def text(response) -> str:
    """The page as a user reads it: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def post(client: Client, url: str, data: dict, follow: bool = False):
    return client.post(url, data, follow=follow)


def start_manual(client: Client, **overrides: str):
    response = client.post("/calculator/", {**MANUAL, **overrides})
    assert response.status_code == 302, text(response)
    return response


def confirm_details(client: Client, **overrides: str):
    response = client.post("/calculator/", {**DETAILS, **overrides})
    assert response.status_code == 302, text(response)
    assert response["Location"] == "/calculator/comparables/"
    return response


def add_manual_comparable(
    client: Client,
    price: str,
    area: str,
    rooms: str = "2",
    floor: str = "",
    total: str = "",
    address: str = "",
    repair: str = "",
):
    return client.post(
        "/calculator/comparables/",
        {
            "action": "add_manual",
            "add_manual-price": price,
            "add_manual-total_area": area,
            "add_manual-rooms": rooms,
            "add_manual-floor": floor,
            "add_manual-total_floors": total,
            "add_manual-address": address,
            "add_manual-repair_level": repair,
        },
    )


def manual_wizard_with_comparables(client: Client, count: int = 5) -> None:
    start_manual(client)
    confirm_details(client)
    for spec in COMPARABLES[:count]:
        assert add_manual_comparable(client, *spec).status_code == 302


def analyze(client: Client, **extra: str):
    return client.post("/calculator/comparables/", {"action": "analyze", **extra})
