"""`value()`: the fair price of a flat from comparable listings (docs/valuation.md), in named steps.

Validate the comparables (`validation`), read their levels and similarity (`comparison`),
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

from calculator.numbers import to_number
from calculator.valuation import comparison, reconciliation, summary, uncertainty, validation
from calculator.valuation.coefficients import ValuationParams, params_from_settings, resolve_params
from calculator.valuation.comparison import Sample

METHOD_VERSION = "comparables-2.1"


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
    """`value()` with `settings.HOUSLER_VALUATION` applied (and `params=` overrides on top)."""
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
    target = dict(target or {})
    area = _target_area(target, p)
    valid, excluded = validation.validate(comparables, p)
    if not valid:
        raise NotEnoughComparables(0, excluded)
    s = comparison.sample(target, area, valid, p)
    point = _point_estimate(s, p)
    excluded += _outliers(s, point)
    warnings = summary.attribute_warnings(
        target, s.target_levels, s.levels[point.used], point.batch.applied[0]
    )
    ranges, range_warning = _ranges(s, point, int(bootstrap), int(seed), p)
    warnings += range_warning
    return _result(s, point, excluded, ranges, warnings, commission, p)


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
    n = len(s.valid)
    everyone, no_scaling = np.ones((1, n)), np.ones((1, 1))
    batch = reconciliation.run(
        s.log_ppsm,
        s.levels,
        everyone,
        s.target_levels[None, :],
        no_scaling,
        s.similarity,
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


def _ranges(
    s: Sample, point: Point, bootstrap: int, seed: int, p: ValuationParams
) -> tuple[dict[str, Any], list[str]]:
    """The 80 % and 95 % ranges, or None ranges with the warning that says why."""
    if len(point.used) < p.min_for_range:
        reason = f"Недостаточно данных для интервала: нужно не меньше {p.min_for_range} аналогов"
        return {"range_80": None, "range_95": None}, [reason]
    if bootstrap == 0:
        return {"range_80": None, "range_95": None}, ["Интервал не рассчитывался"]
    flats = [s.valid[j]["_flat"] for j in point.used]
    tau = uncertainty.house_spread(point.adjusted, flats, p)
    return uncertainty.bootstrap_ranges(s, point.fair_total, tau, bootstrap, seed, p), []


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
            None if asking is None else validation.price_per_sqm(s.target),
        ),
        "comparables": comparison.comparable_rows(s, point.batch, p),
        "excluded": excluded,
        "fair_price_per_sqm": round(point.fair_ppsm),
        "fair_price_total": fair,
        "range_80": ranges["range_80"],
        "range_95": ranges["range_95"],
        "confidence": uncertainty.confidence(ranges["range_80"], fair, len(used), p),
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
