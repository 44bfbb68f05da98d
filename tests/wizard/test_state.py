"""What the wizard keeps in the session."""

from __future__ import annotations

from calculator.wizard import SESSION_KEY, WizardState


def test_state_from_another_schema_version_is_dropped_as_expired(rf):
    request = rf.get("/")
    request.session = {SESSION_KEY: {"v": 0, "target": {"price": 1}}}
    request.COOKIES = {}
    state = WizardState.load(request)
    assert state.expired and not state.has_target
