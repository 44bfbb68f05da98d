"""A flat owner typing their own flat: no price needed, prices typed as people say them, no
silent defaults, and upload messages that state the limit and the way out."""

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
from tests.support.wizard_uploads import MB, upload_target

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


def test_an_empty_file_is_called_empty(client) -> None:
    page = text(upload_target(client, "Объявление.html", b""))
    assert "Файл «Объявление.html» пустой — страница не сохранилась" in page


def test_a_pdf_of_the_page_points_to_the_web_archive_and_the_by_hand_way(client) -> None:
    page = text(upload_target(client, "Объявление.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"))
    assert "Файл «Объявление.pdf» — PDF, из него данные не прочитать" in page
    assert "«Веб-архив»" in page and "введите данные вручную" in page


def test_a_file_over_the_limit_names_the_limit_and_what_to_do(client, settings) -> None:
    settings.HOUSLER_SAVED_PAGE_MAX_BYTES = 8 * MB
    big = b"<html><body>" + b"x" * (8 * MB + 10) + b"</body></html>"
    page = text(upload_target(client, "Фото.mhtml", big))
    assert "Файл «Фото.mhtml» слишком большой: мы принимаем файлы до 8 МБ" in page
    assert "без картинок" in page and "«Веб-страница, только HTML»" in page
