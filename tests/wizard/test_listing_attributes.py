"""House type, year, storeys, the nearest metro, new build or resale and апартаменты: read from
every kind of input, kept by the wizard, asked in the manual forms and shown on every page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from calculator.forms import ComparableManualForm, ManualTargetForm
from calculator.wizard import SESSION_KEY, STORED_LISTING_KEYS
from tests.support.browser_saves import browser_saves
from tests.support.cian_pages import NEW_BUILD, RESALE, expected, fixture_html
from tests.support.wizard_client import (
    MANUAL,
    add_manual_comparable,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    start_manual,
    text,
)
from tests.support.wizard_uploads import add_pages, upload, upload_target, wizard

ATTRIBUTES = {
    "manual-house_type": "монолит",
    "manual-build_year": "2015",
    "manual-total_floors": "17",
    "manual-category": "new",
    "manual-apartments": "true",
    "manual-metro_minutes": "7",
    "manual-metro_way": "walk",
}
COMPARABLE = {
    "action": "add_manual",
    "add_manual-price": "9 300 000",
    "add_manual-total_area": "52",
    "add_manual-rooms": "2",
    "add_manual-house_type": "кирпич",
    "add_manual-build_year": "1975",
    "add_manual-total_floors": "5",
    "add_manual-category": "resale",
    "add_manual-apartments": "false",
    "add_manual-metro_minutes": "12",
    "add_manual-metro_way": "transport",
}
NEW_KEYS = ("apartments", "metro_minutes", "metro_way", "metro_name")


def target(client) -> dict:
    return wizard(client)["target"]


# --- from Cian pages ---------------------------------------------------------------------------


def test_a_saved_listing_brings_every_attribute_into_the_wizard_and_onto_the_page(client) -> None:
    truth = expected(RESALE)
    assert upload_target(client).status_code == 302
    flat = target(client)
    assert (flat["house_type"], flat["build_year"], flat["total_floors"]) == (
        "монолит",  # "Тип дома: Монолитный"
        truth["build_year"],
        truth["total_floors"],
    )
    assert (flat["category"], flat["apartments"]) == ("resale", False)
    assert (flat["metro_minutes"], flat["metro_way"], flat["metro_name"]) == (
        6,
        "transport",
        "Спортивная",
    )
    page = text(client.get("/calculator/"))
    assert "монолит, 2022, 9 эт." in page
    assert "м. Спортивная, 6 мин на транспорте" in page
    assert "вторичка" in page


@pytest.mark.slow  # Chromium saves the pages (tests/support/browser_saves.py)
@pytest.mark.parametrize(
    ("path", "nearest"),
    [
        ("/sale/flat/319270312/", (6, "transport", "Спортивная")),
        ("/sale/flat/315831388/", (3, "transport", "Черная речка")),
    ],
)
def test_chromium_single_file_save_keeps_walk_or_transport(client, path, nearest) -> None:
    """Chromium's MHTML keeps no scripts: walk or transport comes from the page's icons."""
    mhtml = browser_saves()[path].mhtml
    assert upload_target(client, "Объявление.mhtml", mhtml).status_code == 302
    flat = target(client)
    assert (flat["metro_minutes"], flat["metro_way"], flat["metro_name"]) == nearest


@pytest.mark.slow
def test_comparables_from_saved_pages_and_search_cards_carry_their_attributes(client) -> None:
    start_manual(client)
    confirm_details(client)
    search_page = browser_saves()["/cat.php"].dom_html
    files = [upload("поиск.html", search_page), upload("новостройка.html", fixture_html(NEW_BUILD))]
    add_pages(client, files)
    by_id = {c["offer_id"]: c for c in wizard(client)["comparables"]}
    card, new_build = by_id[309818461], by_id[315831388]
    assert (card["metro_minutes"], card["metro_way"], card["category"]) == (4, "transport", "new")
    assert card["apartments"] is False and card["total_floors"] == 9
    assert (new_build["metro_minutes"], new_build["metro_way"]) == (3, "transport")
    assert (new_build["category"], new_build["total_floors"]) == ("new", 6)
    page = text(client.get("/calculator/comparables/"))
    assert "9 эт. · 4 мин на транспорте · новостройка" in page  # the card: no material, no year
    assert "6 эт. · 3 мин на транспорте · новостройка" in page


# --- typed by hand -----------------------------------------------------------------------------


def test_a_flat_typed_by_hand_keeps_its_attributes_and_shows_them(client) -> None:
    start_manual(client, **ATTRIBUTES)
    flat = target(client)
    assert (flat["house_type"], flat["build_year"], flat["total_floors"]) == ("монолит", 2015, 17)
    assert (flat["category"], flat["apartments"]) == ("new", True)
    assert (flat["metro_minutes"], flat["metro_way"], flat["metro_name"]) == (7, "walk", None)
    page = text(client.get("/calculator/"))
    assert "монолит, 2015, 17 эт. 7 мин пешком новостройка, апартаменты" in page


def test_questions_left_at_ne_znayu_are_unknown_not_a_default(client) -> None:
    blanks = {key: "" for key in ATTRIBUTES} | {"manual-apartments": "unknown"}
    start_manual(client, **blanks)
    flat = target(client)
    for key in ("house_type", "build_year", "total_floors", "category", *NEW_KEYS):
        assert flat[key] is None, key


def test_the_apartments_question_is_a_three_way_select_not_a_checkbox(client) -> None:
    body = client.get("/calculator/").content.decode()
    select = body.split('name="manual-apartments"', 1)[1].split("</select>", 1)[0]
    assert 'type="checkbox"' not in select
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["Не знаю", "Да", "Нет"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("build_year", "1799", "Допустимо значение от 1 800 до"),
        ("build_year", str(date.today().year + 7), "Допустимо значение от 1 800 до"),
        ("build_year", "две тысячи", "Введите целое число"),
        ("metro_minutes", "-1", "Допустимо значение от 0 до 180 мин"),
        ("metro_minutes", "181", "Допустимо значение от 0 до 180 мин"),
        ("metro_minutes", "7,5", "Введите целое число"),
        ("total_floors", "0", "Допустимо значение от 1 до"),
        ("house_type", "бетон", "Выберите корректный вариант"),
        ("metro_way", "teleport", "Выберите корректный вариант"),
        ("category", "commercial", "Выберите корректный вариант"),
    ],
)
def test_attributes_out_of_bounds_are_refused_in_russian(field, value, message) -> None:
    for form_class, prefix, base in (
        (ManualTargetForm, "manual", MANUAL),
        (ComparableManualForm, "add_manual", COMPARABLE),
    ):
        form = form_class({**base, f"{prefix}-{field}": value})
        assert not form.is_valid()
        assert message in " ".join(form.errors[field]), (prefix, form.errors)


def test_a_way_to_the_metro_needs_the_minutes() -> None:
    form = ManualTargetForm({**MANUAL, **ATTRIBUTES, "manual-metro_minutes": ""})
    assert not form.is_valid()
    assert form.errors["metro_minutes"] == ["Укажите, сколько минут до метро"]
    minutes_only = ManualTargetForm({**MANUAL, **ATTRIBUTES, "manual-metro_way": ""})
    assert minutes_only.is_valid(), minutes_only.errors
    assert minutes_only.listing()["metro_way"] is None


def test_the_floor_cannot_be_above_the_storeys() -> None:
    form = ComparableManualForm({**COMPARABLE, "add_manual-floor": "6"})
    assert form.errors["floor"] == ["Этаж не может быть больше этажности дома"]


def test_a_refused_form_keeps_what_was_typed(client) -> None:
    response = client.post("/calculator/", {**MANUAL, **ATTRIBUTES, "manual-metro_minutes": "999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="999"' in body and 'value="монолит" selected' in body
    assert 'value="true" selected' in body
    assert SESSION_KEY not in client.session  # nothing was taken


def test_a_comparable_typed_by_hand_keeps_and_shows_its_attributes(client) -> None:
    start_manual(client)
    confirm_details(client)
    assert client.post("/calculator/comparables/", COMPARABLE).status_code == 302
    [comparable] = wizard(client)["comparables"]
    assert (comparable["house_type"], comparable["build_year"]) == ("кирпич", 1975)
    assert (comparable["category"], comparable["apartments"]) == ("resale", False)
    assert (comparable["metro_minutes"], comparable["metro_way"]) == (12, "transport")
    row = text(client.get("/calculator/comparables/")).split("Список аналогов", 1)[1]
    assert "кирпич, 1975, 5 эт. · 12 мин на транспорте · вторичка" in row
    assert "апартаменты" not in row.split("Добавить", 1)[0]


# --- reports and old sessions ------------------------------------------------------------------


def test_reports_show_the_flat_and_each_comparable(client) -> None:
    start_manual(client, **ATTRIBUTES)
    confirm_details(client)
    for _ in range(5):
        price = f"{9_000_000 + 300_000 * _:,}".replace(",", " ")
        client.post("/calculator/comparables/", {**COMPARABLE, "add_manual-price": price})
    assert analyze(client).status_code == 302
    report = text(client.get("/calculator/report/"))
    assert "монолит, 2015, 17 эт. 7 мин пешком новостройка, апартаменты" in report
    assert report.count("кирпич, 1975, 5 эт. · 12 мин на транспорте · вторичка") == 5
    markdown = client.get("/calculator/report.md").content.decode()
    assert "- монолит, 2015, 17 эт.\n- 7 мин пешком\n- новостройка, апартаменты\n" in markdown
    assert "| дом и метро |" in markdown
    assert markdown.count("| кирпич, 1975, 5 эт.; 12 мин на транспорте; вторичка |") == 5


def test_sessions_from_before_the_attributes_still_load_render_and_compute(client) -> None:
    manual_wizard_with_comparables(client)
    session = client.session
    data = session[SESSION_KEY]
    for listing in (data["target"], *data["comparables"]):
        for key in NEW_KEYS:
            listing.pop(key)
    session[SESSION_KEY] = data
    session.save()
    assert client.get("/calculator/").status_code == 200
    assert client.get("/calculator/comparables/").status_code == 200
    assert analyze(client).status_code == 302
    assert client.get("/calculator/report/").status_code == 200
    assert client.get("/calculator/report.md").status_code == 200


def test_damaged_attribute_values_in_a_session_show_as_unknown(client) -> None:
    start_manual(client)
    confirm_details(client)
    add_manual_comparable(client, "9 300 000", "52")
    session = client.session
    data = session[SESSION_KEY]
    data["comparables"][0].update(
        metro_minutes=[7], metro_way={"walk": 1}, category=["new"], apartments="да",
        house_type=5, build_year="<b>2015</b>", total_floors=1e300, metro_name=["X"],
    )  # fmt: skip
    session[SESSION_KEY] = data
    session.save()
    response = client.get("/calculator/comparables/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="small facts"' not in body  # nothing known, no empty line under the address
    assert "<b>" not in body and "&lt;b&gt;" not in body


def test_the_wizard_keeps_exactly_the_agreed_keys() -> None:
    assert set(NEW_KEYS) <= set(STORED_LISTING_KEYS)
    for key in ("house_type", "build_year", "total_floors", "category"):
        assert key in STORED_LISTING_KEYS
