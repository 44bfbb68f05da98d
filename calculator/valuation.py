"""Fair price of a flat from comparable listings (docs/valuation.md).

`value()` is pure and deterministic: validate the comparables (§1), then outliers, per-comparable
adjustment and weighted-median reconciliation (§2–4, in `calculator.reconciliation`), a bootstrap
range that also carries the uncertainty of the coefficient tables and of the target's house (§5),
a leave-one-out accuracy figure, verdict, scenarios and market statistics (§6–7).
The result contains only JSON types (int, float, str, bool, None, list, dict), so it can be
stored in the session as is. `value_with_settings()` is the website's entry point: the only
function here that reads Django settings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from calculator import reconciliation
from calculator.coefficients import (
    ATTRIBUTES,
    ValuationParams,
    norm_text,
    params_from_settings,
    resolve_params,
    to_number,
)

METHOD_VERSION = "comparables-2.0"
LOO_LABEL = "точность предсказания одного объявления"
_QUALITY_LABELS = (
    (2, "Критически мало данных"),
    (4, "Мало аналогов — результат может быть неточным"),
    (9, "Приемлемо, но лучше добавить ещё"),
)


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
    """Value `target` from `comparables` (see the module docstring and docs/valuation.md).

    `seed` fixes the bootstrap, so the same input gives the same bytes; `bootstrap=0` skips the
    range (for benchmarks and quick previews); `commission` is the agent's share taken off the
    scenarios' net proceeds; `params` overrides coefficients/method constants (None = defaults).
    Raises NotEnoughComparables when no comparable survives validation, InvalidTarget when the
    target has no usable total area.
    """
    p = resolve_params(params)
    if int(bootstrap) < 0:
        raise ValueError("bootstrap must be ≥ 0")
    if not 0 <= commission < 1:
        raise ValueError("commission must be in [0, 1)")
    target = dict(target or {})
    area = to_number(target.get("total_area"))
    if area is None or not 0 < area <= p.max_area:
        raise InvalidTarget("У объекта не указана общая площадь или она вне допустимых пределов")

    valid, excluded = _validate(comparables, p)
    if not valid:
        raise NotEnoughComparables(0, excluded)
    # A canonical order makes the result (bootstrap included) independent of the input order.
    valid.sort(key=_canonical_key)
    n = len(valid)
    log_ppsm = np.log([c["_ppsm"] for c in valid])
    levels = np.array([[_level(a, c["_flat"], p) for a in ATTRIBUTES] for c in valid])
    target_levels = np.array([_level(a, target, p) for a in ATTRIBUTES])
    similarity = np.array([_similarity(target, c["_flat"], p) for c in valid])

    point = reconciliation.run(
        log_ppsm, levels, np.ones((1, n)), target_levels[None, :], np.ones((1, 1)), similarity, p
    )
    kept = point.kept[0]
    used = np.flatnonzero(kept)
    fair_ppsm = float(point.fair_ppsm[0])
    fair_total = _round_money(fair_ppsm * area, p)
    adjusted_log = np.log(point.adjusted_ppsm[0])
    for j in np.flatnonzero(~kept):
        off = math.exp(adjusted_log[j] - float(np.median(adjusted_log))) - 1
        excluded.append(_outlier_entry(valid[j], off))

    warnings = _attribute_warnings(target, target_levels, levels[used], point.applied[0], p)
    ranges: dict[str, Any] = {"range_80": None, "range_95": None}
    if len(used) < p.min_for_range:
        warnings.append(
            f"Недостаточно данных для интервала: нужно не меньше {p.min_for_range} аналогов"
        )
    elif bootstrap == 0:
        warnings.append("Интервал не рассчитывался")
    else:
        tau = _house_spread(point.adjusted_ppsm[0][used], [valid[j]["_flat"] for j in used], p)
        ranges = _bootstrap_ranges(
            log_ppsm, levels, target_levels, similarity, target, valid, area, fair_total,
            tau, int(bootstrap), int(seed), p,
        )  # fmt: skip
    adjusted_used = point.adjusted_ppsm[0][used]
    adjusted_cv = (
        float(np.std(adjusted_used, ddof=1) / np.mean(adjusted_used)) if len(used) >= 2 else None
    )
    asking = to_number(target.get("price"))
    asking = asking if asking is not None and asking > 0 else None
    diff = (asking - fair_total) / fair_total if asking is not None else None
    weak = int((point.gross[0][used] > p.weak_gross).sum())
    warnings += _summary_warnings(len(used), weak, adjusted_cv, asking, p)
    strengths, weaknesses = _strengths(target, target_levels, levels[used], p)

    return {
        "market_statistics": _market_statistics(
            np.exp(log_ppsm[used]), adjusted_used, point.effective[0][used], asking, area
        ),
        "comparables": _comparable_rows(valid, point, target, p),
        "excluded": excluded,
        "fair_price_per_sqm": round(fair_ppsm),
        "fair_price_total": fair_total,
        "range_80": ranges["range_80"],
        "range_95": ranges["range_95"],
        "confidence": _confidence(ranges["range_80"], fair_total, len(used), p),
        "adjusted_cv": None if adjusted_cv is None else round(adjusted_cv * 100, 1),
        "loo_mdape": _leave_one_out(log_ppsm, levels, valid, used, p),
        "verdict": _verdict(diff, p),
        "diff_percent": None if diff is None else round(diff * 100, 1),
        "scenarios": _scenarios(fair_total, commission, p),
        "strengths": strengths,
        "weaknesses": weaknesses,
        "warnings": warnings,
        "method_version": METHOD_VERSION,
    }


# --- §1 validation ------------------------------------------------------------------------------


def _comparable_id(raw: Mapping[str, Any], position: int) -> str:
    cid = raw.get("id")
    return f"#{position + 1}" if cid is None or cid == "" else str(cid)


def _validate(
    comparables: Iterable[Mapping[str, Any]], p: ValuationParams
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split comparables into usable ones (with ₽/м²) and excluded ones with a Russian reason."""
    valid: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for position, raw in enumerate(comparables or []):
        raw = dict(raw or {})
        cid = _comparable_id(raw, position)
        price, area = to_number(raw.get("price")), to_number(raw.get("total_area"))
        ppsm = price / area if price is not None and area is not None and area > 0 else None
        status = norm_text(raw.get("status")) if raw.get("status") is not None else None
        reason = None
        if raw.get("excluded") is True:
            reason = "исключён пользователем"
        elif price is None:
            reason = "не указана цена"
        elif price < p.min_price:
            reason = f"цена ниже {_fmt_rub(p.min_price)}"
        elif area is None:
            reason = "не указана общая площадь"
        elif not p.min_area <= area <= p.max_area:
            reason = f"площадь вне диапазона {p.min_area:g}–{p.max_area:g} м²"
        elif not p.min_price_per_sqm <= ppsm <= p.max_price_per_sqm:  # type: ignore[operator]
            reason = (
                f"цена за м² вне диапазона {_fmt_rub(p.min_price_per_sqm)} – "
                f"{_fmt_rub(p.max_price_per_sqm)}"
            )
        elif status in p.blocked_statuses:
            reason = f"статус «{status}»: не готовое жильё на рынке"
        if reason is not None:
            excluded.append(_excluded_entry(cid, raw, reason, ppsm))
        else:
            valid.append({"_id": cid, "_pos": position, "_flat": raw, "_ppsm": ppsm})
    return valid, excluded


