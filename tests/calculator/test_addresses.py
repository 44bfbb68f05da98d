"""Same house by address: one house however its address is written, on every way a listing
arrives (Cian's page state, a saved page read through its DOM, a search card, typed by hand)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.addresses import house_key, parse, same_house
from calculator.cian import parse_listing, search
from tests.support.cian_pages import RESALE, fixture_html
from tests.support.cian_search_pages import card_variant, results_page

CIAN = "Санкт-Петербург, р-н Петроградский, Петровский, проезд Петровская коса, 6к1"


@pytest.mark.parametrize(
    "typed",
    [
        "Санкт-Петербург, проезд Петровская коса, д. 6, корп. 1",
        "санкт-петербург, Петровская коса проезд, дом 6 корпус 1",
        "СПб, Петровская Коса пр-д, 6 к. 1, кв. 12",
        "г. Санкт-Петербург, Петровская коса, 6К1",
        "Петровская коса, 6 к1",
    ],
)
def test_one_house_written_many_ways_is_one_house(typed):
    assert parse(typed).matches(parse(CIAN))


@pytest.mark.parametrize(
    "other",
    [
        "Санкт-Петербург, проезд Петровская коса, 6к2",  # another корпус
        "Санкт-Петербург, проезд Петровская коса, 6",  # no корпус: maybe another building
        "Санкт-Петербург, проезд Петровская коса, 8к1",
        "Санкт-Петербург, улица Петровская коса, 6к1",  # another kind of street
        "Москва, проезд Петровская коса, 6к1",  # another city
        "Санкт-Петербург, Петровская улица, 6к1",
    ],
)
def test_another_house_is_not_the_same(other):
    assert not parse(other).matches(parse(CIAN))


@pytest.mark.parametrize(
    ("address", "house"),
    [
        ("Москва, ул. 8 Марта, д. 10 стр. 2", "10с2"),
        ("Москва, Ленинский просп., 37", "37"),
        ("Санкт-Петербург, Большой пр. П.С., 10 лит. А", "10ла"),
        ("ул. Лёвина, 5 а", "5а"),
        ("Москва, 2-я Тверская-Ямская ул., 5/12", "5/12"),
    ],
)
def test_the_house_number_keeps_its_letter_block_and_building(address, house):
    assert parse(address).house == house


@pytest.mark.parametrize(
    "address",
    [
        "Санкт-Петербург, р-н Петроградский, Чкаловское, ул. Профессора Попова",  # no number
        "Москва, ЦАО, р-н Хамовники",
        "Москва, 10",
        "6к1",
        "",
        None,
        12,
        "ул. Ленина, " * 100 + "1",
    ],
)
def test_an_address_without_street_and_number_names_no_house(address):
    assert parse(address) is None


def test_ordinal_streets_match_however_their_number_is_written():
    assert parse("Москва, 2-я Тверская-Ямская ул., 5").matches(
        parse("Москва, Тверская-Ямская 2 улица, д 5")
    )


KINDS = {"улица": ["ул.", "ул", "улица", "УЛ."], "проспект": ["просп.", "проспект", "пр-кт"]}
HOUSES = ["{n}к{b}", "д. {n}, корп. {b}", "дом {n} корпус {b}", "{n} К {b}", "д{n} к{b}"]


@given(
    kind=st.sampled_from(sorted(KINDS)),
    spelling=st.data(),
    name=st.sampled_from(["Савушкина", "Лёни Голикова", "Новая Заря"]),
    number=st.integers(1, 300),
    block=st.integers(1, 9),
    house=st.sampled_from(HOUSES),
    kind_first=st.booleans(),
    upper=st.booleans(),
    spaces=st.sampled_from([" ", "  ", " \t"]),
)
def test_spelling_case_yo_and_spaces_never_matter(
    kind, spelling, name, number, block, house, kind_first, upper, spaces
):
    word = spelling.draw(st.sampled_from(KINDS[kind]))
    street = f"{word} {name}" if kind_first else f"{name} {word}"
    written = f"Москва,{spaces}{street},{spaces}{house.format(n=number, b=block)}"
    written = written.upper() if upper else written
    canonical = parse(f"Москва, {kind} {name.replace('ё', 'е')}, {number}к{block}")
    assert parse(written.replace(" ", spaces)).matches(canonical)
    assert house_key({"address": written}) == house_key(
        {"address": f"{name} {kind}, {number}к{block}"}
    )


@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text):
    found = parse(text)
    assert found is None or (found.street and found.house)


def test_house_ids_decide_when_both_listings_have_one():
    a = {"house_id": 1, "address": CIAN}
    assert not same_house(a, {"house_id": 2, "address": CIAN})
    assert same_house(a, {"house_id": "1", "address": "Москва, ул. Другая, 1"})
    assert same_house(a, {"house_id": None, "address": "Петровская коса, 6 к. 1"})
    assert not same_house({"address": "Москва"}, {"address": "Москва"})


def test_every_way_a_listing_arrives_finds_the_same_house():
    """Cian's state (with its house id), the same page read through its DOM (no id), a search
    card naming the house, and a flat typed by hand."""
    html = fixture_html(RESALE)
    from_state = parse_listing(html)
    from_dom = parse_listing(re.sub(r"window\._cianConfig\[[^\n]*", "", html))
    card = card_variant(400000001).replace(
        "Пески тер.\n", 'проезд Петровская коса</a>, <a data-name="GeoLabel" href="/">6к1\n'
    )
    (from_card,) = search.parse_search_results(results_page([card]))
    typed = {"address": "Санкт-Петербург, Петровская коса, д. 6, корп. 1", "house_id": None}
    assert from_state["house_id"] and from_dom["house_id"] is None
    for listing in (from_dom, from_card, typed):
        assert same_house(from_state, listing) and same_house(listing, from_state)
        assert house_key(listing) == house_key(from_state)
