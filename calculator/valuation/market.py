"""The market as the method reads it: the tables `manage.py calibrate_valuation` fits on real
listings (calculator/valuation/calibration/fitted_effects.json).

Four things come from there, each fitted rather than set by hand:
- each attribute's effect on log ₽/м², with its standard error (`level`, `variance`);
- how far another house's listing strays from the target's price, by which house attributes
  the two share (`pair_variance`): the comparables' weights;
- how wide the range is for a given spread, number of comparables and same-house share
  (`range_quantiles`): conformal quantiles of the errors on listings the fit never saw;
- the range widths that separate высокая / средняя / низкая confidence (`confidence`).

A `Market` is plain data: the benchmark builds one per held-out fold from other districts' rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from calculator.valuation import bands

TABLES = Path(__file__).resolve().parent / "calibration" / "fitted_effects.json"

# (attribute key, how a flat is read): the house attributes whose agreement the pair model scores.
PAIR_TERMS = (
    ("build_year", bands.build_year),
    ("house_type", bands.house_type),
    ("storeys", bands.storeys),
    ("segment", bands.segment),
    ("metro_name", bands.metro_station),
)


@dataclass(frozen=True)
class Market:
    """Fitted tables; see the module docstring. A market under construction (the calibration
    fitting its own range) has no `ranges` or `confidence` yet and values flats without a range."""

    effects: Mapping[str, Any]
    pairs: Mapping[str, Any] | None = None
    ranges: Mapping[str, Any] | None = None
    confidence: Mapping[str, Any] | None = None

    def log_effect(self, key: str, flat: Mapping[str, Any]) -> tuple[float, float] | None:
        """(log effect, its variance) of a fitted attribute on this flat; None when the flat
        does not state it or states a band the data saw too rarely to fit."""
        entry = self.effects.get(key)
        read = bands.READERS[key]
        value = read(flat)
        if entry is None or value is None:
            return None
        if "slope" in entry:
            slope, se = entry["slope"]
            return slope * value, (se * value) ** 2
        if value == entry["reference"]:
            return 0.0, 0.0
        if value not in entry["bands"]:
            return None
        effect, se, _ = entry["bands"][value]
        return effect, se * se

    def pair_variance(
        self, target: Mapping[str, Any], flat: Mapping[str, Any], same: bool
    ) -> float:
        """Expected squared log gap between the target's price and this comparable's adjusted
        one: the within-house scatter for its own house, otherwise a log-linear model of which
        house attributes agree (agreeing build year, material, height… mean a closer price)."""
        if self.pairs is None:
            raise ValueError("these tables have no pair model: fit it before valuing with them")
        if same:
            return float(self.pairs["same_house"])
        log_v = float(self.pairs["intercept"])
        for key, read in PAIR_TERMS:
            agree, unknown = self.pairs["terms"][key]
            a, b = read(target), read(flat)
            log_v += unknown if a is None or b is None else agree if a == b else 0.0
        return math.exp(log_v)

    def range_quantiles(self, group: str) -> list[float] | None:
        """(q2.5, q10, q90, q97.5) of the standardised error for a case group, or None."""
        if not self.ranges:
            return None
        found = self.ranges["groups"].get(group) or self.ranges["groups"].get("all")
        return None if found is None else list(found["quantiles"])


def from_tables(tables: Mapping[str, Any]) -> Market:
    return Market(
        effects=tables["effects"],
        pairs=tables.get("pairs"),
        ranges=tables.get("ranges"),
        confidence=tables.get("confidence"),
    )


@lru_cache(maxsize=1)
def shipped() -> Market:
    """The tables shipped with the code (read once per process)."""
    return from_tables(json.loads(TABLES.read_text(encoding="utf-8")))
