"""The wizard's forms: Russian typing, accessible inputs, choices that all have an effect."""

from __future__ import annotations

import re

import pytest

from calculator import forms
from calculator.forms import ComparableManualForm, DetailsForm, ManualTargetForm
from calculator.valuation.coefficients import ATTRIBUTES, DEFAULT_PARAMS
from tests.support.wizard_client import MANUAL


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
    assert form.listing()["price_per_sqm"] == round(price_value / area_value)


def test_numeric_fields_are_text_inputs_with_inputmode():
    html = str(ComparableManualForm())
    assert 'type="number"' not in html
    assert 'inputmode="numeric"' in html and 'inputmode="decimal"' in html


def test_every_field_on_step_one_has_a_unique_id_and_label(client):
    body = client.get("/calculator/").content.decode()
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', body)
    assert len(ids) == len(set(ids))
    for field_id in ids:
        assert f'for="{field_id}"' in body


@pytest.mark.parametrize("field", ["repair_level", "window_type", "elevator_count", "view_type"])
def test_every_offered_choice_is_a_row_of_its_coefficient_table(field):
    offered = [key for key, _ in DetailsForm.base_fields[field].choices]
    attribute = next(a for a in ATTRIBUTES if a.key == field)
    table = getattr(DEFAULT_PARAMS, field)
    assert offered and len(set(offered)) == len(offered)
    assert set(offered) <= set(table)
    levels = {attribute.level({field: key}, DEFAULT_PARAMS) for key in offered}
    assert None not in levels and len(levels) > 1
    assert forms.DETAIL_DEFAULTS[field] in offered


def test_the_details_form_refuses_a_value_the_table_does_not_price():
    data = {f"details-{k}": v for k, v in forms.DETAIL_DEFAULTS.items() if v is not None}
    assert DetailsForm(data).is_valid()
    refused = DetailsForm({**data, "details-repair_level": "золотой"})
    assert not refused.is_valid() and "repair_level" in refused.errors


@pytest.mark.parametrize(
    ("typed", "value"),
    [("75 млн", 75_000_000), ("7,5 млн", 7_500_000), ("75 000 000 ₽", 75_000_000)],
)
def test_a_price_may_be_typed_in_words(typed, value):
    for form_class, prefix in ((ManualTargetForm, "manual"), (ComparableManualForm, "add_manual")):
        data = {f"{prefix}-{k.split('-', 1)[1]}": v for k, v in MANUAL.items() if "-" in k}
        form = form_class({**data, f"{prefix}-price": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["price"] == value


def test_the_owner_may_leave_the_price_empty_but_a_comparable_may_not():
    form = ManualTargetForm({**MANUAL, "manual-price": ""})
    assert form.is_valid(), form.errors
    assert form.listing()["price"] is None and form.listing()["price_per_sqm"] is None
    data = {f"add_manual-{k.split('-', 1)[1]}": v for k, v in MANUAL.items() if "-" in k}
    assert "price" in ComparableManualForm({**data, "add_manual-price": ""}).errors


def test_rooms_start_unchosen_and_must_be_chosen():
    for form in (ManualTargetForm(), ComparableManualForm()):
        html = str(form["rooms"])
        assert '<option value="" selected>Выберите</option>' in html
    refused = ManualTargetForm({**MANUAL, "manual-rooms": ""})
    assert refused.errors["rooms"] == ["Выберите, сколько в квартире комнат"]


def test_placeholders_suggest_a_value_of_their_own_field():
    form = ManualTargetForm()
    placeholders = {
        name: form.fields[name].widget.attrs.get("placeholder")
        for name in ("total_area", "living_area", "kitchen_area", "price")
    }
    assert len(set(placeholders.values())) == 4, placeholders
    assert placeholders["price"] == "9,5 млн"
    assert DetailsForm().fields["living_area"].widget.attrs["placeholder"] == "32"
