"""Attribute effects on log ₽/м², estimated from real listings in two stages.

Flat-level attributes (floor position, size, living and kitchen shares) are estimated *within a
house*: comparing flats of one building removes location, age and material, which would otherwise
hide inside them. House-level attributes (material, build year, storeys, ceiling, metro, new build
vs resale, apartments) are then estimated *within a district* on prices already adjusted for the
flat-level effects. Standard errors are clustered by house, since listings of one building are
not independent. What remains after both stages gives the two noise scales the method's weights
and range start from: one listing's own scatter inside its house, and the spread between houses
of one district.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calculator.valuation import bands

MIN_BAND_LISTINGS = 30  # a band seen less often is left unadjusted (unknown) by the method


@dataclass(frozen=True)
class Effect:
    """One fitted attribute: a band table (log effect per band, 0 for the base one) or a slope."""

    key: str
    label: str
    stage: str  # "flat" (within a house) or "house" (within a district)
    reference: str | None = None  # None for a slope

    def read(self, flat: Mapping[str, Any]) -> Any:
        return bands.READERS[self.key](flat)


EFFECTS: tuple[Effect, ...] = (
    Effect("floor", "Этаж", "flat", "middle"),
    Effect("size", "Площадь (эффект размера)", "flat"),
    Effect("living_share", "Доля жилой площади", "flat"),
    Effect("kitchen_share", "Доля кухни", "flat"),
    Effect("ceiling", "Высота потолков", "house"),
    Effect("house_type", "Тип дома", "house", "монолит"),
    Effect("build_year", "Год постройки", "house", "2006–2015"),
    Effect("storeys", "Этажность дома", "house", "10–16"),
    Effect("metro", "До метро", "house", "пешком 6–10 мин"),
    Effect("segment", "Новостройка или вторичка", "house", "вторичка"),
    Effect("apartments", "Апартаменты", "house", "квартира"),
)


@dataclass
class Design:
    """Columns of one stage: (effect key, band or None for a slope) per estimated column."""

    matrix: np.ndarray
    columns: list[tuple[str, str | None]]
    counts: dict[tuple[str, str | None], int]


def _design(listings: Sequence[Mapping[str, Any]], effects: Sequence[Effect]) -> Design:
    blocks, columns, counts = [], [], {}
    for effect in effects:
        values = [effect.read(flat) for flat in listings]
        missing = np.array([v is None for v in values], dtype=float)
        if effect.reference is None:
            blocks.append(np.array([0.0 if v is None else float(v) for v in values]))
            columns.append((effect.key, None))
            counts[(effect.key, None)] = int(len(values) - missing.sum())
        else:
            seen: dict[str, int] = {}
            for v in values:
                if v is not None:
                    seen[v] = seen.get(v, 0) + 1
            for band in sorted(seen):
                if band != effect.reference and seen[band] >= MIN_BAND_LISTINGS:
                    blocks.append(np.array([float(v == band) for v in values]))
                    columns.append((effect.key, band))
                    counts[(effect.key, band)] = seen[band]
            rare = [
                v is not None and v != effect.reference and seen[v] < MIN_BAND_LISTINGS
                for v in values
            ]
            missing = np.maximum(missing, np.array(rare, dtype=float))
        if missing.any():
            blocks.append(missing)  # absorbs "not stated"; never used by the method
            columns.append((effect.key, "?"))
    return Design(np.column_stack(blocks), columns, counts)


def _demean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Values minus their group's mean (the fixed-effects transform)."""
    _, index = np.unique(groups, return_inverse=True)
    sums = np.zeros((index.max() + 1, *values.shape[1:]))
    np.add.at(sums, index, values)
    sizes = np.bincount(index).astype(float).reshape((-1,) + (1,) * (values.ndim - 1))
    return values - (sums / sizes)[index]


def _ols(
    x: np.ndarray, y: np.ndarray, clusters: np.ndarray, absorbed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, cluster-robust standard errors and residuals of a demeaned regression."""
    keep = np.abs(x).sum(axis=0) > 1e-9
    beta = np.zeros(x.shape[1])
    se = np.full(x.shape[1], np.nan)
    xk = x[:, keep]
    coef, *_ = np.linalg.lstsq(xk, y, rcond=None)
    resid = y - xk @ coef
    bread = np.linalg.pinv(xk.T @ xk)
    _, index = np.unique(clusters, return_inverse=True)
    scores = np.zeros((index.max() + 1, xk.shape[1]))
    np.add.at(scores, index, xk * resid[:, None])
    g, n, k = scores.shape[0], len(y), xk.shape[1] + absorbed
    factor = g / max(g - 1, 1) * (n - 1) / max(n - k, 1)
    cov = bread @ (scores.T @ scores) @ bread * factor
    beta[keep], se[keep] = coef, np.sqrt(np.maximum(np.diag(cov), 0.0))
    return beta, se, resid


def _table(effects: Sequence[Effect], design: Design, beta: np.ndarray, se: np.ndarray) -> dict:
    table: dict[str, Any] = {}
    for effect in effects:
        entry: dict[str, Any] = {"label": effect.label, "stage": effect.stage}
        if effect.reference is None:
            i = design.columns.index((effect.key, None))
            entry["slope"] = [round(float(beta[i]), 5), round(float(se[i]), 5)]
            entry["listings"] = design.counts[(effect.key, None)]
        else:
            entry["reference"] = effect.reference
            entry["bands"] = {
                band: [round(float(beta[i]), 5), round(float(se[i]), 5), design.counts[(key, band)]]
                for i, (key, band) in enumerate(design.columns)
                if key == effect.key and band not in (None, "?") and math.isfinite(se[i])
            }
        table[effect.key] = entry
    return table


def _anova(resid: np.ndarray, houses: np.ndarray) -> tuple[float, float]:
    """Within-house sd and between-house sd of residuals (one-way ANOVA, moments)."""
    _, index, sizes = np.unique(houses, return_inverse=True, return_counts=True)
    means = np.bincount(index, weights=resid) / sizes
    within = float(((resid - means[index]) ** 2).sum()) / max(len(resid) - len(sizes), 1)
    n0 = (len(resid) - (sizes**2).sum() / len(resid)) / max(len(sizes) - 1, 1)
    between = float((sizes * (means - resid.mean()) ** 2).sum()) / max(len(sizes) - 1, 1)
    return math.sqrt(within), math.sqrt(max(0.0, (between - within) / n0))


def fit(listings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The effects table and noise scales from listings that carry `house_id` and `district`."""
    listings = [x for x in listings if x.get("house_id")]
    y = np.log([x["price"] / x["total_area"] for x in listings])
    houses = np.array([str(x["house_id"]) for x in listings])
    districts = np.array([str(x["district"]) for x in listings])
    flat_effects = [e for e in EFFECTS if e.stage == "flat"]
    house_effects = [e for e in EFFECTS if e.stage == "house"]

    d1 = _design(listings, flat_effects)
    b1, se1, _ = _ols(
        _demean(d1.matrix, houses), _demean(y, houses), houses, len(np.unique(houses))
    )
    y2 = y - d1.matrix @ b1
    d2 = _design(listings, house_effects)
    b2, se2, resid = _ols(
        _demean(d2.matrix, districts), _demean(y2, districts), houses, len(np.unique(districts))
    )
    sigma_listing, tau_house = _anova(resid, houses)
    return {
        "effects": {**_table(flat_effects, d1, b1, se1), **_table(house_effects, d2, b2, se2)},
        "noise": {
            "listing_sd": round(sigma_listing, 5),
            "house_sd": round(tau_house, 5),
        },
    }
