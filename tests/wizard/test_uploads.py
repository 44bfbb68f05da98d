"""Saved Cian pages uploaded in the wizard: the flat at step 1, comparables at step 2.

Real saved pages (the fixture HTML, Chromium's MHTML, a Safari `.webarchive` built with plistlib)
go through Django's test client as multipart uploads, exactly as a browser sends them.
"""

from __future__ import annotations

import random
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calculator import uploads
from calculator.wizard import SESSION_KEY, STORED_LISTING_KEYS
from tests.support.browser_saves import browser_saves
from tests.support.cian_pages import RESALE, expected, fixture_html, listing_variant, page_html
from tests.support.cian_search_pages import card_variant, results_page
from tests.support.saved_page_files import webarchive
from tests.support.wizard_client import confirm_details, start_manual, text
from tests.support.wizard_uploads import (
    MB,
    add_pages,
    start_with_saved_listing,
    upload,
    upload_target,
    wizard,
)

OTHER_SITE = (
    '<!DOCTYPE html><html><head><meta property="og:url" content="https://www.avito.ru/1">'
    "</head><body><h1>3-комн. квартира, 106 м²</h1><p>75 000 000 руб.</p></body></html>"
)
RESALE_TRUTH = expected(RESALE)
VARIANTS = [
    (400000011, 71_000_000, 101.5),
    (400000012, 78_500_000, 110.0),
    (400000013, 69_900_000, 98.7),
    (400000014, 82_000_000, 115.3),
    (400000015, 74_000_000, 104.0),
]


def variant_files() -> list[SimpleUploadedFile]:
    return [upload(f"аналог {i}.html", listing_variant(*spec)) for i, spec in enumerate(VARIANTS)]


# --- step 1 ----------------------------------------------------------------------------------


def test_a_saved_listing_becomes_the_flat_and_asks_only_for_the_rest(client) -> None:
    response = upload_target(client)
    assert response.status_code == 302
    assert response["Location"] == "/calculator/#details"
    page = text(client.get("/calculator/"))
    assert "Объявление загружено" in page and "75 000 000 ₽" in page and "106,2 м²" in page
    target = wizard(client)["target"]
    assert (target["offer_id"], target["price"], target["total_area"]) == (
        RESALE_TRUTH["offer_id"],
        RESALE_TRUTH["price"],
        RESALE_TRUTH["total_area"],
    )
    assert wizard(client)["known"], "fields the listing gave are marked as from the listing"
    assert "Из объявления" in page
    confirm_details(client)


@pytest.mark.slow
def test_chromium_mhtml_of_a_listing_sets_the_same_flat(client) -> None:
    mhtml = browser_saves()["/sale/flat/319270312/"].mhtml
    assert upload_target(client, "Объявление.mhtml", mhtml).status_code == 302
    assert wizard(client)["target"]["price"] == RESALE_TRUTH["price"]
    assert wizard(client)["target"]["url"] == RESALE_TRUTH["url"]


def test_safari_webarchive_of_a_listing_sets_the_same_flat(client) -> None:
    archive = webarchive(fixture_html(RESALE).encode("utf-8"), url=RESALE_TRUTH["url"])
    assert upload_target(client, "Объявление.webarchive", archive).status_code == 302
    assert wizard(client)["target"]["total_area"] == RESALE_TRUTH["total_area"]


@pytest.mark.parametrize(
    ("name", "data", "sentence"),
    [
        ("скан.jpg", random.Random(7).randbytes(50_000), "Файл «скан.jpg» — не сохранённая"),
        ("чужой.html", OTHER_SITE, "Файл «чужой.html» — страница другого сайта"),
        ("раздел.html", page_html("not_listing.html"), "Файл «раздел.html» — страница ЦИАН, но"),
        ("поиск.html", results_page([card_variant(500000001)]), "Файл «поиск.html» — результаты"),
        ("капча.html", page_html("captcha.html"), "Файл «капча.html» — страница проверки"),
    ],
)
def test_a_bad_file_at_step_1_is_named_and_the_flat_is_kept(client, name, data, sentence) -> None:
    start_manual(client)
    before = wizard(client)
    response = upload_target(client, name, data)
    assert response.status_code == 200
    page = text(response)
    assert sentence in page and "Как сохранить страницу" in page
    assert wizard(client) == before
    assert 'id="save-guide" open' in response.content.decode(), "the guide opens by itself"


def test_step_1_offers_one_file_and_step_2_several(client) -> None:
    step_one = client.get("/calculator/").content.decode()
    assert re.search(r'<input type="file" name="page"(?![^>]*multiple)[^>]*>', step_one)
    start_with_saved_listing(client)
    step_two = client.get("/calculator/comparables/").content.decode()
    assert re.search(r'<input type="file" name="pages"[^>]*multiple', step_two)


def test_no_file_chosen_says_so(client) -> None:
    response = client.post("/calculator/", {"action": "upload"})
    assert response.status_code == 200
    assert "Выберите файл сохранённой страницы объявления" in text(response)


