"""The range's quantiles and the confidence labels, fitted on listings the effects never saw.

Cross-fitting by district: the districts are split into folds; for each fold the effects and the
pair model are fitted on the other folds' listings, and that fold's targets are valued with them
(`method.assess`, asking price hidden). The error of each, log(asking / fair), divided by the
scale the method states for it, is what the range multiplies back: its quantiles per case group
(number of comparables × same-house share) are the shipped ones. The confidence labels cut the
stated 80 % width at its terciles, and the table records the held-out error of each label.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from calculator.valuation import market as market_tables
from calculator.valuation.calibration.cases import Case
from calculator.valuation.calibration.pairs import sample_cases
from calculator.valuation.method import NotEnoughComparables, assess

FOLDS = 5
QUANTILES = (0.025, 0.10, 0.90, 0.975)
MIN_GROUP = 80  # fewer held-out cases than this: the group takes the pooled quantiles
BOOTSTRAP = 400  # resamples per case: enough for the scale's sd, and the fit stays quick


def fold(listing: Mapping[str, Any]) -> int:
    """A district's fold: stable across runs and machines."""
    digest = hashlib.sha256(str(listing["district"]).encode()).hexdigest()
    return int(digest, 16) % FOLDS


def held_out(
    listings: Sequence[Mapping[str, Any]],
    fit_tables: Callable[[Sequence[Mapping[str, Any]]], Mapping[str, Any]],
    seed: int,
) -> list[tuple[Case, int, Any]]:
    """(case, fair total, doubt) for seeded targets, each valued with tables fitted without its
    district's fold."""
    found = []
    every = sample_cases(listings, seed)
    for k in range(FOLDS):
        tables = fit_tables([x for x in listings if fold(x) != k])
        params = {"market": market_tables.from_tables(tables)}
        for case in every:
            if fold(case.target) != k:
                continue
            target = {key: v for key, v in case.target.items() if key != "price"}
            try:
                fair, doubt = assess(
                    target, case.comparables, bootstrap=BOOTSTRAP, seed=0, params=params
                )
            except NotEnoughComparables:
                continue
            if doubt is not None:
                found.append((case, fair, doubt))
    return found


def _quantiles(values: Sequence[float]) -> list[float]:
    return [round(float(q), 4) for q in np.quantile(values, QUANTILES)]


def fit(scored: Sequence[tuple[Case, int, Any]]) -> dict[str, Any]:
    """The `ranges` and `confidence` tables from held-out valuations."""
    errors: dict[str, list[float]] = {}
    for case, fair, doubt in scored:
        standardised = math.log(case.target["price"] / fair) / doubt.scale
        errors.setdefault(doubt.group, []).append(standardised)
        errors.setdefault("all", []).append(standardised)
    groups = {
        name: {"quantiles": _quantiles(values), "cases": len(values)}
        for name, values in sorted(errors.items())
        if len(values) >= MIN_GROUP or name == "all"
    }
    ranges = {"groups": groups, "cases": len(scored)}
    return {"ranges": ranges, "confidence": _confidence(scored, ranges)}


def _confidence(scored: Sequence[tuple[Case, int, Any]], ranges: Mapping[str, Any]) -> dict:
    widths, errors = [], []
    for case, fair, doubt in scored:
        q = (ranges["groups"].get(doubt.group) or ranges["groups"]["all"])["quantiles"]
        widths.append(math.exp(q[2] * doubt.scale) - math.exp(q[1] * doubt.scale))
        errors.append(abs(fair / case.target["price"] - 1))
    widths_a, errors_a = np.array(widths), np.array(errors)
    high, medium = (round(float(x), 4) for x in np.quantile(widths_a, (1 / 3, 2 / 3)))
    labels = {
        "высокая": widths_a < high,
        "средняя": (widths_a >= high) & (widths_a < medium),
        "низкая": widths_a >= medium,
    }
    return {
        "high": high,
        "medium": medium,
        "held_out_mdape": {
            label: round(float(np.median(errors_a[m])) * 100, 1) for label, m in labels.items()
        },
    }
