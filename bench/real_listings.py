"""The valuation on real listings, beside a plain median and a gradient-boosting AVM.

Run from the repository root: `python bench/real_listings.py` (needs requirements-bench.txt).
For 1 000 targets per city (a seeded sample of the shipped listings,
calculator/valuation/calibration/data), the asking price is hidden and up to ten comparables are
picked as a careful visitor would (calculator/valuation/calibration/cases.py). Each method prices
the target; the figures compare its price with the hidden asking price:

- MdAPE and P90: median and 90th percentile of |predicted / asking − 1|;
- bias: median of predicted / asking − 1 (negative = under the asking price);
- cov80, cov95: share of asking prices inside the stated 80 % / 95 % range; width80: mean width
  of the 80 % range relative to the predicted price.

Held out by district: the districts fall into five folds (calibration/ranges.py), and a target
is valued with tables — effects, weights, range quantiles, confidence cuts — fitted by
`calibration.fit_market` on the other folds' listings only, so neither its district nor its own
comparables ever informed the method that values it. The shipped tables are the same fit on all
the listings. The AVM is cross-fitted in five folds of flats, so it never sees a target or a copy
of it, but it does learn from the target's neighbours — the strong baseline a listing site would
run.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.real_market import avm
from calculator.valuation import market, value
from calculator.valuation.calibration import data_sources, fit_market, ranges
from calculator.valuation.calibration.cases import Case, cases

TARGETS = 1000
SEED = 20261207
# (price, 80 % range, 95 % range, confidence label where the method states one)
Prediction = tuple[float, tuple[float, float] | None, tuple[float, float] | None, str | None]


def _median(case: Case) -> Prediction:
    ppsm = np.median([c["price"] / c["total_area"] for c in case.comparables])
    return float(ppsm * case.target["total_area"]), None, None, None


def _housler(markets: dict[int, market.Market]) -> Callable[[Case], Prediction]:
    def predict(case: Case) -> Prediction:
        target = {k: v for k, v in case.target.items() if k != "price"}
        params = {"market": markets[ranges.fold(case.target)]}
        result = value(target, case.comparables, params=params)
        r80, r95 = result["range_80"], result["range_95"]
        return (
            float(result["fair_price_total"]),
            (r80["low"], r80["high"]) if r80 else None,
            (r95["low"], r95["high"]) if r95 else None,
            result["confidence"],
        )

    return predict


def held_out_markets(listings: Sequence[dict[str, Any]]) -> dict[int, market.Market]:
    """Per district fold, the method's tables fitted without that fold's listings."""
    return {
        k: market.from_tables(fit_market([x for x in listings if ranges.fold(x) != k]))
        for k in range(ranges.FOLDS)
    }


def _avm(predicted: dict[str, tuple[float, dict[float, float]]]) -> Callable[[Case], Prediction]:
    def predict(case: Case) -> Prediction:
        point, q = predicted[case.target["id"]]
        return point, (q[0.10], q[0.90]), (q[0.025], q[0.975]), None

    return predict


def _figures(rows: Sequence[tuple[Case, Prediction]]) -> dict[str, str]:
    ratio = np.array([p[0] / c.target["price"] - 1 for c, p in rows])
    error = np.abs(ratio)
    out = {
        "n": str(len(rows)),
        "MdAPE": f"{np.median(error) * 100:.1f} %",
        "P90": f"{np.quantile(error, 0.9) * 100:.1f} %",
        "bias": f"{np.median(ratio) * 100:+.1f} %",
    }
    for name, slot in (("cov80", 1), ("cov95", 2)):
        ranged = [(c, p) for c, p in rows if p[slot]]
        inside = [p[slot][0] <= c.target["price"] <= p[slot][1] for c, p in ranged]
        out[name] = f"{np.mean(inside) * 100:.0f} %" if ranged else "–"
    widths = [(p[1][1] - p[1][0]) / p[0] for _, p in rows if p[1]]
    out["width80"] = f"{np.mean(widths) * 100:.0f} %" if widths else "–"
    return out


def _groups(case: Case, confidence: str | None) -> dict[str, str]:
    house = case.target.get("house_id")
    same = any(house and c.get("house_id") == house for c in case.comparables)
    n = len(case.comparables)
    return {
        "segment": {"new": "новостройка", "resale": "вторичка"}.get(
            case.target.get("category"), "не указан"
        ),
        "same house": "есть аналог из того же дома" if same else "нет аналога из того же дома",
        "comparables": "3–5" if n <= 5 else "6–9" if n <= 9 else "10",
        "confidence": confidence or "–",
    }


COLUMNS = ("n", "MdAPE", "P90", "bias", "cov80", "cov95", "width80")


def _table(title: str, rows: dict[str, list[tuple[Case, Prediction]]]) -> None:
    print(f"\n{title}\n\n| method | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for method, scored in rows.items():
        figures = _figures(scored)
        print(f"| {method} | " + " | ".join(figures[c] for c in COLUMNS) + " |")


def _city(dataset: data_sources.Dataset, markets: dict[int, market.Market]) -> None:
    started = time.process_time()
    targets = random.Random(SEED).sample(dataset.listings, TARGETS)
    found = cases(dataset.listings, targets, seed=SEED)
    methods: dict[str, Callable[[Case], Prediction]] = {
        "median ₽/м² × area": _median,
        "Housler": _housler(markets),
        "AVM (gradient boosting)": _avm(avm.predict(dataset.listings, [c.target for c in found])),
    }
    scored = {name: [(c, predict(c)) for c in found] for name, predict in methods.items()}
    _table(f"### {dataset.city}: {len(found)} targets", scored)
    groups = {c.target["id"]: _groups(c, p[3]) for c, p in scored["Housler"]}
    for key in ("segment", "same house", "comparables", "confidence"):
        labels = sorted({g[key] for g in groups.values()})
        for label in labels:
            subset = {
                name: [(c, p) for c, p in rows if groups[c.target["id"]][key] == label]
                for name, rows in scored.items()
            }
            if len(subset["Housler"]) >= 30:
                _table(f"#### {dataset.city}, {key}: {label}", subset)
    print(f"\n({time.process_time() - started:.0f} s CPU)")


def main() -> None:
    datasets = list(data_sources.both())
    started = time.process_time()
    markets = held_out_markets([x for dataset in datasets for x in dataset.listings])
    print(f"(tables fitted per held-out fold in {time.process_time() - started:.0f} s CPU)")
    for dataset in datasets:
        _city(dataset, markets)


if __name__ == "__main__":
    main()