def test_a_blocked_fetch_links_to_the_saved_page_guide(client, cian_server) -> None:
    from tests.support.fake_cian import Reply

    cian_server.routes["/sale/flat/319270312/"] = Reply(200, page_html("captcha.html"))
    response = client.post("/calculator/", {"action": "url", "url": RESALE_TRUTH["url"]})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<a href="#save-guide">' in body and 'id="save-guide" open' in body
    guide = text(response)
    assert "«Тип файла» — «Веб-страница полностью»" in guide  # Chrome, Yandex Browser, Edge
    assert "«Тип файла» — «Веб-страница, только HTML»" in guide  # Firefox
    assert "⌘S, «Формат» — «Веб-архив»" in guide  # Safari on a Mac
    iphone = "«Поделиться» → «Параметры» под названием страницы → «Веб-архив» → «Готово» → "
    assert iphone + "«Сохранить в Файлы»" in guide and "PDF не подойдёт" in guide
    assert "меню ⋮ → значок загрузки ⬇ («Скачать страницу»)" in guide  # Chrome on Android
    assert "Попробуйте ещё раз" not in guide and "Ctrl+S)" not in guide
    assert 'href="#manual">Введите данные вручную</a>' in body, "the by-hand way at once"


def test_a_failed_lookup_of_another_kind_does_not_push_the_guide(client) -> None:
    response = client.post("/calculator/", {"action": "url", "url": "https://example.com/x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<a href="#save-guide">' not in body and 'id="save-guide" open' not in body


# --- step 2 ----------------------------------------------------------------------------------


def test_five_saved_listings_become_comparables_marked_as_files(client) -> None:
    start_with_saved_listing(client)
    response = add_pages(client, variant_files())
    assert response.status_code == 302
    assert response["Location"] == "/calculator/comparables/#add-pages"
    comparables = wizard(client)["comparables"]
    assert [c["offer_id"] for c in comparables] == [spec[0] for spec in VARIANTS]
    assert {c["origin"] for c in comparables} == {"file"}
    page = text(client.get("/calculator/comparables/"))
    assert "Последняя загрузка: добавлено аналогов — 5" in page
    assert page.count("Источник: файл") == 5 and "Приемлемо" in page


def test_a_saved_results_page_adds_its_offers_like_the_search(client) -> None:
    start_with_saved_listing(client)
    cards = [card_variant(500000000 + n) for n in range(1, 4)]
    first = add_pages(client, [upload("Поиск.html", results_page(cards))])
    assert first.status_code == 302
    assert len(wizard(client)["comparables"]) == 3
    again = [upload("Поиск снова.html", results_page([*cards, card_variant(500000009)]))]
    add_pages(client, again)
    offers = [c["offer_id"] for c in wizard(client)["comparables"]]
    assert offers == [500000001, 500000002, 500000003, 500000009], "no offer twice"
    page = text(client.get("/calculator/comparables/"))
    assert "Файл «Поиск снова.html»: добавлено 1 из 4" in page


def test_hostile_files_are_named_one_by_one_and_the_good_ones_kept(client, settings) -> None:
    settings.HOUSLER_SAVED_PAGE_MAX_BYTES = 5 * MB
    start_with_saved_listing(client)
    only_js = fixture_html(RESALE).replace(RESALE_TRUTH["url"], "javascript:alert(1)")
    huge = listing_variant(400000020, 70_000_000, 100.0) + "<!--" + "x" * (6 * MB) + "-->"
    files = [
        upload("хорошее 1.html", listing_variant(*VARIANTS[0])),
        upload("шум.bin", random.Random(1).randbytes(100_000)),
        upload("большое.html", huge),
        upload("другой сайт.html", OTHER_SITE),
        upload("ссылки.html", only_js),
        upload("хорошее 2.html", listing_variant(*VARIANTS[1])),
        upload("та же квартира.html", fixture_html(RESALE)),
    ]
    response = add_pages(client, files)
    assert response.status_code == 302
    assert [c["offer_id"] for c in wizard(client)["comparables"]] == [400000011, 400000012]
    page = text(client.get("/calculator/comparables/"))
    for sentence in (
        "Файл «шум.bin» — не сохранённая веб-страница",
        "Файл «большое.html» слишком большой",
        "Файл «другой сайт.html» — страница другого сайта",
        "Файл «ссылки.html» — страница другого сайта",
        "Файл «та же квартира.html»: это объявление уже есть в списке аналогов или оценивается",
    ):
        assert sentence in page, sentence
    assert "javascript" not in client.get("/calculator/comparables/").content.decode()
    assert wizard(client)["target"]["offer_id"] == RESALE_TRUTH["offer_id"]


def test_twenty_one_files_take_the_first_twenty_and_name_the_rest(client) -> None:
    start_with_saved_listing(client)
    files = [
        upload(f"стр {n:02d}.html", listing_variant(410000000 + n, 70_000_000 + n, 100.0 + n))
        for n in range(1, 22)
    ]
    response = add_pages(client, files)
    assert response.status_code == 302
    assert len(wizard(client)["comparables"]) == 20
    page = text(client.get("/calculator/comparables/"))
    assert "не больше 20 файлов: взяты первые 20. Не загружены: «стр 21.html»" in page


def test_all_bad_files_keep_the_list_and_say_why(client) -> None:
    start_with_saved_listing(client)
    add_pages(client, variant_files()[:2])
    before = wizard(client)["comparables"]
    add_pages(client, [upload("a.pdf", b"%PDF-1.7"), upload("b.html", b"<html>hi</html>")])
    assert wizard(client)["comparables"] == before
    page = text(client.get("/calculator/comparables/"))
    assert "добавлено аналогов — 0" in page and "«a.pdf»" in page and "«b.html»" in page


def test_no_files_chosen_at_step_2_says_so(client) -> None:
    start_with_saved_listing(client)
    response = client.post("/calculator/comparables/", {"action": "add_pages"})
    assert response.status_code == 200
    assert "Выберите файлы сохранённых страниц ЦИАН" in text(response)


def test_each_file_is_read_no_further_than_the_limit_plus_one_byte(settings) -> None:
    settings.HOUSLER_SAVED_PAGE_MAX_BYTES = 1000
    reads: list[int] = []

    class Spy(SimpleUploadedFile):
        def read(self, *args):
            reads.append(args[0] if args else -1)
            return super().read(*args)

    with pytest.raises(uploads.cian.SavedPageError) as info:
        uploads.read_page(Spy("big.html", b"<html>" + b"x" * 50_000))
    assert reads == [1001] and "«big.html» слишком большой" in info.value.message


# --- where each comparable came from ---------------------------------------------------------


@pytest.mark.django_db
def test_every_source_is_shown_on_the_list_and_in_every_report(client, cian_server) -> None:
    start_manual(client, **{"manual-address": "Санкт-Петербург, Петровская коса, 6к1"})
    confirm_details(client)
    client.post("/calculator/comparables/", {"action": "add_url", "url": RESALE_TRUTH["url"]})
    client.post("/calculator/comparables/", {"action": "find"})
    add_pages(client, variant_files()[:2])
    client.post(
        "/calculator/comparables/",
        {"action": "add_manual", "add_manual-price": "9 000 000", "add_manual-total_area": "50"}
        | {"add_manual-rooms": "2"},
    )
    origins = {c["origin"] for c in wizard(client)["comparables"]}
    assert origins == {"link", "search", "file", "manual"}
    page = text(client.get("/calculator/comparables/"))
    for label in ("ссылка", "поиск ЦИАН", "файл", "вручную"):
        assert f"Источник: {label}" in page
    client.post("/calculator/comparables/", {"action": "analyze"})
    report = text(client.get("/calculator/report/"))
    markdown = client.get("/calculator/report.md").content.decode()
    assert "Источник: файл" in report and "| файл |" in markdown
    client.post("/calculator/share/", {"action": "share"})
    shared = text(client.get(f"/r/{wizard(client)['share']['token']}/"))
    assert "Источник: поиск ЦИАН" in shared


def test_old_sessions_without_a_source_or_with_url_still_load(client) -> None:
    start_manual(client)
    confirm_details(client)
    session = client.session
    data = session[SESSION_KEY]
    old = {**dict.fromkeys(STORED_LISTING_KEYS), "id": "c1", "price": 9_000_000, "total_area": 50.0}
    old.update(rooms=2, excluded=False)
    data["comparables"] = [old, {**old, "id": "c2", "origin": "url"}]
    data.pop("upload")
    session[SESSION_KEY] = data
    session.save()
    response = client.get("/calculator/comparables/")
    assert response.status_code == 200
    assert text(response).count("Источник: ссылка") == 1


def test_files_over_the_upload_body_cap_get_a_russian_page_and_lose_nothing(client, settings):
    settings.HOUSLER_MAX_UPLOAD_BYTES = 2 * MB
    start_with_saved_listing(client)
    add_pages(client, variant_files()[:1])
    before = wizard(client)["comparables"]
    files = [
        upload(f"{n}.html", listing_variant(420000000 + n, 70_000_000, 100.0)) for n in (1, 2, 3, 4)
    ]
    response = add_pages(client, files)
    assert response.status_code == 413
    assert "Файлы вместе больше 2 МБ" in text(response)
    assert wizard(client)["comparables"] == before


def test_the_comparables_cap_stops_an_upload_and_names_the_files_left(client, settings):
    settings.HOUSLER_MAX_COMPARABLES = 3
    start_with_saved_listing(client)
    add_pages(client, variant_files())
    assert len(wizard(client)["comparables"]) == 3
    page = text(client.get("/calculator/comparables/"))
    assert "В расчёте уже 3 аналогов — это предел" in page
    assert "Не добавлены: «аналог 3.html», «аналог 4.html»" in page