def _excluded_entry(
    cid: str, raw: Mapping[str, Any], reason: str, ppsm: float | None
) -> dict[str, Any]:
    return {
        "id": cid,
        "reason": reason,
        "address": _text(raw.get("address")),
        "url": _text(raw.get("url")),
        "price_per_sqm": None if ppsm is None else round(ppsm),
    }


def _outlier_entry(comp: Mapping[str, Any], off: float) -> dict[str, Any]:
    reason = f"выброс: цена за м² с поправками отличается от медианы аналогов на {off * 100:+.0f} %"
    return _excluded_entry(comp["_id"], comp["_flat"], reason, comp["_ppsm"])


def _canonical_key(comp: Mapping[str, Any]) -> tuple[str, ...]:
    flat = comp["_flat"]
    fields = [comp["_id"], repr(comp["_ppsm"])]
    fields += [repr(a.display(flat)) for a in ATTRIBUTES]
    fields += [repr(flat.get(k)) for k in ("house_id", "jk_id", "living_area", "total_area")]
    return tuple(fields)


# --- §3–4 levels and similarity ---------------------------------------------------------------


def _level(attribute: Any, flat: Mapping[str, Any], p: ValuationParams) -> float:
    level = attribute.level(flat, p)
    return math.nan if level is None else float(level)


