"""Steps 2–4 of the valuation — outliers, adjustment, weighted reconciliation — batched over runs.

The outlier filter (docs/valuation.md §2) runs on log ₽/м² adjusted for what each comparable
itself states: on raw prices it would drop exactly the comparables that differ from the rest by
the attributes the method adjusts for — e.g. the exact copy of the target in that document's
sanity examples. A price typo stays an outlier either way. Its "n ≥ 4" counts distinct values.

A run is the method applied to a multiset of the validated comparables, given as a row of counts:
the point estimate (all ones), a leave-one-out run (one zero) or a bootstrap resample (multinomial
counts). Pushing all of them through this one vectorised routine guarantees that the range and the
accuracy check measure the very method that produced the fair price, and keeps B = 2000 resamples
of 50 comparables within a few tens of milliseconds.

Shapes: n comparables, A attributes, R runs. Attribute "levels" are the per-flat coefficients of
`calculator.valuation.coefficients` (NaN = not stated); an adjustment is a ratio of levels.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from calculator.valuation.coefficients import ValuationParams

_TIE_RTOL = 1e-9


@dataclasses.dataclass(frozen=True)
class Batch:
    """What each run produced; per-comparable arrays are (R, n), per-attribute ones (R, A)."""

    fair_ppsm: np.ndarray  # reconciled ₽/м² (NaN if the run had no comparable)
    kept: np.ndarray  # present in the run and not an outlier
    log_adjust: np.ndarray  # (R, n, A) log of each applied coefficient
    adjusted_ppsm: np.ndarray
    gross: np.ndarray
    weight: np.ndarray  # precision, per single copy
    effective: np.ndarray  # weight × count × kept: what the weighted mean used
    imputed_level: np.ndarray  # median level of the comparables stating it (NaN if not needed)
    applied: np.ndarray  # attribute adjusted in that run


def weighted_median_sorted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted median of values already sorted ascending along the last axis.

    §4's rule: the first value where the cumulative weight reaches half the total;
    exactly half → midpoint with the next value that has weight. Zero weights are allowed
    (they stand for absent comparables); a row of zero weight gives NaN.
    """
    weights = np.asarray(weights, dtype=float)
    values = np.broadcast_to(values, weights.shape)
    rows = np.arange(weights.shape[0])
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1]
    half = total / 2.0
    eps = _TIE_RTOL * total
    k = (cum >= (half - eps)[:, None]).argmax(axis=1)
    at_k = values[rows, k]
    exact = np.abs(cum[rows, k] - half) <= eps
    after = (np.arange(weights.shape[1])[None, :] > k[:, None]) & (weights > 0)
    nxt = after.argmax(axis=1)
    midpoint = (at_k + values[rows, nxt]) / 2.0
    result = np.where(exact & after.any(axis=1), midpoint, at_k)
    return np.where(total > 0, result, np.nan)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted median of (R, n) values (sorted here)."""
    values = np.broadcast_to(values, np.shape(weights))
    order = np.argsort(values, axis=1, kind="stable")
    return weighted_median_sorted(
        np.take_along_axis(values, order, axis=1),
        np.take_along_axis(np.asarray(weights, dtype=float), order, axis=1),
    )


def _distinct_present(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Distinct values per run among present comparables (absent ones sort last as +inf)."""
    ordered = np.sort(np.where(counts > 0, values, np.inf), axis=1)
    with np.errstate(invalid="ignore"):  # inf − inf between absent ones
        steps = (np.diff(ordered, axis=1) > 1e-12) & np.isfinite(ordered[:, 1:])
    return 1 + steps.sum(axis=1)


def screened(counts: np.ndarray, log_values: np.ndarray, p: ValuationParams) -> np.ndarray:
    """(R,) whether a run has enough distinct values for the outlier screen to be trusted."""
    return _distinct_present(log_values, counts) >= p.outlier_min_n


def _outlier_mask(log_values: np.ndarray, counts: np.ndarray, p: ValuationParams) -> np.ndarray:
    """True where a present comparable lies beyond k·max(1.4826·MAD, floor) of the run's median.

    "n ≥ 4" counts distinct values: duplicate listings of one flat (and bootstrap repeats) do not
    make a sample on which a MAD rule can be trusted, and duplicating the whole set of
    comparables must not change the result.
    """
    median = weighted_median(log_values, counts)
    deviation = np.abs(log_values - median[:, None])
    mad = weighted_median(deviation, counts)
    limit = p.outlier_k * np.maximum(p.mad_scale * mad, p.mad_floor)
    return (counts > 0) & (deviation > limit[:, None]) & screened(counts, log_values, p)[:, None]


