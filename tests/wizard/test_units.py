"""Number parsing and formatting, client addresses, comparable rules, the chart, the state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import RequestFactory

from calculator import comparables as rules
from calculator.chart import ChartRow, price_chart
from calculator.forms import ComparableManualForm, ManualTargetForm, parse_number
from calculator.templatetags.housler_format import area, format_number, rub, signed_percent
from calculator.wizard import SESSION_KEY, WizardState
from housler.client_address import client_ip
from tests.wizard.helpers import MANUAL


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("54,5", Decimal("54.5")),
        ("54.5", Decimal("54.5")),
        ("9 500 000 ₽", Decimal("9500000")),
        ("9\u00a0500\u00a0000\u00a0₽", Decimal("9500000")),
        ("9\u202f500\u202f000₽", Decimal("9500000")),
        (" 126,4 м² ", Decimal("126.4")),
        ("9500000 руб.", Decimal("9500000")),
    ],
)
def test_numbers_parse_as_typed(typed, expected):
    assert parse_number(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "5,5,5", "1e5", "--3", "9 500 000 $"])
def test_garbage_is_not_a_number(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


@pytest.mark.parametrize(
    ("price", "area_text", "price_value", "area_value"),
    [
        ("9 500 000 ₽", "54,5", 9_500_000, 54.5),
        ("9\u00a0500\u00a0000\u00a0₽", "54.5", 9_500_000, 54.5),
        ("9500000", "54", 9_500_000, 54.0),
    ],
)
def test_forms_accept_russian_typing(price, area_text, price_value, area_value):
    form = ManualTargetForm(
        {**MANUAL, "manual-price": price, "manual-total_area": area_text, "manual-living_area": ""}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == price_value
    assert form.cleaned_data["total_area"] == area_value
    # Blank optional numbers stay blank, never 0.
    assert form.cleaned_data["living_area"] is None


def test_numeric_fields_are_text_inputs_with_inputmode():
    html = str(ComparableManualForm())
    assert 'type="number"' not in html
    assert 'inputmode="numeric"' in html and 'inputmode="decimal"' in html


def test_every_field_on_step_one_has_a_unique_id_and_label(client):
    import re

    body = client.get("/calculator/").content.decode()
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', body)
    assert len(ids) == len(set(ids))
    for field_id in ids:
        assert f'for="{field_id}"' in body


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        (12_500_000, "12 500 000 ₽"),
        (999, "999 ₽"),
        (0, "0 ₽"),
        (None, "—"),
        (1_000.4, "1 000 ₽"),
    ],
)
def test_rubles(value, formatted):
    assert rub(value) == formatted


def test_areas_and_percents():
    assert area(126.4) == "126,4 м²"
    assert area(120.0) == "120 м²"
    assert area(1234.56) == "1 234,6 м²"
    assert format_number(-1234567) == "−1 234 567"
    assert signed_percent(6.25) == "+6,3 %"
    assert "\u00a0" not in rub(12_500_000) + area(126.4)


def test_client_ip_trusts_forwarded_for_only_from_a_configured_proxy(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    direct = factory.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(direct) == "203.0.113.5"
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(proxied) == "198.51.100.7"  # the rightmost hop the proxy saw
    junk = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(junk) == "10.0.0.1"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    chain = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2")
    assert client_ip(chain) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "label"),
    [
        (0, "Критически мало данных"),
        (2, "Критически мало данных"),
        (3, "Мало аналогов — результат может быть неточным"),
        (4, "Мало аналогов — результат может быть неточным"),
        (5, "Приемлемо, но лучше добавить ещё"),
        (9, "Приемлемо, но лучше добавить ещё"),
        (10, "Отличная выборка"),
    ],
)
def test_quality_labels(count, label):
    assert rules.quality(count).label == label


def flat(cid, price, total_area, address="Москва, ул. Ленина, 1"):
    return {"id": cid, "price": price, "total_area": total_area, "address": address}


def test_spread_and_duplicate_warnings():
    coherent = [flat(f"c{i}", 10_000_000 + i * 100_000, 50) for i in range(5)]
    assert not any("разброс" in w for w in rules.warnings(coherent))
    wide = [flat("c1", 5_000_000, 50), flat("c2", 10_000_000, 50), flat("c3", 16_000_000, 50)]
    assert any(w.startswith("Очень большой разброс цен") for w in rules.warnings(wide))
    medium = [flat("c1", 6_000_000, 50), flat("c2", 10_000_000, 50), flat("c3", 12_000_000, 50)]
    assert any(w.startswith("Большой разброс цен") for w in rules.warnings(medium))
    twins = [flat("c1", 10_000_000, 50.0), flat("c2", 10_150_000, 50.8, "москва ул. ленина 1")]
    assert any("одна и та же квартира" in w and "№1" in w for w in rules.warnings(twins))
    far = [flat("c1", 10_000_000, 50.0), flat("c2", 10_500_000, 50.0)]
    assert not rules.possible_duplicates(far)


def test_rejection_reasons():
    target = {"region_id": 2}
    assert "нет цены или площади" in rules.rejection_reason(
        {"price": None, "total_area": 50}, target
    )
    assert "нет цены или площади" in rules.rejection_reason(
        {"price": 1, "total_area": None}, target
    )
    moscow = {"price": 1_000_000, "total_area": 50, "region_id": 1}
    assert "другого региона" in rules.rejection_reason(moscow, target)
    assert rules.rejection_reason({**moscow, "region_id": 2}, target) is None
    assert rules.rejection_reason(moscow, {"region_id": None}) is None


def test_chart_escapes_labels_and_marks_fair_and_asking():
    svg = str(
        price_chart(
            [ChartRow("<b>1</b>", 500_000, 520_000), ChartRow("№2", 610_000, 590_000, weak=True)],
            asking=617_000,
            fair=560_000,
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "&lt;b&gt;1&lt;/b&gt;" in svg and "<b>1</b>" not in svg
    assert 'class="marker asking"' in svg and 'class="marker fair"' in svg
    assert 'class="row weak"' in svg
    assert str(price_chart([], asking=None, fair=None)) == ""


def test_state_from_another_schema_version_is_dropped_as_expired(rf):
    request = rf.get("/")
    request.session = {SESSION_KEY: {"v": 0, "target": {"price": 1}}}
    request.COOKIES = {}
    state = WizardState.load(request)
    assert state.expired and not state.has_target
