"""What the fair price means to the visitor (docs/valuation.md §6–7): verdict, sale scenarios,
strengths and weaknesses, market statistics and the warnings that qualify the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from calculator.formatting import plural
from calculator.valuation import quality
from calculator.valuation.coefficients import ATTRIBUTES, ValuationParams
from calculator.valuation.comparison import json_value
from calculator.valuation.uncertainty import Doubt


def verdict(
    asking: float | None, fair: float, range_80: Mapping[str, Any] | None, p: ValuationParams
) -> str | None:
    """The asking price against the 80 % range: above it ПЕРЕОЦЕНЕНА, below it ВЫГОДНАЯ ЦЕНА,
    inside В РЫНКЕ. A price inside the range is as likely as fair, however far from its middle.
    Without a range (too few comparables) ±`verdict_threshold` around fair stands in for it."""
    if asking is None:
        return None
    low, high = verdict_bounds(fair, range_80, p.verdict_threshold)
    if asking > high:
        return "ПЕРЕОЦЕНЕНА"
    if asking < low:
        return "ВЫГОДНАЯ ЦЕНА"
    return "В РЫНКЕ"


def verdict_bounds(
    fair: float, range_80: Mapping[str, Any] | None, threshold: float
) -> tuple[float, float]:
    """The prices `verdict` calls В РЫНКЕ: the 80 % range, else fair ± threshold."""
    if range_80 is not None:
        return range_80["low"], range_80["high"]
    return fair * (1 - threshold), fair * (1 + threshold)


def scenarios(fair_total: int, commission: float, p: ValuationParams) -> list[dict[str, Any]]:
    """Rules of thumb relative to fair; net proceeds after the agent's commission."""
    found = []
    for key, name, start, expected, months in p.scenarios:
        expected_price = p.round_money(fair_total * expected)
        found.append(
            {
                "key": key,
                "name": name,
                "start_price": p.round_money(fair_total * start),
                "expected_price": expected_price,
                "net_proceeds": p.round_money(expected_price * (1 - commission)),
                "months": months,
                "commission_percent": round(commission * 100, 2),
                "note": "ориентир по эмпирическому правилу, не прогноз",
            }
        )
    return found


def strengths(
    target: Mapping[str, Any],
    target_levels: np.ndarray,
    used_levels: np.ndarray,
    p: ValuationParams,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Target attributes above/below the comparables' typical level by more than the threshold."""
    above, below = [], []
    for a, attribute in enumerate(ATTRIBUTES):
        stated = used_levels[:, a][~np.isnan(used_levels[:, a])]
        if not attribute.quality or np.isnan(target_levels[a]) or stated.size == 0:
            continue
        ratio = float(target_levels[a] / np.median(stated))
        entry = {
            "key": attribute.key,
            "name": attribute.label,
            "target": json_value(attribute.display(target)),
            "percent": round((ratio - 1) * 100, 1),
        }
        if ratio > 1 + p.strength_threshold:
            above.append(entry)
        elif ratio < 1 - p.strength_threshold:
            below.append(entry)
    return above, below


def market_statistics(
    raw_ppsm: np.ndarray,
    adjusted: np.ndarray,
    weights: np.ndarray,
    asking_ppsm: float | None,
) -> dict[str, Any]:
    """Quartiles of the used comparables' ₽/м² and where the target's asking ₽/м² falls."""
    q1, median, q3 = np.quantile(raw_ppsm, [0.25, 0.5, 0.75])
    percentile = None
    if asking_ppsm is not None:
        below = float((raw_ppsm < asking_ppsm).sum() + 0.5 * (raw_ppsm == asking_ppsm).sum())
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
        "target_price_per_sqm": None if asking_ppsm is None else round(asking_ppsm),
        "target_percentile": percentile,
    }