def _same(a: object, b: object) -> bool:
    return a is not None and b is not None and str(a) != "" and str(a) == str(b)


def _similarity(target: Mapping[str, Any], flat: Mapping[str, Any], p: ValuationParams) -> float:
    if _same(target.get("house_id"), flat.get("house_id")):
        return p.similarity_same_house
    if _same(target.get("jk_id"), flat.get("jk_id")):
        return p.similarity_same_jk
    return p.similarity_other


def _similarity_label(sim: float, p: ValuationParams) -> str:
    if sim == p.similarity_same_house:
        return "тот же дом"
    if sim == p.similarity_same_jk:
        return "тот же ЖК"
    return "другой дом"


def _comparable_rows(
    valid: list[dict[str, Any]],
    point: reconciliation.Batch,
    target: Mapping[str, Any],
    p: ValuationParams,
) -> list[dict[str, Any]]:
    """Per used comparable, in input order: raw ₽/м² → factors → adjusted ₽/м² → weight."""
    total_weight = float(point.effective[0].sum())
    rows = []
    for j in sorted(np.flatnonzero(point.kept[0]), key=lambda j: valid[j]["_pos"]):
        comp = valid[j]
        flat = comp["_flat"]
        factors = []
        for a, attribute in enumerate(ATTRIBUTES):
            if not point.applied[0, a]:
                continue
            imputed = attribute.level(flat, p) is None
            factors.append(
                {
                    "key": attribute.key,
                    "name": attribute.label,
                    "comparable": None if imputed else _json_value(attribute.display(flat)),
                    "target": _json_value(attribute.display(target)),
                    "coef": round(math.exp(float(point.log_adjust[0, j, a])), 4),
                    "imputed": imputed,
                }
            )
        sim = _similarity(target, flat, p)
        gross = float(point.gross[0, j])
        rows.append(
            {
                "id": comp["_id"],
                "address": _text(flat.get("address")),
                "url": _text(flat.get("url")),
                "price": round(to_number(flat.get("price"))),  # type: ignore[arg-type]
                "total_area": to_number(flat.get("total_area")),
                "price_per_sqm": round(comp["_ppsm"]),
                "factors": factors,
                "net": round(math.expm1(float(point.log_adjust[0, j].sum())), 4),
                "gross": round(gross, 4),
                "adjusted_price_per_sqm": round(float(point.adjusted_ppsm[0, j])),
                "similarity": sim,
                "similarity_label": _similarity_label(sim, p),
                "weight": round(float(point.weight[0, j]), 4),
                "weight_share": round(float(point.effective[0, j]) / total_weight, 4),
                "weak": gross > p.weak_gross,
            }
        )
    return rows


# --- §5 uncertainty ------------------------------------------------------------------------------


def _house_spread(
    adjusted: np.ndarray, flats: list[Mapping[str, Any]], p: ValuationParams
) -> float:
    """Between-house sd of adjusted log ₽/м² (one-way ANOVA, method of moments).

    Estimable only with ≥ 2 houses and a house holding ≥ 2 listings; flats without a house id count
    as houses of their own. The estimate from a few houses is noisy (often exactly 0), so it is
    pooled with the default as a prior worth `tau_prior_df` degrees of freedom.
    """
    groups: dict[str, list[float]] = {}
    for i, (y, flat) in enumerate(zip(np.log(adjusted), flats, strict=True)):
        house = flat.get("house_id")
        key = f"h:{house}" if house is not None and str(house) != "" else f"i:{i}"
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


