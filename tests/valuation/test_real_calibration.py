"""The fitted tables are reproducible from the repository alone, say what they rest on, and
say what a professional would expect of them."""

import hashlib
import math

import pytest
from django.core.management import call_command

from calculator.valuation import calibration
from calculator.valuation.calibration import data_sources, effects


@pytest.fixture(scope="module")
def refit():
    """The tables fitted afresh from the repository's data, as `calibrate_valuation` does."""
    return calibration.calibrate()


@pytest.fixture(scope="module")
def tables():
    """The shipped tables: the refit itself, as the first test proves, read in a moment."""
    return calibration.shipped()


@pytest.mark.slow  # the refit takes most of a minute on 2 cores
def test_shipped_tables_are_the_commands_output(refit):
    assert calibration.differences(refit, calibration.shipped()) == []


def test_check_command_agrees_and_notices_an_edit(tables, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(calibration, "calibrate", lambda: tables)  # the refit is tested above
    call_command("calibrate_valuation", "--check")
    assert "match" in capsys.readouterr().out
    edited = calibration.shipped()
    edited["effects"]["floor"]["bands"]["first"][0] += 0.01
    path = tmp_path / "fitted.json"
    calibration.write(edited, path)
    monkeypatch.setattr(calibration, "TABLES", path)
    with pytest.raises(SystemExit):
        call_command("calibrate_valuation", "--check")
    assert "/effects/floor/bands/first/0" in capsys.readouterr().err


def test_tables_name_their_data(tables):
    for entry in tables["data"]:
        raw = (data_sources.DATA_DIR / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
        assert 0 < entry["listings_used"] <= entry["rows"]
    assert set(tables["hand_set"]).isdisjoint(tables["effects"])


def test_every_effect_has_a_standard_error(tables):
    for effect in effects.EFFECTS:
        entry = tables["effects"][effect.key]
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


def test_weights_trust_the_own_house_most_and_then_houses_alike(tables):
    pairs = tables["pairs"]
    assert pairs["same_house"] < math.exp(pairs["intercept"])
    for key in ("build_year", "house_type", "storeys", "metro_name"):
        agree, _ = pairs["terms"][key]
        assert agree < 0, key  # sharing the attribute brings the prices closer


def test_ranges_widen_where_the_held_out_error_did(tables):
    groups = tables["ranges"]["groups"]
    spread = {name: g["quantiles"][2] - g["quantiles"][1] for name, g in groups.items()}
    assert spread["6–9 аналогов, другие дома"] > spread["10+ аналогов, другие дома"]
    for g in groups.values():
        q = g["quantiles"]
        assert q[0] < q[1] < 0 < q[2] < q[3]


def test_confidence_labels_order_the_held_out_error(tables):
    mdape = tables["confidence"]["held_out_mdape"]
    assert mdape["высокая"] < mdape["средняя"] < mdape["низкая"]
    assert tables["confidence"]["high"] < tables["confidence"]["medium"]
