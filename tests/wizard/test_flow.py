"""The whole wizard through Django's test client, by both entry paths."""

from __future__ import annotations

import re

import pytest

from calculator.models import ShareSnapshot
from tests.support.wizard_cian import NEW_BUILD_URL, RESALE_URL, SEARCH_CARDS
from tests.support.wizard_client import (
    DETAILS,
    analyze,
    confirm_details,
    manual_wizard_with_comparables,
    text,
)

pytestmark = pytest.mark.django_db


def test_landing_leads_to_the_calculator(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/calculator/"' in page.content.decode()
    assert "Оценить квартиру" in text(page)


def test_url_path_from_link_to_shared_report(client, cian_server):
    step1 = client.get("/calculator/")
    assert "Ссылка на объявление" in text(step1)

    # A tracking query string is stripped, not rejected.
    loaded = client.post("/calculator/", {"action": "url", "url": NEW_BUILD_URL + "?utm_source=x"})
    assert loaded.status_code == 302 and loaded["Location"] == "/calculator/#details"
    details = client.get("/calculator/")
    page = text(details)
    assert "ул. Профессора Попова" in page and "126,4 м²" in page and "78 000 000 ₽" in page
    body = details.content.decode()
    # Prefilled from the listing: "without" decoration → черновая; 2+2 WCs capped at 4 choices.
    assert re.search(r'<option value="черновая" selected>', body)
    assert re.search(r'<option value="4" selected>', body)
    assert "Из объявления" in page

    confirm_details(client, **{"details-repair_level": "черновая", "details-bathrooms": "4"})
    found = client.post("/calculator/comparables/", {"action": "find"})
    assert found.status_code == 302
    step2 = text(client.get("/calculator/comparables/"))
    assert f"найдено {len(SEARCH_CARDS)}, добавлено {len(SEARCH_CARDS)}" in step2
    assert "Приемлемо, но лучше добавить ещё" in step2
    assert "Поиск остановлен" not in step2

    added = client.post("/calculator/comparables/", {"action": "add_url", "url": RESALE_URL})
    assert added.status_code == 302
    step2 = text(client.get("/calculator/comparables/", follow=True))
    assert "проезд Петровская коса, 6к1" in step2
    used_on_step2 = int(re.search(r"в расчёте (\d+) из 7", step2).group(1))

    assert analyze(client)["Location"] == "/calculator/analysis/"
    step3 = client.get("/calculator/analysis/")
    page = text(step3)
    assert "Справедливая цена" in page and "В 8 случаях из 10 справедливая цена" in page
    used = len(client.session["housler.wizard"]["analysis"]["result"]["comparables"])
    assert used_on_step2 == used, "step 2 counts what step 3 will use"
    assert any(v in page for v in ("Цена выше рынка", "Цена ниже рынка", "Цена в рынке"))
    assert "Быстро" in page and "Оптимально" in page and "Максимум" in page
    assert "<svg" in step3.content.decode()

    report = client.get("/calculator/report.md")
    assert report["Content-Type"] == "text/markdown; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="housler_report_\d{4}-\d{2}-\d{2}\.md"',
        report["Content-Disposition"],
    )
    markdown = report.content.decode()
    assert markdown.startswith("# Оценка квартиры")
    assert "ул. Профессора Попова" in markdown and "Справедливая цена: **" in markdown
    assert "| № | адрес |" in markdown

    printable = client.get("/calculator/report/")
    assert printable.status_code == 200 and "Справедливая цена" in text(printable)

    shared = client.post("/calculator/share/", {"action": "share"})
    assert shared["Location"] == "/calculator/analysis/#share"
    snapshot = ShareSnapshot.objects.get()
    assert snapshot.token not in (client.session.session_key or "")
    assert f"/r/{snapshot.token}/" in client.get("/calculator/analysis/").content.decode()


def test_manual_path_with_hand_added_comparables(client):
    manual_wizard_with_comparables(client, count=5)
    step2 = text(client.get("/calculator/comparables/"))
    assert "Санкт-Петербург, ул. Савушкина, 10" in step2
    assert "54,5 м²" in step2 and "9 500 000 ₽" in step2
    assert "в расчёте 5 из 5" in step2
    assert analyze(client).status_code == 302
    page = text(client.get("/calculator/analysis/"))
    assert "Справедливая цена" in page
    assert "Санкт-Петербург, ул. Савушкина, 10" in page  # the summary of whose valuation it is


def test_exclude_and_include_by_stable_id(client):
    manual_wizard_with_comparables(client, count=5)
    client.post("/calculator/comparables/", {"action": "exclude", "comparable_id": "c2"})
    page = client.get("/calculator/comparables/").content.decode()
    assert "в расчёте 4 из 5" in text(client.get("/calculator/comparables/"))
    assert 'name="comparable_id" value="c2"' in page
    assert re.search(
        r'value="include">\s*<input type="hidden" name="comparable_id" value="c2"', page
    )
    client.post("/calculator/comparables/", {"action": "include", "comparable_id": "c2"})
    assert "в расчёте 5 из 5" in text(client.get("/calculator/comparables/"))


def test_going_back_marks_the_analysis_stale_until_recomputed(client):
    manual_wizard_with_comparables(client, count=5)
    analyze(client)
    assert "изменились после расчёта" not in text(client.get("/calculator/analysis/"))
    client.post("/calculator/", {**DETAILS, "details-repair_level": "премиум"})
    page = text(client.get("/calculator/analysis/"))
    assert "изменились после расчёта" in page and "Пересчитать" in page
    recomputed = client.post("/calculator/analysis/", {"action": "analyze"})
    assert recomputed.status_code == 302
    assert "изменились после расчёта" not in text(client.get("/calculator/analysis/"))


def test_analysis_is_not_recomputed_on_get(client, monkeypatch):
    manual_wizard_with_comparables(client, count=5)
    analyze(client)
    from calculator import valuation

    def boom(*args, **kwargs):
        raise AssertionError("GET must render the stored analysis")

    # The views take no valuation as a dependency: the one function that computes must not run.
    monkeypatch.setattr(valuation, "value_with_settings", boom)
    assert client.get("/calculator/analysis/").status_code == 200
    assert client.get("/calculator/report.md").status_code == 200


def test_reset_starts_over_without_claiming_the_session_expired(client):
    manual_wizard_with_comparables(client, count=1)
    assert "Квартира, аналоги и расчёт будут удалены" in text(client.get("/calculator/reset/"))
    response = client.post("/calculator/reset/", {"action": "reset"}, follow=True)
    page = text(response)
    assert "Начинаем заново" in page
    assert "Сессия истекла" not in page
    assert "Ввести данные вручную" in page
    assert client.get("/calculator/comparables/")["Location"] == "/calculator/"
