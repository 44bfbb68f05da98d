"""Writing numbers the Russian way, in Python and through the template filters."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from calculator import formatting
from calculator.formatting import area, format_number, rub, signed_percent


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        (12_500_000, "12 500 000 ₽"),
        (999, "999 ₽"),
        (0, "0 ₽"),
        (None, "—"),
        (1_000.4, "1 000 ₽"),
    ],
)
def test_rubles(value, formatted):
    assert rub(value) == formatted


def test_areas_and_percents():
    assert area(126.4) == "126,4 м²"
    assert area(120.0) == "120 м²"
    assert area(1234.56) == "1 234,6 м²"
    assert format_number(-1234567) == "−1 234 567"
    assert signed_percent(6.25) == "+6,3 %"
    assert "\u00a0" not in rub(12_500_000) + area(126.4)


def test_template_filters_write_what_the_formatter_writes():
    page = Template(
        "{% load housler_format %}{{ price|rub }}|{{ size|area }}|{{ cv|decimal }}|"
        "{{ coef|decimal:3 }}|{{ ppsm|format_int }}|{{ diff|abs_number|decimal }}|{{ junk|rub }}"
    ).render(
        Context(
            {"price": 12_500_000, "size": 126.44, "cv": 12.345, "coef": 1.0523,
             "ppsm": 235_400.6, "diff": -4.25, "junk": "<script>"}
        )
    )  # fmt: skip
    assert page == "12 500 000 ₽|126,4 м²|12,3|1,052|235 401|4,3|—"


def test_validation_reasons_use_the_same_formatter():
    from calculator.valuation.coefficients import DEFAULT_PARAMS
    from calculator.valuation.validation import validate

    _, excluded = validate([{"id": "c1", "price": 10, "total_area": 50}], DEFAULT_PARAMS)
    assert excluded[0]["reason"] == f"цена ниже {rub(DEFAULT_PARAMS.min_price)}"
    assert "\u00a0" not in excluded[0]["reason"]


@pytest.mark.parametrize(
    ("listing", "house", "metro", "segment"),
    [
        (
            {"house_type": "монолит", "build_year": 2015, "total_floors": 17, "category": "new",
             "metro_minutes": 7, "metro_way": "walk", "apartments": True},
            "монолит, 2015, 17 эт.", "7 мин пешком", "новостройка, апартаменты",
        ),
        (
            {"build_year": 1975, "metro_minutes": 10, "metro_way": "transport",
             "category": "resale", "apartments": False},
            "1975", "10 мин на транспорте", "вторичка",
        ),
        ({"total_floors": 5, "metro_minutes": 0}, "5 эт.", "0 мин", "—"),
        ({}, "—", "—", "—"),
        (
            {"house_type": ["панель"], "build_year": "2015 год", "total_floors": 17.5,
             "metro_minutes": [7], "metro_way": {"walk": 1}, "category": ["new"],
             "apartments": "да"},
            "—", "—", "—",
        ),
        ("not a listing", "—", "—", "—"),
    ],
)  # fmt: skip
def test_house_metro_and_segment_labels(listing, house, metro, segment) -> None:
    assert formatting.house_label(listing) == house
    assert formatting.metro_label(listing) == metro
    assert formatting.segment_label(listing) == segment


def test_listing_facts_name_the_station_only_when_asked() -> None:
    listing = {"metro_minutes": 3, "metro_way": "transport", "metro_name": "Черная речка"}
    assert formatting.listing_facts(listing) == ["3 мин на транспорте"]
    assert formatting.listing_facts(listing, True) == ["м. Черная речка, 3 мин на транспорте"]
    assert formatting.listing_facts({}) == []
