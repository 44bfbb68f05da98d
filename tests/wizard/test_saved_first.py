"""While Cian turns the server away, steps 1 and 2 lead with the saved-page upload; a change's
message shows beside the form the page lands on (docs/user-guide.md)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from calculator.cian import outcomes
from tests.support.cian_search_pages import card_variant, results_page
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
from tests.support.wizard_uploads import start_with_saved_listing, upload, upload_target

pytestmark = pytest.mark.django_db


def order(body: str, *ids: str) -> list[str]:
    """The given element ids in the order the page shows them."""
    return sorted(ids, key=lambda element: body.index(f'id="{element}"'))


def form_html(body: str, form_id: str) -> str:
    start = body.index(f'id="{form_id}"')
    return body[start : body.index("</form>", start)]


def section(body: str, element_id: str, end: str) -> str:
    start = body.index(f'id="{element_id}"')
    return body[start : body.index(end, start)]


def block_cian(cian_server) -> None:
    cian_server.routes["/sale/flat/319270312/"] = Reply(403, WAF_PAGE)
    cian_server.routes["/cat.php"] = Reply(403, WAF_PAGE)


def test_while_cian_answers_the_link_leads(client) -> None:
    body = client.get("/calculator/").content.decode()
    assert order(body, "by-url", "by-file") == ["by-url", "by-file"]
    assert '<button type="submit">Загрузить объявление</button>' in body


def test_a_blocked_link_turns_step_1_to_the_saved_page_at_once(client, cian_server) -> None:
    block_cian(cian_server)
    response = client.post("/calculator/", {"action": "url", "url": RESALE_URL})
    body = response.content.decode()
    assert order(body, "by-url", "by-file") == ["by-file", "by-url"]
    assert '<button type="submit" class="secondary">Загрузить объявление</button>' in body
    page = text(response)
    assert "ЦИАН не пускает наш сервер, повтор не поможет" in page
    assert "попробуйте ещё раз" not in page.lower()
    later = client.get("/calculator/").content.decode()  # a new visit: the newest fetch failed
    assert order(later, "by-url", "by-file") == ["by-file", "by-url"]
    assert 'id="save-guide" open' in later, "a newcomer sees how to save a page at once"
    assert "ЦИАН сейчас не пускает наш сервер" in text(client.get("/calculator/"))


def test_a_successful_fetch_gives_the_link_its_lead_back(client, cian_server) -> None:
    outcomes.record(outcomes.BLOCKED)
    assert order(client.get("/calculator/").content.decode(), "by-url", "by-file")[0] == "by-file"
    assert client.post("/calculator/", {"action": "url", "url": RESALE_URL}).status_code == 302
    body = client.get("/calculator/").content.decode()
    assert order(body, "by-url", "by-file") == ["by-url", "by-file"]


def test_an_unreadable_cache_keeps_the_usual_order(client, monkeypatch) -> None:
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(outcomes, "history", down)
    body = client.get("/calculator/").content.decode()
    assert order(body, "by-url", "by-file") == ["by-url", "by-file"]


def test_step_2_leads_with_one_saved_search_page_while_cian_refuses(client, cian_server) -> None:
    start_with_saved_listing(client)
    block_cian(cian_server)
    response = client.post("/calculator/comparables/", {"action": "find"})
    body = response.content.decode()
    assert order(body, "search", "add-pages", "list") == ["add-pages", "search", "list"]
    assert 'id="find-button" class="secondary"' in body
    upload_form = form_html(body, "add-pages")
    assert "Сохраните одну страницу поиска ЦИАН с похожими квартирами" in upload_form
    assert 'class="secondary">Добавить файлы' not in upload_form, "the upload is the main button"
    link = re.search(r'<a href="([^"]+)"[^>]*>Открыть похожие квартиры на ЦИАН</a>', upload_form)
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["region"] == ["2"] and query["room3"] == ["1"]
    assert "попробуйте ещё раз" not in text(response).lower()


def test_one_saved_search_page_gives_several_comparables_and_the_way_on(client) -> None:
    start_with_saved_listing(client)
    cards = [card_variant(500000000 + n) for n in range(1, 7)]
    response = client.post(
        "/calculator/comparables/",
        {"action": "add_pages", "pages": [upload("Поиск.html", results_page(cards))]},
    )
    assert response["Location"] == "/calculator/comparables/#add-pages"
    body = client.get("/calculator/comparables/").content.decode()
    summary = form_html(body, "add-pages")
    assert "добавлено аналогов — 6" in summary and "каждый файл — до 8 МБ" in summary
    assert '<button type="submit" form="analyze">Рассчитать справедливую цену</button>' in summary
    assert 'id="analyze"' in body


def test_a_few_comparables_send_the_visitor_to_the_confirmation_instead(client) -> None:
    start_with_saved_listing(client)
    cards = [card_variant(500000000 + n) for n in range(1, 3)]
    client.post(
        "/calculator/comparables/",
        {"action": "add_pages", "pages": [upload("Поиск.html", results_page(cards))]},
    )
    body = client.get("/calculator/comparables/").content.decode()
    assert 'form="analyze"' not in form_html(body, "add-pages")


# --- messages beside the anchor the page lands on ---------------------------------------------


def top_messages(body: str) -> str:
    start = body.index("<main")
    return body[start : body.index("<h1>", start)]


def test_a_loaded_listing_is_announced_inside_the_details_form(client) -> None:
    response = upload_target(client)
    assert response["Location"] == "/calculator/#details"
    body = client.get("/calculator/").content.decode()
    assert "Объявление загружено" in form_html(body, "details")
    assert "Объявление загружено" not in top_messages(body)


def test_an_added_comparable_is_announced_in_the_list(client) -> None:
    start_manual(client)
    confirm_details(client)
    assert add_manual_comparable(client, "9 300 000", "52")["Location"].endswith("#list")
    body = client.get("/calculator/comparables/").content.decode()
    assert "Аналог №1 добавлен" in section(body, "list", "</section>")
    assert "Аналог №1 добавлен" not in top_messages(body)


def test_share_messages_sit_in_the_share_section(client) -> None:
    manual_wizard_with_comparables(client)
    analyze(client)
    client.post("/calculator/share/", {"action": "share"})
    body = client.get("/calculator/analysis/").content.decode()
    assert "Ссылка создана" in section(body, "share", "</section>")
    assert "Ссылка создана" not in top_messages(body)
    client.post("/calculator/share/", {"action": "revoke"})
    body = client.get("/calculator/analysis/").content.decode()
    assert "Доступ по ссылке закрыт" in section(body, "share", "</section>")


def test_a_message_without_a_place_stays_at_the_top(client) -> None:
    start_manual(client)
    response = client.get("/calculator/comparables/", follow=True)
    assert "Сначала уточните параметры квартиры" in top_messages(response.content.decode())
