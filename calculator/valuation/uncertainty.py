"""How far the fair price can be trusted: ranges, confidence, accuracy (docs/valuation.md §5).

The bootstrap carries three sources of doubt: which comparables happened to be listed
(resampling), how right the coefficient tables are (a scale factor per attribute) and how much
the target's own house differs from the others (house noise, unless comparables share its house).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from calculator.addresses import house_key, same_house
from calculator.valuation import reconciliation
from calculator.valuation.coefficients import ValuationParams
from calculator.valuation.comparison import Sample, similarity

LOO_LABEL = "точность предсказания одного объявления"


def house_spread(adjusted: np.ndarray, flats: list[Mapping[str, Any]], p: ValuationParams) -> float:
    """Between-house sd of adjusted log ₽/м² (one-way ANOVA, method of moments).

    Estimable only with ≥ 2 houses and a house holding ≥ 2 listings; flats of no known house count
    as houses of their own. The estimate from a few houses is noisy (often exactly 0), so it is
    pooled with the default as a prior worth `tau_prior_df` degrees of freedom.
    """
    groups: dict[str, list[float]] = {}
    for i, (y, flat) in enumerate(zip(np.log(adjusted), flats, strict=True)):
        key = house_key(flat) or f"i:{i}"
        groups.setdefault(key, []).append(float(y))
    n_total, n_groups = len(adjusted), len(groups)
    if n_groups < 2 or n_total <= n_groups:
        return p.tau_default
    grand = float(np.mean(np.log(adjusted)))
    within = sum(float(np.sum((np.array(g) - np.mean(g)) ** 2)) for g in groups.values())
    between = sum(len(g) * (float(np.mean(g)) - grand) ** 2 for g in groups.values())
    ms_within = within / (n_total - n_groups)
    ms_between = between / (n_groups - 1)
    n0 = (n_total - sum(len(g) ** 2 for g in groups.values()) / n_total) / (n_groups - 1)
    tau2_hat = max(0.0, (ms_between - ms_within) / n0)
    df = n_groups - 1
    tau2 = (p.tau_prior_df * p.tau_default**2 + df * tau2_hat) / (p.tau_prior_df + df)
    return math.sqrt(tau2)


def bootstrap_ranges(
    s: Sample, fair_total: int, tau: float, n_boot: int, seed: int, p: ValuationParams
) -> dict[str, Any]:
    """Quantiles of resampled fair totals (resampling, table scale factors, house noise)."""
    n, n_attr = s.levels.shape
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(n_boot, n))
    scale = rng.normal(1.0, p.sigma_coef, size=(n_boot, n_attr))
    house_noise = rng.standard_normal(n_boot)
    counts = np.bincount(
        (picks + n * np.arange(n_boot)[:, None]).ravel(), minlength=n_boot * n
    ).reshape(n_boot, n)
    batch = reconciliation.run(
        s.log_ppsm, s.levels, counts, s.target_levels[None, :], scale, s.similarity, p, s.vouched
    )
    own_house = np.array([same_house(s.target, c["_flat"]) for c in s.valid])
    share = (batch.effective * own_house).sum(axis=1) / batch.effective.sum(axis=1)
    totals = batch.fair_ppsm * s.area * np.exp(tau * (1.0 - share) * house_noise)
    q025, q10, q90, q975 = np.quantile(totals, [0.025, 0.10, 0.90, 0.975])
    return {
        "range_80": _range(q10, q90, fair_total, p),
        "range_95": _range(q025, q975, fair_total, p),
    }


def _range(low: float, high: float, fair_total: int, p: ValuationParams) -> dict[str, int]:
    """A money range that contains the point estimate (widened to it if the quantiles miss it)."""
    return {
        "low": min(p.round_money(low), fair_total),
        "high": max(p.round_money(high), fair_total),
    }


def confidence(range_80: Mapping[str, int] | None, fair: int, n: int, p: ValuationParams) -> str:
    """высокая / средняя / низкая from the 80 % range's width; a small sample is never высокая."""
    if range_80 is None:
        return "низкая"
    width = (range_80["high"] - range_80["low"]) / fair
    if width < p.confidence_high:
        return "средняя" if n < p.confidence_cap_n else "высокая"
    return "средняя" if width < p.confidence_medium else "низкая"


def leave_one_out(s: Sample, used: np.ndarray, p: ValuationParams) -> dict[str, Any] | None:
    """Median |error| of predicting each used listing from all the other validated ones."""
    n = len(s.valid)
    if len(used) < 2:
        return None
    counts = np.ones((len(used), n))
    counts[np.arange(len(used)), used] = 0.0
    similarities = np.array(
        [[similarity(s.valid[i]["_flat"], c["_flat"], p) for c in s.valid] for i in used]
    )
    batch = reconciliation.run(
        s.log_ppsm, s.levels, counts, s.levels[used], np.ones((1, 1)), similarities, p, s.vouched
    )
    actual = np.exp(s.log_ppsm[used])
    errors = np.abs(batch.fair_ppsm - actual) / actual
    errors = errors[~np.isnan(errors)]
    if errors.size == 0:
        return None
    return {
        "percent": round(float(np.median(errors)) * 100, 1),
        "label": LOO_LABEL,
        "count": int(errors.size),
    }
