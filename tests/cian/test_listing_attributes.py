"""The house and location attributes the valuation adjusts for, on every way a listing arrives:
the embedded state, a saved page without its scripts, a search card, a search results state."""

from __future__ import annotations

import re

import pytest

from calculator import cian
from calculator.cian.figures import minutes_from_text
from tests.support.cian_page_config import listing_state_page, search_offer, serp_state_page
from tests.support.cian_pages import CARD, NEW_BUILD, RESALE, expected, fixture_html
from tests.support.cian_search_pages import card_variant, results_page

STATE_SCRIPT = re.compile(
    r"<script[^>]*>[^<]*_cianConfig\['frontend-offer-card'\].*?</script>", re.DOTALL
)
WAY_RANK = {"walk": 0, "transport": 1}


def nearest_in_truth(name: str) -> tuple[int, str, str]:
    """(minutes, way, station) of the ground truth's nearest station, walking winning a tie."""
    best = min(expected(name)["metro"], key=lambda m: (m["minutes"], WAY_RANK[m["travel_type"]]))
    return best["minutes"], best["travel_type"], best["name"]


def attributes(listing: dict) -> tuple:
    return (listing["metro_minutes"], listing["metro_way"], listing["metro_name"])


@pytest.mark.parametrize("name", [NEW_BUILD, RESALE])
@pytest.mark.parametrize("scripts", ["state", "dom-only"])
def test_nearest_station_matches_ground_truth_with_or_without_scripts(name, scripts) -> None:
    html = fixture_html(name)
    if scripts == "dom-only":  # what Chromium's "one file" save keeps
        html = STATE_SCRIPT.sub("", html)
    listing = cian.parse_listing(html)
    assert attributes(listing) == nearest_in_truth(name)


def test_nearest_is_the_fewest_minutes_even_by_transport() -> None:
    # Черная речка 3 min by transport beats Чкаловская 18 min on foot.
    assert attributes(cian.parse_listing(fixture_html(NEW_BUILD))) == (
        3,
        "transport",
        "Черная речка",
    )
    assert attributes(cian.parse_listing(fixture_html(RESALE))) == (6, "transport", "Спортивная")


@pytest.mark.parametrize("name", [NEW_BUILD, RESALE])
@pytest.mark.parametrize("scripts", ["state", "dom-only"])
def test_house_and_segment_on_both_paths(name, scripts) -> None:
    truth = expected(name)
    html = fixture_html(name) if scripts == "state" else STATE_SCRIPT.sub("", fixture_html(name))
    listing = cian.parse_listing(html)
    assert listing["total_floors"] == truth["total_floors"]
    assert listing["build_year"] == truth["build_year"]
    assert (
        listing["category"]
        == {"flatSale": "resale", "newBuildingFlatSale": "new"}[truth["category"]]
    )
    # Both headings say "3-комн. квартира"; the new build's state also says isApartments false.
    assert listing["apartments"] is False


def test_resale_house_type_from_state_and_from_the_label() -> None:
    # BTI "monolith" in the state, "Тип дома: Монолитный" on the page.
    assert cian.parse_listing(fixture_html(RESALE))["house_type"] == "монолит"
    assert cian.parse_listing(STATE_SCRIPT.sub("", fixture_html(RESALE)))["house_type"] == "монолит"


def test_walking_wins_a_tie() -> None:
    stations = [
        {"name": "Автобусная", "travelTime": 7, "travelType": "transport"},
        {"name": "Пешая", "travelTime": 7, "travelType": "walk"},
        {"name": "Дальняя", "travelTime": 20, "travelType": "walk"},
    ]
    offer = search_offer(42, 10_000_000, 50.0)
    offer["geo"]["undergrounds"] = stations
    assert attributes(cian.parse_listing(listing_state_page(offer))) == (7, "walk", "Пешая")
    [found] = cian.parse_search_results(serp_state_page([offer]))
    assert attributes(found) == (7, "walk", "Пешая")


def test_apartments_flag_from_state() -> None:
    offer = search_offer(42, 10_000_000, 50.0, isApartments=True)
    assert cian.parse_listing(listing_state_page(offer))["apartments"] is True
    [found] = cian.parse_search_results(serp_state_page([offer]))
    assert found["apartments"] is True
    without = search_offer(43, 10_000_000, 50.0)
    assert cian.parse_listing(listing_state_page(without))["apartments"] is None


