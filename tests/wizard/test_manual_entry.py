"""A flat typed by hand at step 1: no price needed (an owner valuing their own flat), prices typed
as people say them, no silent defaults."""

from __future__ import annotations

import pytest

from tests.support.wizard_client import (
    MANUAL,
    add_manual_comparable,
    analyze,
    confirm_details,
    start_manual,
    text,
)

pytestmark = pytest.mark.django_db


def test_an_owner_without_a_price_gets_the_fair_price_and_a_kind_word(client) -> None:
    start_manual(client, **{"manual-price": ""})
    confirm_details(client)
    for price, area in (("9,3 млн", "52"), ("9 900 000", "56,3"), ("8,8 млн ₽", "50,1")):
        assert add_manual_comparable(client, price, area).status_code == 302
    for price, area in (("10 200 000", "58"), ("9 600 000", "55")):
        assert add_manual_comparable(client, price, area).status_code == 302
    assert "цена не указана" in text(client.get("/calculator/comparables/"))
    assert analyze(client)["Location"] == "/calculator/analysis/"
    response = client.get("/calculator/analysis/")
    page = text(response)
    assert "Цену вы не указали, поэтому сравнивать не с чем — и это не страшно" in page
    assert "Справедливая цена" in page
    answer = response.content.decode().split('aria-label="Ответ"')[1][:300]
    assert 'class="label"' not in answer  # no verdict headline
    report = client.get("/calculator/report.md").content.decode()
    assert "Цену вы не указали" in report and "****" not in report


def test_a_price_typed_in_millions_is_taken(client) -> None:
    start_manual(client, **{"manual-price": "7,5 млн"})
    assert client.session["housler.wizard"]["target"]["price"] == 7_500_000


def test_rooms_left_unchosen_are_asked_for(client) -> None:
    response = client.post("/calculator/", {**MANUAL, "manual-rooms": ""})
    assert response.status_code == 200
    assert "Выберите, сколько в квартире комнат" in text(response)
