"""The results page a layperson reads: one sentence with the range, a verdict worded for the
owner or the buyer, every figure with a caption, the dropped comparable said plainly and taken
back, results stored in an earlier shape still rendering."""

from __future__ import annotations

import re

import pytest

from calculator.models import ShareSnapshot
from tests.support.wizard_client import (
    add_manual_comparable,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    start_manual,
    text,
)

pytestmark = pytest.mark.django_db
SENTENCE = re.compile(
    r"В 8 случаях из 10 справедливая цена этой квартиры — от ([\d ]+) ₽ до ([\d ]+) ₽ ?\."
)


def rubles(value: str) -> int:
    return int(value.replace(" ", ""))


def analysed(client, **target: str) -> str:
    start_manual(client, **target)
    confirm_details(client)
    manual_wizard_with_comparables_only(client)
    assert analyze(client)["Location"] == "/calculator/analysis/"
    return text(client.get("/calculator/analysis/"))


def manual_wizard_with_comparables_only(client) -> None:
    for price, area in (("9 300 000", "52"), ("9 900 000", "56,3"), ("8 800 000", "50,1")):
        assert add_manual_comparable(client, price, area).status_code == 302
    for price, area in (("10 200 000", "58"), ("9 600 000", "55")):
        assert add_manual_comparable(client, price, area).status_code == 302


def test_the_answer_is_one_sentence_with_the_range_under_the_price(client):
    page = analysed(client)
    found = SENTENCE.search(page)
    assert found, page
    low, high = rubles(found[1]), rubles(found[2])
    fair = rubles(re.search(r"Справедливая цена ([\d ]+) ₽", page)[1])
    assert low <= fair <= high
    assert page.index("Справедливая цена") < found.start()
    for jargon in ("Диапазон 80 %", "Диапазон 95 %", "Точность предсказания одного объявления"):
        assert jargon not in page


def test_an_asking_price_inside_the_range_is_in_the_market_for_the_owner(client):
    page = analysed(client)  # 9 500 000 ₽ for 54,5 m² among comparables at 172–178 000 ₽/м²
    assert "Цена в рынке" in page
    assert "Ваша цена 9 500 000 ₽ — в пределах, где справедливая цена бывает в 8 случаях из 10" in (
        page
    )
    assert "ПЕРЕОЦЕНЕНА" not in page and "ВЫГОДНАЯ ЦЕНА" not in page


def test_a_price_above_the_range_says_how_far_in_the_buyer_s_words(client):
    analysed(client, **{"manual-price": "12 000 000"})
    page = text(client.get("/calculator/analysis/"))
    assert "Цена выше рынка" in page and "Ваша цена 12 000 000 ₽ на" in page
    assert "выше верхней границы диапазона" in page

    chosen = client.post("/calculator/analysis/", {"action": "role", "role": "buyer"})
    assert chosen.status_code == 302 and chosen["Location"] == "/calculator/analysis/#role"
    page = text(client.get("/calculator/analysis/"))
    assert "Цена завышена" in page and "Есть повод торговаться" in page
    assert "Ответ для покупателя — изменить" in page, "asked once, then a small switch"
    markdown = client.get("/calculator/report.md").content.decode()
    assert "**Цена завышена**" in markdown and "В 8 случаях из 10" in markdown


def test_a_price_below_the_range_warns_the_owner_and_tempts_the_buyer(client):
    analysed(client, **{"manual-price": "7 000 000"})
    page = text(client.get("/calculator/analysis/"))
    assert "Цена ниже рынка" in page and "вы продаёте дешевле" in page
    assert 'class="verdict warn"' in client.get("/calculator/analysis/").content.decode()
    client.post("/calculator/analysis/", {"action": "role", "role": "buyer"})
    body = client.get("/calculator/analysis/").content.decode()
    assert 'class="verdict good"' in body and "проверьте документы" in text(
        client.get("/calculator/analysis/")
    )


def test_a_forged_role_is_refused_with_a_sentence(client):
    analysed(client)
    response = client.post("/calculator/analysis/", {"action": "role", "role": "landlord"})
    assert response.status_code == 200
    assert "Выберите, продаёте вы эту квартиру или хотите купить" in text(response)


def test_every_figure_of_the_answer_has_a_caption_on_the_page(client):
    analysed(client)
    body = client.get("/calculator/analysis/").content.decode()
    answer = body[body.index('id="answer"') : body.index("</section>", body.index('id="answer"'))]
    figures = re.findall(r"<div><dt>(.*?)</dt><dd[^>]*>(.*?)</dd>(.*?)</div>", answer, re.S)
    labels = [label for label, _, _ in figures]
    assert "Уверенность" in labels and "Проверка на самих аналогах" in labels
    for label, _, caption in figures:
        assert '<p class="caption">' in caption and len(text_of(caption)) > 20, label
    assert re.search(r"точностью примерно ±\d+ %", text_of(body))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_chart_has_the_range_band_and_a_legend_in_html(client):
    analysed(client)
    body = client.get("/calculator/analysis/").content.decode()
    assert re.search(r'<rect x="[\d.]+%" [^>]*class="band">', body)
    assert '<ul class="chart-legend">' in body and "справедливая цена в 8 случаях из 10" in body