def _adjust(
    levels: np.ndarray,
    imputation_counts: np.ndarray | None,
    target_levels: np.ndarray,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-adjustments (R, n, A), attributes applied (R, A) and imputed levels (R, A).

    A comparable that does not state an attribute gets the median level of the comparables of
    the run that do (counted by `imputation_counts`), not the target's level: that would pull
    unusual targets toward the comparables. With `imputation_counts=None` (the outlier screen)
    such a comparable is simply not adjusted for that attribute.
    """
    n_runs, (n, n_attr) = target_levels.shape[0], levels.shape
    comp_levels = np.broadcast_to(levels, (n_runs, n, n_attr)).copy()
    imputed = np.full((n_runs, n_attr), np.nan)
    missing = np.isnan(levels)
    to_impute = missing.any(axis=0) & ~missing.all(axis=0) & (imputation_counts is not None)
    for a in np.flatnonzero(to_impute):
        known = ~missing[:, a]
        stated = levels[known, a]
        order = np.argsort(stated, kind="stable")
        imputed[:, a] = weighted_median_sorted(stated[order], imputation_counts[:, known][:, order])
        comp_levels[:, ~known, a] = imputed[:, a][:, None]

    comparable_side_known = np.where(missing.any(axis=0), ~np.isnan(imputed), True)
    applied = ~np.isnan(target_levels) & comparable_side_known
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.log(target_levels)[:, None, :] - np.log(comp_levels)
    log_adjust = np.where(
        applied[:, None, :], np.broadcast_to(scale, applied.shape)[:, None, :] * raw, 0.0
    )
    return np.nan_to_num(log_adjust, nan=0.0), applied, imputed


def run(
    log_ppsm: np.ndarray,
    levels: np.ndarray,
    counts: np.ndarray,
    target_levels: np.ndarray,
    scale: np.ndarray,
    precision: np.ndarray,
    p: ValuationParams,
    vouched: np.ndarray | None = None,
) -> Batch:
    """Apply steps 2–4 to every row of `counts` (R, n).

    `target_levels` (R or 1, A): NaN = unknown on the target, so not adjusted. `scale` (R or 1, A)
    multiplies each attribute's log-adjustment (1 for the point estimate; N(1, σ²) draws in the
    bootstrap). `precision` (R or 1, n) weighs each comparable (`comparison.sample`); the fair
    ₽/м² is the precision-weighted mean of the kept comparables' adjusted log ₽/м² — the
    efficient combination once outliers are gone, where a median would waste the weights.
    Outliers are screened on values adjusted only for what each comparable itself states, so
    that whether one comparable is an outlier never depends on another one's attributes (nor on
    the outlier's); the imputations are then made from the comparables that passed the screen.
    `vouched` (n,) marks comparables the visitor keeps: never screened out.
    """
    counts = np.asarray(counts, dtype=float)
    n_runs, n = counts.shape
    target_levels = np.broadcast_to(target_levels, (n_runs, levels.shape[1]))
    screen, applied, imputed = _adjust(levels, None, target_levels, scale)
    screen_values = log_ppsm[None, :] + screen.sum(axis=2)
    outliers = _outlier_mask(screen_values, counts, p)
    if vouched is not None:
        outliers &= ~vouched
    kept_counts = np.where(outliers, 0.0, counts)
    log_adjust = screen
    if np.isnan(levels).any():
        log_adjust, applied, imputed = _adjust(levels, kept_counts, target_levels, scale)

    adjusted = np.exp(log_ppsm[None, :] + log_adjust.sum(axis=2))
    gross = np.abs(np.expm1(log_adjust)).sum(axis=2)
    weight = np.broadcast_to(precision, (n_runs, n))
    effective = weight * kept_counts
    total = effective.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.exp((effective * np.log(adjusted)).sum(axis=1) / total)
    fair = np.where(screened(counts, screen_values, p), mean, weighted_median(adjusted, effective))
    return Batch(
        fair_ppsm=np.where(total > 0, fair, np.nan),
        kept=kept_counts > 0,
        log_adjust=log_adjust,
        adjusted_ppsm=adjusted,
        gross=gross,
        weight=weight,
        effective=effective,
        imputed_level=imputed,
        applied=applied,
    )