def _unadjusted(
    target: Mapping[str, Any],
    target_levels: np.ndarray,
    used_levels: np.ndarray,
    applied: np.ndarray,
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Attribute labels: missing on the target, unrecognised there, stated by no comparable,
    imputed on some comparables."""
    missing, unknown_value, no_comparable, imputed = [], [], [], []
    for a, attribute in enumerate(ATTRIBUTES):
        if np.isnan(target_levels[a]):
            shown = attribute.display(target)
            if shown is not None and isinstance(shown, str) and "?" not in shown:
                unknown_value.append(f"{plain_label(attribute.label)} «{shown}»")
            else:
                missing.append(attribute.label)
        elif not applied[a]:
            no_comparable.append(attribute.label)
        elif np.isnan(used_levels[:, a]).any():
            imputed.append(attribute.label)
    return missing, unknown_value, no_comparable, imputed


def attribute_warnings(
    target: Mapping[str, Any],
    target_levels: np.ndarray,
    used_levels: np.ndarray,
    applied: np.ndarray,
) -> list[str]:
    """Say which attributes were not adjusted and why, and where comparables were imputed."""
    missing, unknown_value, no_comparable, imputed = _unadjusted(
        target, target_levels, used_levels, applied
    )
    warnings = []
    if missing:
        warnings.append(f"У этой квартиры не указано: {_names(missing)} — поправок на это нет")
    if unknown_value:
        warnings.append(f"Не удалось распознать: {_names(unknown_value)} — поправок на это нет")
    if no_comparable:
        warnings.append(
            f"Ни у одного аналога не указано: {_names(no_comparable)} — поправок на это нет"
        )
    if imputed:
        warnings.append(
            f"Указано не у всех аналогов: {_names(imputed)} — где не указано, "
            "взято типичное значение остальных"
        )
    return warnings


def plain_label(label: str) -> str:
    """An attribute's label inside a sentence: "Доля жилой площади, %" → "доля жилой площади"."""
    label = re.sub(r"\s*\([^)]*\)|,\s*(?:%|м²)$", "", label)
    return label[:1].lower() + label[1:]


def _names(labels: list[str]) -> str:
    """ "окна, лифты и вид из окон": labels joined as a sentence lists them."""
    names = [plain_label(label) for label in labels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " и " + names[-1]


_SPREAD_WARNINGS = {
    "wide": "Большой разброс цен после поправок",
    "very wide": "Очень большой разброс цен после поправок",
}


def summary_warnings(
    n: int, weak: int, adjusted_cv: float | None, asking: float | None, p: ValuationParams
) -> list[str]:
    """Quality label, weak comparables, spread after adjustment, missing asking price."""
    sample = quality.quality(n)
    warnings = [] if sample.good else [sample.label]
    if weak:
        warnings.append(f"Слабых аналогов (суммарная поправка больше {p.weak_gross:.0%}): {weak}")
    spread = quality.spread(adjusted_cv)
    if spread is not None:
        warnings.append(_SPREAD_WARNINGS[spread])
    if asking is None:
        warnings.append("Цена объекта не указана — вердикт не рассчитан")
    return warnings


def caveats(
    n_used: int,
    doubt: Doubt | None,
    range_80: Mapping[str, int] | None,
    fair: int,
    p: ValuationParams,
) -> list[str]:
    """When the method is unsure, why, in words a flat owner reads without a glossary.

    The three reasons are the ones that widen the range on real listings: few comparables, none
    from the flat's own house, and comparables that disagree even after the adjustments.
    """
    found = []
    if n_used < p.confidence_cap_n:
        found.append(
            f"В расчёте всего {n_used} {plural(n_used, 'аналог', 'аналога', 'аналогов')}: "
            "одна необычная цена заметно сдвигает оценку. Добавьте ещё похожие квартиры — "
            "лучше из этого же дома."
        )
    if doubt is not None and doubt.same_house_share == 0:
        found.append(
            "Ни одна из квартир для сравнения не стоит в этом же доме, а соседние дома "
            "бывают заметно дороже или дешевле. Поэтому диапазон шире; квартиры из этого дома "
            "сделают оценку точнее."
        )
    if range_80 is not None and (range_80["high"] - range_80["low"]) / fair > p.caveat_width:
        found.append(
            "Цены похожих квартир сильно расходятся даже с поправками, поэтому диапазон "
            "широкий: считайте оценку ориентиром, а не точной ценой."
        )
    return found
