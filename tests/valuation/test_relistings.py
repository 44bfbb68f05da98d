"""One flat listed by several agents weighs as one comparable, and the page says so."""

from calculator.formatting import listings_count
from calculator.valuation import value
from calculator.valuation.relistings import groups, same_flat
from tests.support.valuation_factories import flat


def _listing(ppsm: float, id: str, **overrides):
    return flat(ppsm, id=id, house_id="h1", **overrides)


def test_same_house_floor_area_and_close_price_is_one_flat():
    a = _listing(200_000, "a")
    assert same_flat(a, _listing(204_000, "b", total_area=50.4))
    assert not same_flat(a, _listing(220_000, "c"))  # 10 % apart: another asking, another flat
    assert not same_flat(a, _listing(200_000, "d", floor=6))
    assert not same_flat(a, _listing(200_000, "e", total_area=51.0))
    assert not same_flat(a, {**_listing(200_000, "f"), "house_id": None})
    assert same_flat(a, _listing(260_000, "g"), price=False)


def test_groups_link_copies_transitively():
    flats = [
        _listing(200_000, "a"),
        _listing(205_000, "b"),
        _listing(209_000, "c"),
        _listing(200_000, "d", floor=2),
    ]
    assert groups(flats) == [0, 0, 0, 3]


def test_copies_of_one_flat_share_one_weight():
    single = [flat(200_000 + 1000 * i, id=f"s{i}", house_id=f"h{i}") for i in range(4)]
    copies = [flat(215_000, id=f"r{i}", house_id="hx", floor=7) for i in range(3)]
    result = value(flat(), single + copies, bootstrap=0)
    rows = {row["id"]: row for row in result["comparables"]}
    copy_share = sum(rows[f"r{i}"]["weight_share"] for i in range(3))
    assert abs(copy_share - rows["s0"]["weight_share"]) < 0.01
    assert all(rows[f"r{i}"]["listings_of_flat"] == 3 for i in range(3))
    assert rows["s0"]["listings_of_flat"] == 1
    # counted three times, the one flat would have pulled the weighted median to its price
    assert result["fair_price_per_sqm"] < 210_000


def test_the_count_reads_in_russian():
    assert [listings_count(n) for n in (2, 5, 11, 21, 22, 112)] == [
        "2 объявления",
        "5 объявлений",
        "11 объявлений",
        "21 объявление",
        "22 объявления",
        "112 объявлений",
    ]
