"""`value()`: the fair price of a flat from comparable listings (docs/valuation.md), in named steps.

Validate the comparables (`validation`), read their levels and weights (`comparison`),
reconcile them to one price per m² (`reconciliation`), measure the doubt (`uncertainty`) and say
what it means (`summary`). Pure and deterministic; the result holds only JSON types (int, float,
str, bool, None, list, dict), so it can be stored in the session as is. `value_with_settings()`
is the website's entry point: the only function here that reads Django settings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from calculator.numbers import price_per_sqm, to_number
from calculator.valuation import comparison, reconciliation, summary, uncertainty, validation
from calculator.valuation.coefficients import ValuationParams, params_from_settings, resolve_params
from calculator.valuation.comparison import Sample, adjustment_scale

METHOD_VERSION = "comparables-3.0"


class NotEnoughComparables(Exception):
    """No comparable survived validation; `.message` is shown to the user as is."""

    def __init__(self, found: int, excluded: list[dict[str, Any]] | None = None) -> None:
        self.found = found
        self.excluded = excluded or []
        self.message = f"Недостаточно аналогов для анализа: найдено {found}"
        super().__init__(self.message)


class InvalidTarget(ValueError):
    """The target lacks what the method cannot do without (its total area)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Point:
    """The point estimate: one reconciliation run over every validated comparable."""

    batch: reconciliation.Batch
    used: np.ndarray  # indices of the comparables that were not outliers
    fair_ppsm: float
    fair_total: int

    @property
    def adjusted(self) -> np.ndarray:
        """Adjusted ₽/м² of the used comparables."""
        return self.batch.adjusted_ppsm[0][self.used]


def value_with_settings(
    target: Mapping[str, Any], comparables: Iterable[Mapping[str, Any]], **kwargs: Any
) -> dict[str, Any]:
    """`value()` with the `HOUSLER_VALUATION` setting applied (and `params=` overrides on top)."""
    kwargs["params"] = params_from_settings(kwargs.get("params"))
    return value(target, comparables, **kwargs)


def value(
    target: Mapping[str, Any],
    comparables: Iterable[Mapping[str, Any]],
    *,
    seed: int = 0,
    bootstrap: int = 2000,
    commission: float = 0.02,
    params: Mapping[str, Any] | ValuationParams | None = None,
) -> dict[str, Any]:
    """Value `target` from `comparables`.

    `seed` fixes the bootstrap, so the same input gives the same bytes; `bootstrap=0` skips the
    range (for benchmarks and quick previews); `commission` is the agent's share taken off the
    scenarios' net proceeds; `params` overrides coefficients/method constants (None = defaults).
    Raises NotEnoughComparables when no comparable survives validation, InvalidTarget when the
    target has no usable total area.
    """
    p = resolve_params(params)
    _check_options(bootstrap, commission)
    s, point, excluded = _estimate(target, comparables, p)
    warnings = summary.attribute_warnings(
        s.target, s.target_levels, s.levels[point.used], point.batch.applied[0]
    )
    d, range_warning = _doubt(s, point, int(bootstrap), int(seed), p)
    ranges = (
        {"range_80": None, "range_95": None}
        if d is None
        else uncertainty.ranges(point.fair_ppsm, s.area, point.fair_total, d, p)
    )
    return _result(s, point, excluded, ranges, d, warnings + range_warning, commission, p)


def assess(
    target: Mapping[str, Any],
    comparables: Iterable[Mapping[str, Any]],
    *,
    seed: int = 0,
    bootstrap: int = 2000,
    params: Mapping[str, Any] | ValuationParams | None = None,
) -> tuple[int, uncertainty.Doubt | None]:
    """The fair total and the doubt its range is built from, without the result's tables: what
    calibration scores on held-out listings to fit the range's quantiles."""
    p = resolve_params(params)
    s, point, _ = _estimate(target, comparables, p)
    return point.fair_total, _doubt(s, point, int(bootstrap), int(seed), p)[0]


def _estimate(
    target: Mapping[str, Any], comparables: Iterable[Mapping[str, Any]], p: ValuationParams
) -> tuple[Sample, Point, list[dict[str, Any]]]:
    """Validate, compare and reconcile: the sample, the point estimate and what was left out."""
    target = dict(target or {})
    area = _target_area(target, p)
    valid, excluded = validation.validate(comparables, p)
    if not valid:
        raise NotEnoughComparables(0, excluded)
    s = comparison.sample(target, area, valid, p)
    point = _point_estimate(s, p)
    return s, point, excluded + _outliers(s, point)


