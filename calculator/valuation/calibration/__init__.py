"""Fitting the valuation to real listings: the shipped data (`data/`), how a flat's attributes are
banded (`calculator.valuation.bands`), the two-stage effects fit (`effects`), the weights' pair
model (`pairs`), the range's quantiles and confidence labels (`ranges`), and the cases a benchmark
values (`cases`). `calibrate()` is what `manage.py calibrate_valuation` writes.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from calculator.valuation.calibration import data_sources, effects, pairs, ranges

TABLES = Path(__file__).resolve().parent / "fitted_effects.json"
SEED = 20261126


def fit_tables(listings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Effects and the pair model from these listings (no range yet)."""
    fitted = effects.fit(listings)
    fitted["pairs"] = pairs.fit(listings, fitted["effects"], SEED)
    return fitted


def fit_market(listings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Everything the method reads: `fit_tables` on all these listings, and the range and
    confidence tables from valuing them held out by district (`ranges`)."""
    fitted = fit_tables(listings)
    fitted.update(ranges.fit(ranges.held_out(listings, fit_tables, SEED)))
    return fitted


def calibrate(today: datetime.date | None = None) -> dict[str, Any]:
    """The fitted effects with the provenance of every row they came from."""
    datasets = list(data_sources.both())
    listings = [listing for dataset in datasets for listing in dataset.listings]
    fitted = fit_market(listings)
    return {
        "fitted_on": (today or datetime.date.today()).isoformat(),
        "data": [
            {
                "file": name,
                "sha256": dataset.sha256,
                "rows": dataset.rows,
                "listings_used": len(dataset.listings),
            }
            for name, dataset in zip((data_sources.MOSCOW, data_sources.SPB), datasets, strict=True)
        ],
        "hand_set": ["repair_level", "window_type", "elevator_count", "view_type", "bathrooms"],
        **fitted,
    }


def differences(fresh: Any, shipped: Any, tolerance: float = 1e-4, path: str = "") -> list[str]:
    """Where two tables disagree (numbers beyond `tolerance`, since another BLAS may round the
    last digit differently); the fit date is not compared."""
    if isinstance(fresh, dict) and isinstance(shipped, dict):
        keys = (set(fresh) | set(shipped)) - {"fitted_on"}
        return [
            d
            for k in sorted(keys)
            for d in differences(fresh.get(k), shipped.get(k), tolerance, f"{path}/{k}")
        ]
    if isinstance(fresh, list) and isinstance(shipped, list) and len(fresh) == len(shipped):
        return [
            d
            for i, (a, b) in enumerate(zip(fresh, shipped, strict=False))
            for d in differences(a, b, tolerance, f"{path}/{i}")
        ]
    if (
        isinstance(fresh, float | int)
        and isinstance(shipped, float | int)
        and not isinstance(fresh, bool)
    ):
        return [] if abs(fresh - shipped) <= tolerance else [f"{path}: {shipped} → {fresh}"]
    return [] if fresh == shipped else [f"{path}: {shipped!r} → {fresh!r}"]


def write(tables: dict[str, Any], path: Path | None = None) -> None:
    (path or TABLES).write_text(
        json.dumps(tables, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def shipped(path: Path | None = None) -> dict[str, Any]:
    return json.loads((path or TABLES).read_text(encoding="utf-8"))
