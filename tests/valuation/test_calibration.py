"""Do the stated ranges contain the true value as often as they claim?

400 synthetic markets (tests/valuation/synthetic_market.py: the market's own attribute effects,
house effects, listing noise, missing attributes and price typos, 3–25 comparables), one fixed
seed chosen before the first run. Figures with this seed and the default settings
(σ_coef = 0.25, τ = 0.04): range_80 covers 73.9 %, range_95 92.2 %, median absolute error 4.8 %.
The shortfall against the nominal 80/95 is mostly the generator's tables being off by a factor
U(0.5, 1.5) (sd 0.29, more than the σ_coef = 0.25 the method assumes): with exact tables the same
markets give 80.4 / 93.2 %. What remains is targets in a house none of the comparables is in
(77 / 91 % even with exact tables; the generator's house spread is 0.05, the method's default τ
0.04, and the bootstrap treats listings of one house as independent).
"""

import numpy as np

from calculator.valuation import value
from tests.support.synthetic_market import generate_market

MARKETS = 400
SEED = 20251126


def test_ranges_cover_the_true_value(record_property):
    rng = np.random.default_rng(SEED)
    inside_80 = inside_95 = total = 0
    errors = []
    for index in range(MARKETS):
        market = generate_market(rng)
        result = value(market.target, market.comparables, seed=index)
        errors.append(abs(result["fair_price_total"] / market.true_total - 1))
        if result["range_80"] is None:  # fewer than 3 usable comparables after a typo
            continue
        total += 1
        r80, r95 = result["range_80"], result["range_95"]
        inside_80 += r80["low"] <= market.true_total <= r80["high"]
        inside_95 += r95["low"] <= market.true_total <= r95["high"]
    coverage_80, coverage_95 = inside_80 / total, inside_95 / total
    median_error = float(np.median(errors))
    record_property("coverage_80", round(coverage_80, 3))
    record_property("coverage_95", round(coverage_95, 3))
    record_property("median_abs_error", round(median_error, 4))
    print(
        f"\ncalibration over {total} markets: range_80 covers {coverage_80:.1%}, "
        f"range_95 covers {coverage_95:.1%}, median absolute error {median_error:.1%}"
    )
    assert total >= 200
    assert 0.72 <= coverage_80 <= 0.88
    assert coverage_95 >= 0.90