def _check_options(bootstrap: int, commission: float) -> None:
    if int(bootstrap) < 0:
        raise ValueError("bootstrap must be ≥ 0")
    if not 0 <= commission < 1:
        raise ValueError("commission must be in [0, 1)")


def _target_area(target: Mapping[str, Any], p: ValuationParams) -> float:
    area = to_number(target.get("total_area"))
    if area is None or not 0 < area <= p.max_area:
        raise InvalidTarget("У объекта не указана общая площадь или она вне допустимых пределов")
    return area


def _point_estimate(s: Sample, p: ValuationParams) -> Point:
    everyone = np.ones((1, len(s.valid)))
    batch = reconciliation.run(
        s.log_ppsm,
        s.levels,
        everyone,
        s.target_levels[None, :],
        adjustment_scale(p)[None, :],
        s.precision,
        p,
        s.vouched,
    )
    fair_ppsm = float(batch.fair_ppsm[0])
    return Point(batch, np.flatnonzero(batch.kept[0]), fair_ppsm, p.round_money(fair_ppsm * s.area))


def _outliers(s: Sample, point: Point) -> list[dict[str, Any]]:
    """Excluded entries for the comparables the outlier screen dropped."""
    adjusted_log = np.log(point.batch.adjusted_ppsm[0])
    median = float(np.median(adjusted_log))
    return [
        validation.outlier_entry(s.valid[j], math.exp(adjusted_log[j] - median) - 1)
        for j in np.flatnonzero(~point.batch.kept[0])
    ]


def _doubt(
    s: Sample, point: Point, bootstrap: int, seed: int, p: ValuationParams
) -> tuple[uncertainty.Doubt | None, list[str]]:
    """The range's scale and group, or None with the warning that says why there is no range."""
    if len(point.used) < p.min_for_range:
        reason = f"Недостаточно данных для интервала: нужно не меньше {p.min_for_range} аналогов"
        return None, [reason]
    if bootstrap == 0:
        return None, ["Интервал не рассчитывался"]
    return uncertainty.doubt(s, point.batch, point.used, bootstrap, seed, p), []


def _cv(values: np.ndarray) -> float | None:
    """Coefficient of variation (sample sd / mean); None for fewer than two values."""
    return float(np.std(values, ddof=1) / np.mean(values)) if len(values) >= 2 else None


def _rounded(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 1)


def _result(
    s: Sample,
    point: Point,
    excluded: list[dict[str, Any]],
    ranges: dict[str, Any],
    d: uncertainty.Doubt | None,
    warnings: list[str],
    commission: float,
    p: ValuationParams,
) -> dict[str, Any]:
    """The result's JSON: the figures, the tables and every warning, in the order pages read it."""
    fair, used = point.fair_total, point.used
    asking = to_number(s.target.get("price"))
    asking = asking if asking is not None and asking > 0 else None
    diff = (asking - fair) / fair if asking is not None else None
    adjusted_cv = _cv(point.adjusted)
    weak = int((point.batch.gross[0][used] > p.weak_gross).sum())
    warnings = warnings + summary.summary_warnings(len(used), weak, adjusted_cv, asking, p)
    strengths, weaknesses = summary.strengths(s.target, s.target_levels, s.levels[used], p)
    return {
        "market_statistics": summary.market_statistics(
            np.exp(s.log_ppsm[used]),
            point.adjusted,
            point.batch.effective[0][used],
            None if asking is None else price_per_sqm(s.target),
        ),
        "comparables": comparison.comparable_rows(s, point.batch, p),
        "excluded": excluded,
        "fair_price_per_sqm": round(point.fair_ppsm),
        "fair_price_total": fair,
        "range_80": ranges["range_80"],
        "range_95": ranges["range_95"],
        "confidence": uncertainty.confidence(ranges["range_80"], fair, len(used), p),
        "caveats": summary.caveats(len(used), d, ranges["range_80"], fair, p),
        "adjusted_cv": _rounded(adjusted_cv),
        "loo_mdape": uncertainty.leave_one_out(s, used, p),
        "verdict": summary.verdict(asking, fair, ranges["range_80"], p),
        "diff_percent": _rounded(diff),
        "scenarios": summary.scenarios(fair, commission, p),
        "strengths": strengths,
        "weaknesses": weaknesses,
        "warnings": warnings,
        "method_version": METHOD_VERSION,
    }
