"""The verdict in words for the owner and the buyer, and the figures explained."""

from __future__ import annotations

import pytest

from calculator.answer import answer, range_sentence
from calculator.templatetags.housler_format import figures_nowrap

RESULT = {
    "fair_price_total": 10_000_000,
    "fair_price_per_sqm": 200_000,
    "range_80": {"low": 9_400_000, "high": 10_800_000},
    "range_95": {"low": 9_000_000, "high": 11_300_000},
    "confidence": "низкая",
    "adjusted_cv": 4.2,
    "loo_mdape": {"percent": 0.1, "label": "точность предсказания одного объявления", "count": 5},
}


def priced(price: object) -> dict:
    return {"price": price, "total_area": 50}


def test_the_range_is_one_sentence_in_roubles():
    assert range_sentence((9_400_000, 10_800_000)) == (
        "В 8 случаях из 10 справедливая цена этой квартиры — от 9 400 000 ₽ до 10 800 000 ₽."
    )
    assert "нужно больше аналогов" in range_sentence(None)


def test_a_price_inside_the_range_is_in_the_market_however_far_from_fair():
    found = answer(RESULT, priced(10_600_000), "owner")  # 6 % above fair, below the range's top
    assert (found.kind, found.headline, found.css) == ("within", "Цена в рынке", "fair")
    assert found.sentences[0] == (
        "Ваша цена 10 600 000 ₽ — в пределах, где справедливая цена бывает в 8 случаях из 10. "
        "От справедливой цены (10 000 000 ₽) она отличается на 6 % — это обычный разброс."
    )


@pytest.mark.parametrize(
    ("role", "headline", "css", "advice"),
    [
        ("owner", "Цена выше рынка", "warn", "может продаваться дольше"),
        ("buyer", "Цена завышена", "over", "Есть повод торговаться"),
    ],
)
def test_above_the_range_says_how_far_from_fair_and_from_the_edge(role, headline, css, advice):
    found = answer(RESULT, priced(11_500_000), role)
    assert (found.kind, found.headline, found.css) == ("above", headline, css)
    assert "на 1 500 000 ₽ (15 %) выше справедливой (10 000 000 ₽)" in found.sentences[0]
    assert "и на 700 000 ₽ выше верхней границы диапазона" in found.sentences[0]
    assert advice in found.sentences[1]


@pytest.mark.parametrize(
    ("role", "css", "advice"),
    [("owner", "warn", "продаёте дешевле"), ("buyer", "good", "проверьте документы")],
)
def test_below_the_range_is_a_warning_to_the_owner_and_a_chance_to_the_buyer(role, css, advice):
    found = answer(RESULT, priced(8_900_000), role)
    assert (found.kind, found.headline, found.css) == ("below", "Цена ниже рынка", css)
    assert "на 1 100 000 ₽ (11 %) ниже справедливой" in found.sentences[0]
    assert "на 500 000 ₽ ниже нижней границы диапазона" in found.sentences[0]
    assert advice in found.sentences[1]
    assert "Выгодн" not in " ".join(answer(RESULT, priced(8_900_000), "owner").sentences)


def test_an_unknown_role_is_the_owner():
    assert answer(RESULT, priced(11_500_000), "landlord").headline == "Цена выше рынка"
    assert answer(RESULT, priced(11_500_000)).role == "owner"


@pytest.mark.parametrize("price", [None, "", 0, "много", -5])
def test_no_asking_price_no_verdict_and_a_kind_word(price):
    for role in ("owner", "buyer"):
        found = answer(RESULT, priced(price), role)
        assert found.kind is None and found.headline == ""
        assert "сравнивать не с чем" in found.sentences[0]
        assert found.range_sentence.startswith("В 8 случаях из 10")


def test_without_a_range_the_verdict_is_approximate_and_says_why():
    result = {**RESULT, "range_80": None, "range_95": None}
    inside = answer(result, priced(10_400_000), "owner")
    assert inside.kind == "within" and "меньше чем на 5 %" in inside.sentences[0]
    above = answer(result, priced(10_600_000), "owner")
    assert above.kind == "above" and "границы" not in above.sentences[0]
    assert "нужно больше аналогов" in above.range_sentence
    assert "слишком мало аналогов" in above.confidence_caption


def test_every_finer_figure_has_a_caption_and_accuracy_is_not_confidence():
    found = answer(RESULT, priced(10_000_000))
    assert found.confidence_caption.startswith(
        "Справедливая цена известна с точностью примерно ±7 %"
    )
    labels = [f["label"] for f in found.figures]
    assert labels == [
        "Почти наверняка (в 19 случаях из 20)",
        "Разброс цен аналогов после поправок",
        "Проверка на самих аналогах",
    ]
    assert all(len(f["caption"]) > 40 for f in found.figures)
    check = found.figures[-1]
    assert check["value"] == "±0,1 %" and "показывает диапазон" in check["caption"]


def test_a_result_without_the_finer_figures_shows_none():
    bare = {"fair_price_total": 10_000_000, "range_80": None}
    assert answer(bare, priced(10_000_000)).figures == []


def test_figures_in_a_sentence_stay_on_one_line_and_the_rest_is_escaped():
    html = str(figures_nowrap("<b>Цена 9 900 000 ₽</b> на 2,8 % (54,5 м²) — в 8 случаях"))
    assert html.startswith("&lt;b&gt;Цена ")
    assert '<span class="num">9 900 000 ₽</span>' in html
    assert '<span class="num">2,8 %</span>' in html and '<span class="num">54,5 м²</span>' in html
