"""What a visitor reads when a saved page cannot be used at step 1: an empty file called empty, a
PDF pointed to the web archive and the by-hand way, a file over the limit told the limit and what
to do."""

from __future__ import annotations

import pytest

from tests.support.wizard_client import text
from tests.support.wizard_uploads import MB, upload_target

pytestmark = pytest.mark.django_db


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