def test_only_adjustments_that_change_the_price_are_listed(client):
    start_manual(client)
    confirm_details(client)
    for price, area in (("9 300 000", "52"), ("9 900 000", "56,3"), ("8 800 000", "50,1")):
        add_manual_comparable(client, price, area, repair="стандартная")
    add_manual_comparable(client, "11 000 000", "58", repair="улучшенная")
    add_manual_comparable(client, "9 600 000", "55", repair="стандартная")
    analyze(client)
    page = text(client.get("/calculator/analysis/"))
    assert "Ремонт: улучшенная → стандартная, −7,4 %" in page
    assert "стандартная → стандартная" not in page and "×1" not in page
    assert "Без поправки: ремонт" in page


def test_a_flat_without_an_asking_price_gets_no_verdict_and_a_kind_sentence(client):
    analysed(client)
    state = client.session["housler.wizard"]
    state["analysis"]["inputs"]["target"]["price"] = None
    session = client.session
    session["housler.wizard"] = state
    session.save()
    page = text(client.get("/calculator/analysis/"))
    assert "Цену вы не указали, поэтому сравнивать не с чем" in page
    assert "Цена в рынке" not in page and "вердикт не рассчитан" not in page
    assert SENTENCE.search(page)


def test_an_outlier_is_explained_plainly_and_can_be_taken_back(client):
    start_manual(client)
    confirm_details(client)
    manual_wizard_with_comparables_only(client)
    add_manual_comparable(client, "30 000 000", "54")  # three times the others' ₽/м²
    step2 = text(client.get("/calculator/comparables/"))
    assert "в расчёте 5 из 6" in step2
    assert re.search(
        r"№6: цена за м² после поправок на \d+ % выше, чем у остальных, — возможно, ошибка", step2
    )
    analyze(client)
    page = text(client.get("/calculator/analysis/"))
    assert "Аналогов в расчёте 5" in page and "выброс" not in page
    assert "Цена верна — вернуть в расчёт аналог №6" in page

    kept = client.post("/calculator/analysis/", {"action": "keep", "comparable_id": "c6"})
    assert kept.status_code == 302 and kept["Location"] == "/calculator/analysis/"
    page = text(client.get("/calculator/analysis/", follow=True))
    assert "Аналог №6 снова в расчёте" in page and "Аналогов в расчёте 6" in page
    assert "Квартира или список аналогов изменились" not in page, "computed again at once"
    assert "в расчёте 6 из 6" in text(client.get("/calculator/comparables/"))


def test_an_old_result_and_an_old_share_still_render(client):
    """Results stored in an earlier shape: no role, "выброс" reasons, threshold verdicts."""
    manual_wizard_with_comparables(client)
    analyze(client)
    session = client.session
    state = session["housler.wizard"]
    state.pop("role", None)
    result = state["analysis"]["result"]
    result["verdict"] = "ПЕРЕОЦЕНЕНА"
    result["excluded"] = [
        {"id": "c9", "reason": "выброс: цена за м² отличается от медианы аналогов на -15 %"}
    ]
    result["strengths"] = [{"key": "living_share", "name": "Доля жилой площади, %", "percent": 5}]
    for factor_row in result["comparables"]:
        factor_row.pop("similarity_label", None)
    session["housler.wizard"] = state
    session.save()
    page = text(client.get("/calculator/analysis/"))
    assert "Цена в рынке" in page, "the range decides, not the stored threshold verdict"
    assert "№9: цена сильно отличается от остальных — возможно, ошибка в объявлении" in page
    assert "-15 %" not in page and "медианы аналогов" not in page
    assert "Доля жилой площади: +5 %" in page and ", %:" not in page

    snapshot = ShareSnapshot.create_for({**state["analysis"]})
    shared = client.get(f"/r/{snapshot.token}/")
    assert shared.status_code == 200 and "Цена в рынке" in text(shared)
    assert "вернуть в расчёт" not in text(shared), "the shared copy is read-only"


def test_a_share_keeps_the_role_the_answer_was_worded_for(client):
    analysed(client, **{"manual-price": "12 000 000"})
    client.post("/calculator/analysis/", {"action": "role", "role": "buyer"})
    client.post("/calculator/share/", {"action": "share"})
    token = client.session["housler.wizard"]["share"]["token"]
    client.cookies.clear()
    assert "Цена завышена" in text(client.get(f"/r/{token}/"))


def test_caveats_the_valuation_adds_are_listed_in_the_answer(client):
    analysed(client)
    session = client.session
    state = session["housler.wizard"]
    state["analysis"]["result"]["caveats"] = ["Аналогов из этого дома нет: цена может отличаться"]
    session["housler.wizard"] = state
    session.save()
    body = client.get("/calculator/analysis/").content.decode()
    answer = body[body.index('id="answer"') : body.index("</section>", body.index('id="answer"'))]
    assert (
        '<ul class="caveats"><li>Аналогов из этого дома нет: цена может отличаться</li>' in answer
    )
    assert "- Аналогов из этого дома нет" in client.get("/calculator/report.md").content.decode()
