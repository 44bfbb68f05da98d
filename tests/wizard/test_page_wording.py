"""What a first-time visitor reads and where the page puts them: prefilled numbers written the
Russian way, every form coming back to itself with its message, the comparables list labelled
for a phone, plain words for the report download."""

from __future__ import annotations

import re

import pytest

from tests.support.fake_cian import Reply
from tests.support.wizard_cian import RESALE_URL, WAF_PAGE
from tests.support.wizard_client import (
    add_manual_comparable,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    start_manual,
    text,
)

pytestmark = pytest.mark.django_db


def field_value(body: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert match, name
    return re.search(r'value="([^"]*)"', match.group(0)).group(1)


def test_prefilled_details_are_written_with_a_decimal_comma(client):
    start_manual(client)  # the manual form gave the living area as "30.5"
    body = client.get("/calculator/").content.decode()
    assert field_value(body, "details-living_area") == "30,5"
    assert field_value(body, "details-ceiling_height") == "2,7"


def test_a_listing_s_whole_ceiling_height_has_no_stray_decimals(client, cian_server):
    client.post("/calculator/", {"action": "url", "url": RESALE_URL})
    body = client.get("/calculator/").content.decode()
    assert field_value(body, "details-ceiling_height") == "3"
    assert field_value(body, "details-living_area") == "34,5"


def test_every_wizard_form_returns_to_itself(client):
    """A rejected form is shown again with its message; the action's fragment brings the
    browser back to that form, not to the top of a long page."""
    step1 = client.get("/calculator/").content.decode()
    for form_id in ("by-url", "by-file", "manual"):
        assert f'action="/calculator/#{form_id}"' in step1 and f'id="{form_id}"' in step1
    manual_wizard_with_comparables(client)
    step2 = client.get("/calculator/comparables/").content.decode()
    for form_id in ("search", "add-pages", "add-url", "add-manual", "analyze"):
        assert f'action="/calculator/comparables/#{form_id}"' in step2, form_id
        assert f'id="{form_id}"' in step2
    assert 'action="/calculator/comparables/#list"' in step2, "exclude keeps the list in view"


def test_a_blocked_link_at_step_2_answers_inside_the_add_by_link_form(client, cian_server):
    manual_wizard_with_comparables(client)
    cian_server.routes["/sale/flat/319270312/"] = Reply(403, WAF_PAGE)
    response = client.post("/calculator/comparables/", {"action": "add_url", "url": RESALE_URL})
    assert response.status_code == 200
    body = response.content.decode()
    form = body[body.index('id="add-url"') : body.index("</form>", body.index('id="add-url"'))]
    assert "ЦИАН не пускает наш сервер" in form and 'href="#save-guide"' in form
    assert 'id="save-guide" open' in body, "the guide is open where the link points"


def test_the_comparables_list_labels_each_value_for_a_phone(client):
    manual_wizard_with_comparables(client)
    body = client.get("/calculator/comparables/").content.decode()
    row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", body, re.S).group(1)
    labels = re.findall(r'data-label="([^"]+)"', row)
    assert labels == ["Площадь", "Комнат", "Этаж", "Цена", "₽/м²", "Отделка"]


def test_the_analyze_form_counts_without_a_plural_to_get_wrong(client):
    manual_wizard_with_comparables(client, count=5)
    page = text(client.get("/calculator/comparables/"))
    assert "Аналогов в расчёте: 5." in page and "войдут" not in page


def test_the_report_download_is_named_in_plain_words(client):
    manual_wizard_with_comparables(client)
    analyze(client)
    page = text(client.get("/calculator/analysis/"))
    assert "Скачать отчёт (текстовый файл)" in page and "Markdown" not in page


def test_reset_s_close_links_box_is_labelled(client):
    manual_wizard_with_comparables(client)
    analyze(client)
    client.post("/calculator/share/", {"action": "share"})
    body = client.get("/calculator/reset/").content.decode()
    assert 'id="close-links"' in body and '<label for="close-links">' in body


def test_ten_comparables_with_wildly_different_prices_are_not_an_excellent_sample(client):
    start_manual(client)
    confirm_details(client)
    for number in range(1, 11):  # 54 m² each, 4 to 40 million: ₽/м² vary by more than 50 %
        price = f"{number * 4_000_000}"
        assert add_manual_comparable(client, price, "54").status_code == 302
    body = text(client.get("/calculator/comparables/"))
    assert "Отличная выборка" not in body
    assert "Аналогов достаточно, но цены за м² сильно расходятся" in body
