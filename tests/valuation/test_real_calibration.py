"""The fitted effects are reproducible from the repository alone and say what they rest on."""

import hashlib

import pytest
from django.core.management import call_command

from calculator.valuation import calibration
from calculator.valuation.calibration import data_sources, effects


@pytest.fixture(scope="module")
def refit():
    return calibration.calibrate()


def test_shipped_tables_are_the_commands_output(refit):
    assert calibration.differences(refit, calibration.shipped()) == []


def test_check_command_agrees_and_notices_an_edit(tmp_path, monkeypatch, capsys):
    call_command("calibrate_valuation", "--check")
    edited = calibration.shipped()
    edited["effects"]["floor"]["bands"]["first"][0] += 0.01
    path = tmp_path / "fitted.json"
    calibration.write(edited, path)
    monkeypatch.setattr(calibration, "TABLES", path)
    with pytest.raises(SystemExit):
        call_command("calibrate_valuation", "--check")
    assert "/effects/floor/bands/first/0" in capsys.readouterr().err


def test_tables_name_their_data(refit):
    for entry in refit["data"]:
        raw = (data_sources.DATA_DIR / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
        assert 0 < entry["listings_used"] <= entry["rows"]
    assert set(refit["hand_set"]).isdisjoint(refit["effects"])


def test_every_effect_has_a_standard_error(refit):
    for effect in effects.EFFECTS:
        entry = refit["effects"][effect.key]
        estimates = [entry["slope"]] if effect.reference is None else entry["bands"].values()
        assert estimates, effect.key
        for estimate in estimates:
            assert estimate[1] > 0, (effect.key, estimate)


def test_rows_that_cannot_be_comparables_are_dropped():
    moscow = data_sources.moscow()
    for listing in moscow.listings:
        assert 40_000 <= listing["price"] / listing["total_area"] <= 3_000_000
    assert len(moscow.listings) < moscow.rows
    assert all(x["house_id"] and x["district"] for x in data_sources.spb().listings)