def test_apartments_from_the_saved_page_label() -> None:
    html = STATE_SCRIPT.sub("", fixture_html(RESALE)).replace(">Вторичка<", ">Апартаменты<")
    assert cian.parse_listing(html)["apartments"] is True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("isApartments", "true"),
        ("isApartments", 1),
        ("isApartments", [True]),
        ("geo", {"undergrounds": [{"name": "X", "travelTime": [5], "travelType": "walk"}]}),
        ("geo", {"undergrounds": [{"name": "X", "travelTime": -3, "travelType": "walk"}]}),
        ("geo", {"undergrounds": [{"name": "X", "travelTime": 10**40, "travelType": "walk"}]}),
        ("geo", {"undergrounds": [{"name": "X", "travelTime": 181, "travelType": "walk"}]}),
        ("geo", {"undergrounds": [{"name": ["X"], "travelTime": 5, "travelType": "walk"}]}),
        ("geo", {"undergrounds": {"name": "X", "travelTime": 5}}),
    ],
)
def test_attributes_of_the_wrong_type_or_size_are_unknown(key: str, value: object) -> None:
    offer = search_offer(42, 10_000_000, 50.0, **{key: value})
    [found] = cian.parse_search_results(serp_state_page([offer]))
    for fields in (found, cian.parse_listing(listing_state_page(offer))):
        assert fields["price"] == 10_000_000
        assert fields["apartments"] is None
        assert attributes(fields) == (None, None, None)


@pytest.mark.parametrize("year", [-2022, 0, 1700, 2100, 10**12, [2022], {"y": 2022}])
def test_an_implausible_build_year_is_unknown(year: object) -> None:
    offer = search_offer(42, 10_000_000, 50.0, building={"buildYear": year, "floorsCount": 9})
    [found] = cian.parse_search_results(serp_state_page([offer]))
    assert found["build_year"] is None and found["total_floors"] == 9


def test_a_station_with_an_odd_way_keeps_its_minutes_and_an_unknown_way() -> None:
    stations = [{"name": "Станция", "travelTime": 9, "travelType": ["walk"]}]
    offer = search_offer(42, 10_000_000, 50.0)
    offer["geo"]["undergrounds"] = stations
    assert attributes(cian.parse_listing(listing_state_page(offer))) == (9, None, "Станция")


def test_search_card_attributes_match_ground_truth() -> None:
    truth = expected(CARD)
    [card] = cian.parse_search_results(fixture_html(CARD))
    metro = truth["metro"]
    assert attributes(card) == (
        metro["minutes"],
        "transport",
        metro["name"],
    )  # "4 минуты на транспорте"
    assert card["total_floors"] == truth["total_floors"]
    assert card["category"] == "new"  # "Новостройка от застройщика", "Сдача корпуса 3 кв. 2028"
    assert card["apartments"] is False  # "6-комн. квартира"
    # A card shows neither the material nor the year: unknown, not guessed.
    assert (card["house_type"], card["build_year"]) == (None, None)


def test_search_card_of_apartments_on_foot() -> None:
    card = (
        card_variant(1001)
        .replace("6-комн. квартира, 251,3 м², 9/9 этаж", "1-комн. апарт., 45,91 м², 3/9 этаж")
        .replace("4 минуты на транспорте", "12 минут пешком")
        .replace("Новостройка от застройщика", "Проверено")
        .replace("Сдача корпуса 3 кв. 2028", "Секция 2")
    )
    [found] = cian.parse_search_results(results_page([card]))
    assert found["apartments"] is True
    assert (found["rooms"], found["total_area"]) == (1, 45.91)
    assert attributes(found) == (12, "walk", "Площадь Восстания")
    assert found["category"] is None  # nothing on the card says new build or resale


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("18 мин.", 18),
        ("4 минуты на транспорте", 4),
        ("1 ч. 5 мин. пешком", 65),
        ("2 ч", 120),
        ("7", 7),
        ("", None),
        ("пешком", None),
        ("4 ч", None),  # beyond any walk or ride priced in
        ("9" * 5000 + " мин", None),
    ],
)
def test_minutes_from_page_text(text: str, minutes: int | None) -> None:
    assert minutes_from_text(text) == minutes
