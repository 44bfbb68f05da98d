"""Reading Russian numbers: what a visitor types and what a session or a listing holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from calculator.numbers import parse_amount, parse_decimal, to_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("54,5", Decimal("54.5")),
        ("54.5", Decimal("54.5")),
        ("9 500 000 ₽", Decimal("9500000")),
        ("9\u00a0500\u00a0000\u00a0₽", Decimal("9500000")),
        ("9\u202f500\u202f000₽", Decimal("9500000")),
        (" 126,4 м² ", Decimal("126.4")),
        ("9500000 руб.", Decimal("9500000")),
    ],
)
def test_numbers_parse_as_typed(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "5,5,5", "1e5", "--3", "9 500 000 $"])
def test_garbage_is_not_a_number(typed):
    with pytest.raises(ValueError):
        parse_decimal(typed)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (54.5, 54.5),
        (9_500_000, 9_500_000.0),
        ("9 500 000", 9_500_000.0),
        ("54,5", 54.5),
        (Decimal("2.7"), 2.7),
        (None, None),
        (True, None),
        ("", None),
        ("много", None),
        (float("nan"), None),
        (float("inf"), None),
        ("inf", None),
        ([1], None),
    ],
)
def test_values_read_back_are_numbers_or_none(stored, expected):
    assert to_number(stored) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("75 млн", 75_000_000),
        ("7,5 млн", 7_500_000),
        ("7.5 млн руб.", 7_500_000),
        ("75 000 000", 75_000_000),
        ("75 000 000 ₽", 75_000_000),
        ("75\u00a0млн\u00a0₽", 75_000_000),
        ("75млн", 75_000_000),
        ("75 миллионов", 75_000_000),
        ("750 тыс.", 750_000),
        ("1,2 млрд", 1_200_000_000),
        ("7.500.000", 7_500_000),
    ],
)
def test_prices_parse_as_people_say_them(typed, expected):
    assert parse_amount(typed) == expected


@pytest.mark.parametrize("typed", ["млн", "75 млн м²", "5,5,5 млн", "7.50.000", "много млн"])
def test_words_do_not_make_garbage_a_price(typed):
    with pytest.raises(ValueError):
        parse_amount(typed)