def _bootstrap_ranges(
    log_ppsm: np.ndarray,
    levels: np.ndarray,
    target_levels: np.ndarray,
    similarity: np.ndarray,
    target: Mapping[str, Any],
    valid: list[dict[str, Any]],
    area: float,
    fair_total: int,
    tau: float,
    n_boot: int,
    seed: int,
    p: ValuationParams,
) -> dict[str, Any]:
    """Quantiles of resampled fair totals (resampling, table scale factors, house noise)."""
    n, n_attr = levels.shape
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(n_boot, n))
    scale = rng.normal(1.0, p.sigma_coef, size=(n_boot, n_attr))
    house_noise = rng.standard_normal(n_boot)
    counts = np.bincount(
        (picks + n * np.arange(n_boot)[:, None]).ravel(), minlength=n_boot * n
    ).reshape(n_boot, n)
    batch = reconciliation.run(
        log_ppsm, levels, counts, target_levels[None, :], scale, similarity, p
    )
    own_house = np.array([_same(target.get("house_id"), c["_flat"].get("house_id")) for c in valid])
    share = (batch.effective * own_house).sum(axis=1) / batch.effective.sum(axis=1)
    totals = batch.fair_ppsm * area * np.exp(tau * (1.0 - share) * house_noise)
    q025, q10, q90, q975 = np.quantile(totals, [0.025, 0.10, 0.90, 0.975])
    return {
        "range_80": _range(q10, q90, fair_total, p),
        "range_95": _range(q025, q975, fair_total, p),
    }


def _range(low: float, high: float, fair_total: int, p: ValuationParams) -> dict[str, int]:
    """A money range that contains the point estimate (widened to it if the quantiles miss it)."""
    return {
        "low": min(_round_money(low, p), fair_total),
        "high": max(_round_money(high, p), fair_total),
    }


def _confidence(range_80: Mapping[str, int] | None, fair: int, n: int, p: ValuationParams) -> str:
    if range_80 is None:
        return "низкая"
    width = (range_80["high"] - range_80["low"]) / fair
    label = (
        "высокая"
        if width < p.confidence_high
        else "средняя"
        if width < p.confidence_medium
        else "низкая"
    )
    if n < p.confidence_cap_n and label == "высокая":
        label = "средняя"
    return label


def _leave_one_out(
    log_ppsm: np.ndarray,
    levels: np.ndarray,
    valid: list[dict[str, Any]],
    used: np.ndarray,
    p: ValuationParams,
) -> dict[str, Any] | None:
    """Median |error| of predicting each used listing from all the other validated ones."""
    n = len(valid)
    if len(used) < 2:
        return None
    counts = np.ones((len(used), n))
    counts[np.arange(len(used)), used] = 0.0
    similarity = np.array(
        [[_similarity(valid[i]["_flat"], c["_flat"], p) for c in valid] for i in used]
    )
    batch = reconciliation.run(
        log_ppsm, levels, counts, levels[used], np.ones((1, 1)), similarity, p
    )
    actual = np.exp(log_ppsm[used])
    errors = np.abs(batch.fair_ppsm - actual) / actual
    errors = errors[~np.isnan(errors)]
    if errors.size == 0:
        return None
    return {
        "percent": round(float(np.median(errors)) * 100, 1),
        "label": LOO_LABEL,
        "count": int(errors.size),
    }


# --- §6–7 verdict, scenarios, strengths, statistics ---------------------------------------------


def _verdict(diff: float | None, p: ValuationParams) -> str | None:
    if diff is None:
        return None
    if diff > p.verdict_threshold:
        return "ПЕРЕОЦЕНЕНА"
    if diff < -p.verdict_threshold:
        return "ВЫГОДНАЯ ЦЕНА"
    return "В РЫНКЕ"


def _scenarios(fair_total: int, commission: float, p: ValuationParams) -> list[dict[str, Any]]:
    """Rules of thumb relative to fair; net proceeds after the agent's commission."""
    scenarios = []
    for key, name, start, expected, months in p.scenarios:
        expected_price = _round_money(fair_total * expected, p)
        scenarios.append(
            {
                "key": key,
                "name": name,
                "start_price": _round_money(fair_total * start, p),
                "expected_price": expected_price,
                "net_proceeds": _round_money(expected_price * (1 - commission), p),
                "months": months,
                "commission_percent": round(commission * 100, 2),
                "note": "ориентир по эмпирическому правилу, не прогноз",
            }
        )
    return scenarios


