"""How far one comparable's adjusted price strays from the target's: the model behind the weights.

For every target of real listings and each of its comparables (picked as `cases` picks them), the
gap is the comparable's log ₽/м², adjusted toward the target by the fitted effects, minus the
target's own. Its variance is modelled on the log scale by which house attributes the two share
(build year band, material, storeys band, segment, metro station), each "agrees" or "unknown" on
either side, with a separate variance for comparables from the target's own house. Squared gaps
are heavy-tailed, so the scale is set from medians (a squared normal's median is 0.455 σ²), and
the regression on log squared gaps only ranks the pairs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from calculator.valuation import market as market_tables
from calculator.valuation.calibration.cases import Case, cases
from calculator.valuation.coefficients import ATTRIBUTES, ValuationParams, resolve_params
from calculator.valuation.comparison import adjustment_scale, level, log_gaps, same_house

CHI2_MEDIAN = 0.4549  # median of a squared standard normal
TARGETS_PER_CITY = 1000


def by_city(listings: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for listing in listings:
        found.setdefault(listing["city"], []).append(dict(listing))
    return found


def sample_cases(listings: Sequence[Mapping[str, Any]], seed: int) -> list[Case]:
    """Up to TARGETS_PER_CITY seeded targets per city with their comparables."""
    found = []
    for city_listings in by_city(listings).values():
        k = min(TARGETS_PER_CITY, len(city_listings))
        targets = random.Random(seed).sample(city_listings, k)
        found += cases(city_listings, targets, seed=seed)
    return found


def adjusted_gap(p: ValuationParams, target: Mapping[str, Any], flat: Mapping[str, Any]) -> float:
    """The comparable's log ₽/м², adjusted toward the target as the method adjusts it, minus the
    target's."""
    levels = [[level(a, f, p) for a in ATTRIBUTES] for f in (target, flat)]
    gaps = log_gaps(np.array(levels[0]), np.array(levels[1:]))[0]
    listed = math.log(flat["price"] / flat["total_area"])
    return (
        listed
        + float(adjustment_scale(p) @ gaps)
        - math.log(target["price"] / target["total_area"])
    )


def _features(target: Mapping[str, Any], flat: Mapping[str, Any]) -> list[float]:
    row = [1.0]
    for _, read in market_tables.PAIR_TERMS:
        a, b = read(target), read(flat)
        unknown = a is None or b is None
        row += [float(not unknown and a == b), float(unknown)]
    return row


def fit(
    listings: Sequence[Mapping[str, Any]], fitted_effects: Mapping[str, Any], seed: int
) -> dict[str, Any]:
    """The pair-variance table `Market.pair_variance` reads."""
    p = resolve_params({"market": market_tables.Market(effects=fitted_effects)})
    same, other, rows = [], [], []
    for case in sample_cases(listings, seed):
        for flat in case.comparables:
            gap = adjusted_gap(p, case.target, flat)
            if same_house(case.target, flat):
                same.append(gap * gap)
            else:
                other.append(gap * gap)
                rows.append(_features(case.target, flat))
    x, squared = np.array(rows), np.array(other)
    beta, *_ = np.linalg.lstsq(x, np.log(squared + 1e-4), rcond=None)
    level = math.log(float(np.median(squared / np.exp(x @ beta))) / CHI2_MEDIAN)
    terms = {
        key: [round(float(beta[1 + 2 * i]), 4), round(float(beta[2 + 2 * i]), 4)]
        for i, (key, _) in enumerate(market_tables.PAIR_TERMS)
    }
    return {
        "same_house": round(float(np.median(same)) / CHI2_MEDIAN, 5),
        "intercept": round(float(beta[0]) + level, 4),
        "terms": terms,
        "pairs": {"same_house": len(same), "other": len(other)},
    }
