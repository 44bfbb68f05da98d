"""The strong baseline: a gradient-boosting AVM of the kind listing sites run.

It learns log ₽/м² from every other listing of the city (location included: district and metro
station in Moscow, the approximate position in St Petersburg), cross-fitted in five folds of flats
(a flat's relistings share a fold, so no copy of a target is ever in its training data). Its
ranges are cross-conformal: the quantiles of the out-of-fold errors of the *other* folds.
scikit-learn is a benchmark-only dependency (requirements-bench.txt).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

FOLDS = 5
QUANTILES = (0.025, 0.10, 0.90, 0.975)
_NUMERIC = (
    "total_area", "living_area", "kitchen_area", "rooms", "floor", "total_floors",
    "ceiling_height", "build_year", "metro_minutes",
)  # fmt: skip
_CATEGORIES = ("house_type", "category", "metro_way", "district", "metro_name")


def _fold(listing: dict[str, Any]) -> int:
    flat = f"{listing.get('house_id')}|{listing.get('floor')}|{round(listing['total_area'])}"
    return int(hashlib.sha256(flat.encode()).hexdigest(), 16) % FOLDS


def _features(listings: Sequence[dict[str, Any]]) -> tuple[np.ndarray, list[bool]]:
    columns, categorical = [], []
    for key in _NUMERIC:
        columns.append([np.nan if x.get(key) is None else float(x[key]) for x in listings])
        categorical.append(False)
    columns.append([float(bool(x.get("apartments"))) for x in listings])
    categorical.append(False)
    if listings and "xy" in listings[0]:
        columns += [[x["xy"][0] for x in listings], [x["xy"][1] for x in listings]]
        columns.append([x["listed"].toordinal() for x in listings])
        categorical += [False, False, False]
    for key in _CATEGORIES:
        values = [x.get(key) for x in listings]
        codes = {v: i for i, v in enumerate(sorted({v for v in values if v is not None}))}
        columns.append([np.nan if v is None else float(codes[v] % 250) for v in values])
        categorical.append(True)
    matrix = np.array(columns).T
    informative = [np.unique(c[~np.isnan(c)]).size > 1 for c in matrix.T]
    return matrix[:, informative], [c for c, i in zip(categorical, informative, strict=True) if i]


def _model(categorical: list[bool]) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        max_iter=300, learning_rate=0.08, categorical_features=categorical, random_state=0
    )


def predict(
    listings: Sequence[dict[str, Any]], targets: Sequence[dict[str, Any]]
) -> dict[str, tuple[float, dict[float, float]]]:
    """Out-of-fold predicted total price and its range quantiles, by target id."""
    x, categorical = _features(listings)
    y = np.log([t["price"] / t["total_area"] for t in listings])
    folds = np.array([_fold(t) for t in listings])
    predicted = np.empty_like(y)
    for k in range(FOLDS):
        rows = folds == k
        predicted[rows] = _model(categorical).fit(x[~rows], y[~rows]).predict(x[rows])
    residual = y - predicted
    index = {t["id"]: i for i, t in enumerate(listings)}
    out: dict[str, tuple[float, dict[float, float]]] = {}
    spread = {k: np.quantile(residual[folds != k], QUANTILES) for k in range(FOLDS)}
    for target in targets:
        i = index[target["id"]]
        area = target["total_area"]
        quantiles = spread[int(folds[i])]
        out[target["id"]] = (
            float(np.exp(predicted[i]) * area),
            {
                q: float(np.exp(predicted[i] + r) * area)
                for q, r in zip(QUANTILES, quantiles, strict=True)
            },
        )
    return out
