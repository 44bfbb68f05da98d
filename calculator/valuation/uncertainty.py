"""How far the fair price can be trusted: ranges, confidence, accuracy (docs/valuation.md §5).

The range is a predictive one: where the asking price of a flat like the target falls. Its width
is a scale times fitted quantiles. The scale adds two doubts in quadrature: how much the estimate
itself would move (a bootstrap over which comparables happened to be listed, and over each
attribute effect within its own standard error) and how far a single flat strays from what its
comparables say (their weighted spread after adjustment). The quantiles of the error in units of
that scale come from listings the fit never saw (conformal calibration), by number of comparables
and whether they share the target's house, since both change the shape of the error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from calculator.valuation import reconciliation
from calculator.valuation.coefficients import ATTRIBUTES, ValuationParams
from calculator.valuation.comparison import Sample, adjustment_scale, log_gaps, same_house

LOO_LABEL = "точность предсказания одного объявления"


@dataclass(frozen=True)
class Doubt:
    """The range's inputs: the log scale, the case group and the weighted same-house share."""

    scale: float
    group: str
    same_house_share: float


def group(n_used: int, same_house_share: float) -> str:
    """The case group whose fitted quantiles set the width."""
    size = "3–5" if n_used <= 5 else "6–9" if n_used <= 9 else "10+"
    return f"{size} аналогов, {'свой дом' if same_house_share >= 0.5 else 'другие дома'}"


def _effect_sd(s: Sample, p: ValuationParams) -> np.ndarray:
    """(A,) sd of each attribute's scale factor: the fitted effect's standard error relative to
    the gaps it bridges in this sample; `sigma_coef` for a hand-set table."""
    weight = adjustment_scale(p)
    gaps = log_gaps(s.target_levels, s.levels)
    sd = np.full(len(ATTRIBUTES), p.sigma_coef)
    for a, attribute in enumerate(ATTRIBUTES):
        if attribute.fitted is None:
            continue
        differs = np.abs(gaps[:, a]) > 1e-12
        if not differs.any():
            sd[a] = 0.0
            continue
        variance = float(np.mean(s.effect_variance[differs, a]))
        sd[a] = weight[a] * math.sqrt(variance / float(np.mean(gaps[differs, a] ** 2)))
    return sd


def doubt(
    s: Sample, point: reconciliation.Batch, used: np.ndarray, n_boot: int, seed: int,
    p: ValuationParams,
) -> Doubt:  # fmt: skip
    """The scale and group of this valuation's range (docs/valuation.md §5)."""
    n, n_attr = s.levels.shape
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(n_boot, n))
    scale = rng.normal(adjustment_scale(p), _effect_sd(s, p), size=(n_boot, n_attr))
    counts = np.bincount(
        (picks + n * np.arange(n_boot)[:, None]).ravel(), minlength=n_boot * n
    ).reshape(n_boot, n)
    batch = reconciliation.run(
        s.log_ppsm, s.levels, counts, s.target_levels[None, :], scale, s.precision, p, s.vouched
    )
    drawn = np.log(batch.fair_ppsm[~np.isnan(batch.fair_ppsm)])
    estimate_sd = float(np.std(drawn)) if drawn.size > 1 else 0.0
    weights = point.effective[0][used]
    weights = weights / weights.sum()
    gaps = np.log(point.adjusted_ppsm[0][used] / point.fair_ppsm[0])
    spread = max(math.sqrt(float((weights * gaps**2).sum())), p.spread_floor)
    share = float(weights[s.same_house[used]].sum())
    return Doubt(math.hypot(estimate_sd, spread), group(len(used), share), share)


def ranges(
    fair_ppsm: float, area: float, fair_total: int, d: Doubt, p: ValuationParams
) -> dict[str, Any]:
    """The 80 % and 95 % ranges from the fitted quantiles (None without fitted quantiles)."""
    q = p.market.range_quantiles(d.group)
    if q is None:
        return {"range_80": None, "range_95": None}
    low95, low80, high80, high95 = (fair_ppsm * area * math.exp(x * d.scale) for x in q)
    return {
        "range_80": _range(low80, high80, fair_total, p),
        "range_95": _range(low95, high95, fair_total, p),
    }


def _range(low: float, high: float, fair_total: int, p: ValuationParams) -> dict[str, int]:
    """A money range that contains the point estimate (widened to it if the quantiles miss it)."""
    return {
        "low": min(p.round_money(low), fair_total),
        "high": max(p.round_money(high), fair_total),
    }


def confidence(range_80: Mapping[str, int] | None, fair: int, n: int, p: ValuationParams) -> str:
    """высокая / средняя / низкая from the 80 % range's width relative to fair, at the fitted
    widths where the held-out error steps up; a small sample is never высокая."""
    limits = p.market.confidence
    if range_80 is None or not limits:
        return "низкая"
    width = (range_80["high"] - range_80["low"]) / fair
    if width < limits["high"]:
        return "средняя" if n < p.confidence_cap_n else "высокая"
    return "средняя" if width < limits["medium"] else "низкая"


def leave_one_out(s: Sample, used: np.ndarray, p: ValuationParams) -> dict[str, Any] | None:
    """Median |error| of predicting each used listing from all the other validated ones."""
    n = len(s.valid)
    if len(used) < 2:
        return None
    counts = np.ones((len(used), n))
    counts[np.arange(len(used)), used] = 0.0
    flats = [c["_flat"] for c in s.valid]
    precision = (
        np.array(
            [
                [
                    1.0 / p.market.pair_variance(flats[i], flat, same_house(flats[i], flat))
                    for flat in flats
                ]
                for i in used
            ]
        )
        / s.listings_of_flat
    )
    batch = reconciliation.run(
        s.log_ppsm,
        s.levels,
        counts,
        s.levels[used],
        adjustment_scale(p)[None, :],
        precision,
        p,
        s.vouched,
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