def _strengths(
    target: Mapping[str, Any],
    target_levels: np.ndarray,
    used_levels: np.ndarray,
    p: ValuationParams,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Target attributes above/below the comparables' typical level by more than the threshold."""
    strengths, weaknesses = [], []
    for a, attribute in enumerate(ATTRIBUTES):
        stated = used_levels[:, a][~np.isnan(used_levels[:, a])]
        if not attribute.quality or np.isnan(target_levels[a]) or stated.size == 0:
            continue
        ratio = float(target_levels[a] / np.median(stated))
        entry = {
            "key": attribute.key,
            "name": attribute.label,
            "target": _json_value(attribute.display(target)),
            "percent": round((ratio - 1) * 100, 1),
        }
        if ratio > 1 + p.strength_threshold:
            strengths.append(entry)
        elif ratio < 1 - p.strength_threshold:
            weaknesses.append(entry)
    return strengths, weaknesses


def _market_statistics(
    raw_ppsm: np.ndarray,
    adjusted: np.ndarray,
    weights: np.ndarray,
    asking: float | None,
    area: float,
) -> dict[str, Any]:
    q1, median, q3 = np.quantile(raw_ppsm, [0.25, 0.5, 0.75])
    target_ppsm = asking / area if asking is not None else None
    percentile = None
    if target_ppsm is not None:
        below = float((raw_ppsm < target_ppsm).sum() + 0.5 * (raw_ppsm == target_ppsm).sum())
        percentile = round(below / raw_ppsm.size * 100, 1)
    return {
        "count": int(raw_ppsm.size),
        "min": round(float(raw_ppsm.min())),
        "q1": round(float(q1)),
        "median": round(float(median)),
        "q3": round(float(q3)),
        "max": round(float(raw_ppsm.max())),
        "mean": round(float(raw_ppsm.mean())),
        "adjusted_median": round(float(np.median(adjusted))),
        "adjusted_weighted_mean": round(float(np.average(adjusted, weights=weights))),
        "target_price_per_sqm": None if target_ppsm is None else round(target_ppsm),
        "target_percentile": percentile,
    }


def _attribute_warnings(
    target: Mapping[str, Any],
    target_levels: np.ndarray,
    used_levels: np.ndarray,
    applied: np.ndarray,
    p: ValuationParams,
) -> list[str]:
    """Say which attributes were not adjusted and why, and where comparables were imputed."""
    missing, unknown_value, no_comparable, imputed = [], [], [], []
    for a, attribute in enumerate(ATTRIBUTES):
        if np.isnan(target_levels[a]):
            shown = attribute.display(target)
            if shown is not None and isinstance(shown, str) and "?" not in shown:
                unknown_value.append(f"{attribute.label}: «{shown}»")
            else:
                missing.append(attribute.label)
        elif not applied[a]:
            no_comparable.append(attribute.label)
        elif np.isnan(used_levels[:, a]).any():
            imputed.append(attribute.label)
    warnings = []
    if missing:
        warnings.append("Не указано у объекта, поправка не применялась: " + ", ".join(missing))
    if unknown_value:
        warnings.append(
            "Значение не распознано, поправка не применялась: " + "; ".join(unknown_value)
        )
    if no_comparable:
        warnings.append(
            "Ни один аналог не указывает, поправка не применялась: " + ", ".join(no_comparable)
        )
    if imputed:
        warnings.append(
            "Не у всех аналогов указано (взято типичное значение остальных): " + ", ".join(imputed)
        )
    return warnings


def _summary_warnings(
    n: int, weak: int, adjusted_cv: float | None, asking: float | None, p: ValuationParams
) -> list[str]:
    warnings = [label for limit, label in _QUALITY_LABELS if n <= limit][:1]
    if weak:
        warnings.append(f"Слабых аналогов (суммарная поправка больше {p.weak_gross:.0%}): {weak}")
    if adjusted_cv is not None and adjusted_cv > 0.30:
        warnings.append(
            "Очень большой разброс цен после поправок"
            if adjusted_cv > 0.50
            else "Большой разброс цен после поправок"
        )
    if asking is None:
        warnings.append("Цена объекта не указана — вердикт не рассчитан")
    return warnings


# --- formatting -----------------------------------------------------------------------------------


def _round_money(amount: float, p: ValuationParams) -> int:
    step = p.round_rubles
    return round(float(amount) / step) * step


def _fmt_rub(amount: float) -> str:
    return f"{int(amount):,}".replace(",", "\u00a0") + "\u00a0₽"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _json_value(value: object) -> object:
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 3)
    return str(value)
