"""Each comparable's attribute levels and weight against the target (docs/valuation.md §3–4), and
the per-comparable table (raw ₽/м² → factors → adjusted ₽/м² → weight) the result shows.

A comparable's weight is its precision: one over the variance of the gap between its adjusted
price and the target's, i.e. how far another listing of its kind strays (its own house or another
one sharing this much with the target's, from the fitted pair model) plus the doubt about its
adjustments (the fitted effects' standard errors; `sigma_coef` for the hand-set tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from calculator.addresses import same_house
from calculator.numbers import to_number
from calculator.valuation import reconciliation, relistings
from calculator.valuation.coefficients import ATTRIBUTES, Attribute, ValuationParams
from calculator.valuation.validation import canonical_key, text


@dataclass(frozen=True)
class Sample:
    """The validated comparables in canonical order and what the method reads from them."""

    target: Mapping[str, Any]
    area: float  # the target's total area
    valid: list[dict[str, Any]]
    log_ppsm: np.ndarray  # (n,) log ₽/м² as listed
    levels: np.ndarray  # (n, A) attribute levels, NaN = not stated
    target_levels: np.ndarray  # (A,)
    effect_variance: np.ndarray  # (n, A) of each fitted log-adjustment at full strength
    precision: np.ndarray  # (n,) weight before outliers, shared among the listings of one flat
    same_house: np.ndarray  # (n,) bool: the comparable is in the target's house
    listings_of_flat: np.ndarray  # (n,) how many listings describe the same flat (relistings)
    vouched: np.ndarray  # (n,) the visitor keeps it although it looks like an outlier


def sample(
    target: Mapping[str, Any], area: float, valid: list[dict[str, Any]], p: ValuationParams
) -> Sample:
    """Read the comparables in a canonical order: the result, bootstrap included, then does not
    depend on the order they were given in."""
    valid = sorted(valid, key=canonical_key)
    flats = [c["_flat"] for c in valid]
    group = relistings.groups(flats)
    copies = np.bincount(group, minlength=len(valid))[group].astype(float)
    levels = np.array([[level(a, flat, p) for a in ATTRIBUTES] for flat in flats])
    target_levels = np.array([level(a, target, p) for a in ATTRIBUTES])
    own = np.array([same_house(target, flat) for flat in flats], dtype=bool)
    pair = np.array([p.market.pair_variance(target, f, o) for f, o in zip(flats, own, strict=True)])
    gaps = log_gaps(target_levels, levels)
    effects = _effect_variance(target, flats, gaps, p)
    return Sample(
        target=target,
        area=area,
        valid=valid,
        log_ppsm=np.log([c["_ppsm"] for c in valid]),
        levels=levels,
        target_levels=target_levels,
        effect_variance=effects,
        precision=1.0 / (pair + adjustment_variance(gaps, effects, p)) / copies,
        same_house=own,
        listings_of_flat=copies,
        vouched=np.array([c["_flat"].get("keep") is True for c in valid], dtype=bool),
    )


def adjustment_scale(p: ValuationParams) -> np.ndarray:
    """(A,) share of each log-adjustment applied: `adjustment_weight` for fitted effects, all of a
    hand-set one."""
    return np.array([p.adjustment_weight if a.fitted else 1.0 for a in ATTRIBUTES])


def log_gaps(target_levels: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """(n, A) log of target level over comparable level: the full log-adjustment, 0 where either
    side does not state the attribute."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(np.log(target_levels)[None, :] - np.log(levels), nan=0.0)


def _effect_variance(
    target: Mapping[str, Any], flats: list[Mapping[str, Any]], gaps: np.ndarray, p: ValuationParams
) -> np.ndarray:
    """(n, A) variance of each fitted log-adjustment at full strength: both sides' squared
    standard errors where the two differ; 0 for hand-set tables and where nothing is adjusted."""
    variance = np.zeros_like(gaps)
    differs = np.abs(gaps) > 1e-12
    for a, attribute in enumerate(ATTRIBUTES):
        if attribute.fitted is None or not differs[:, a].any():
            continue
        own = attribute.variance(target, p)
        theirs = np.array([attribute.variance(flat, p) for flat in flats])
        variance[:, a] = np.where(differs[:, a], own + theirs, 0.0)
    return variance


def adjustment_variance(gaps: np.ndarray, effects: np.ndarray, p: ValuationParams) -> np.ndarray:
    """(n,) variance of each comparable's total applied log-adjustment: the fitted effects' share
    of their standard errors, `sigma_coef` of each hand-set one."""
    hand_set = np.array([a.fitted is None for a in ATTRIBUTES])
    return (adjustment_scale(p) ** 2 * effects).sum(axis=1) + (
        (p.sigma_coef * gaps[:, hand_set]) ** 2
    ).sum(axis=1)


def level(attribute: Attribute, flat: Mapping[str, Any], p: ValuationParams) -> float:
    found = attribute.level(flat, p)
    return math.nan if found is None else float(found)


def same(a: object, b: object) -> bool:
    """Both stated and equal (house and ЖК ids arrive as ints or strings)."""
    return a is not None and b is not None and str(a) != "" and str(a) == str(b)


def _house_label(target: Mapping[str, Any], flat: Mapping[str, Any]) -> str:
    if same_house(target, flat):
        return "тот же дом"
    if same(target.get("jk_id"), flat.get("jk_id")):
        return "тот же ЖК"
    return "другой дом"


def json_value(value: object) -> object:
    """An attribute's display value as a JSON type the session can store."""
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 3)
    return str(value)


def _factors(
    flat: Mapping[str, Any], j: int, point: reconciliation.Batch, s: Sample, p: ValuationParams
) -> list[dict[str, Any]]:
    factors = []
    for a, attribute in enumerate(ATTRIBUTES):
        if not point.applied[0, a]:
            continue
        imputed = attribute.level(flat, p) is None
        factors.append(
            {
                "key": attribute.key,
                "name": attribute.label,
                "comparable": None if imputed else json_value(attribute.display(flat)),
                "target": json_value(attribute.display(s.target)),
                "coef": round(math.exp(float(point.log_adjust[0, j, a])), 4),
                "imputed": imputed,
            }
        )
    return factors


def comparable_rows(
    s: Sample, point: reconciliation.Batch, p: ValuationParams
) -> list[dict[str, Any]]:
    """Per used comparable, in input order: raw ₽/м² → factors → adjusted ₽/м² → weight."""
    total_weight = float(point.effective[0].sum())
    rows = []
    for j in sorted(np.flatnonzero(point.kept[0]), key=lambda j: s.valid[j]["_pos"]):
        comp = s.valid[j]
        flat = comp["_flat"]
        copies = int(s.listings_of_flat[j])
        gross = float(point.gross[0, j])
        rows.append(
            {
                "id": comp["_id"],
                "address": text(flat.get("address")),
                "url": text(flat.get("url")),
                "price": round(to_number(flat.get("price"))),  # type: ignore[arg-type]
                "total_area": to_number(flat.get("total_area")),
                "price_per_sqm": round(comp["_ppsm"]),
                "factors": _factors(flat, j, point, s, p),
                "net": round(math.expm1(float(point.log_adjust[0, j].sum())), 4),
                "gross": round(gross, 4),
                "adjusted_price_per_sqm": round(float(point.adjusted_ppsm[0, j])),
                "similarity_label": _house_label(s.target, flat),
                "weight": round(float(point.weight[0, j]), 4),
                "weight_share": round(float(point.effective[0, j]) / total_weight, 4),
                "weak": gross > p.weak_gross,
                "listings_of_flat": copies,
            }
        )
    return rows
