"""The wizard's side of "no lost edits", with Django's test client on fakeredis (Lua via lupa):
a change redone on the fresh state after another request's save, and one-time form tokens."""

import pytest
from django.conf import settings

from calculator import wizard
from sessions_backend.engine import SessionStore
from tests.support.wizard_client import add_manual_comparable, confirm_details, start_manual

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor(client, fake_sessions):
    start_manual(client)
    confirm_details(client)
    return client


def comparables(client) -> list[dict]:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return SessionStore(key)[wizard.SESSION_KEY]["comparables"]


def test_an_add_saved_meanwhile_by_another_request_is_kept(visitor, monkeypatch):
    add_manual_comparable(visitor, "9 000 000", "50")
    commit = wizard.WizardState.commit

    def another_request_saves_first(state):
        monkeypatch.setattr(wizard.WizardState, "commit", commit)
        add_manual_comparable(visitor, "9 500 000", "52")
        commit(state)

    monkeypatch.setattr(wizard.WizardState, "commit", another_request_saves_first)
    response = add_manual_comparable(visitor, "9 900 000", "55")
    assert response.status_code == 302
    assert [c["price"] for c in comparables(visitor)] == [9_000_000, 9_500_000, 9_900_000]
    assert [c["id"] for c in comparables(visitor)] == ["c1", "c2", "c3"]


def test_a_form_submitted_twice_is_applied_once_and_shows_its_result(visitor):
    form = {
        "action": "add_manual",
        "add_manual-price": "9 000 000",
        "add_manual-total_area": "50",
        "add_manual-rooms": "2",
        "form_token": "t" * 22,
    }
    first = visitor.post("/calculator/comparables/", form)
    again = visitor.post("/calculator/comparables/", form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == "/calculator/comparables/#list"
    assert len(comparables(visitor)) == 1
    other = visitor.post("/calculator/comparables/", {**form, "form_token": "u" * 22})
    assert other.status_code == 302
    assert len(comparables(visitor)) == 2


def test_every_wizard_form_carries_a_fresh_token(visitor):
    add_manual_comparable(visitor, "9 000 000", "50")
    page = visitor.get("/calculator/comparables/").content.decode()
    forms, tokens = page.count("<form"), page.count('name="form_token"')
    assert forms >= 5 and tokens == forms
    assert page != visitor.get("/calculator/comparables/").content.decode()


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "with spaces in it ok?"])
def test_a_missing_or_malformed_token_still_applies_the_form(visitor, token):
    response = add_manual_comparable(visitor, "9 000 000", "50")
    assert response.status_code == 302
    data = {"action": "exclude", "comparable_id": "c1", "form_token": token}
    assert visitor.post("/calculator/comparables/", data).status_code == 302
    assert comparables(visitor)[0]["excluded"] is True


def test_remembered_forms_are_capped(visitor):
    for n in range(wizard.FORMS_REMEMBERED + 5):
        data = {"action": "exclude", "comparable_id": "c1", "form_token": f"{n:022d}"}
        assert visitor.post("/calculator/comparables/", data).status_code == 302
    key = visitor.cookies[settings.SESSION_COOKIE_NAME].value
    assert len(SessionStore(key)[wizard.SESSION_KEY]["forms"]) == wizard.FORMS_REMEMBERED
