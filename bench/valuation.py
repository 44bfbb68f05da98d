"""Time `calculator.valuation.value()` for 5, 20 and 50 comparables with the default bootstrap.

Run from the repository root: `python bench/valuation.py`. Prints the median of several runs in
milliseconds and, as the in-run baseline, the ratio to the same call with bootstrap=0 (the point
estimate, leave-one-out check and bookkeeping without the 2000 resamples): the ratio shows what
the range costs on top of the rest, independent of the machine's speed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from calculator.valuation import value

REPAIR = ("эконом", "стандартная", "улучшенная", "премиум")
WINDOWS = ("деревянные", "пластиковые", "евро")
VIEWS = ("дом", "улица", "парк", "город")
RUNS = 15


def market(n: int, seed: int = 1) -> tuple[dict, list[dict]]:
    """A plausible set of n comparables, some attributes missing, a few in the target's house."""
    rng = np.random.default_rng(seed)
    comparables = []
    for i in range(n):
        area = float(rng.uniform(30, 100))
        storeys = int(rng.choice((9, 12, 17, 25)))
        comparables.append(
            {
                "id": f"c{i}",
                "price": int(area * rng.uniform(180_000, 260_000)),
                "total_area": round(area, 1),
                "living_area": round(area * rng.uniform(0.4, 0.65), 1),
                "floor": int(rng.integers(1, storeys + 1)),
                "total_floors": storeys,
                "repair_level": str(rng.choice(REPAIR)) if rng.random() > 0.2 else None,
                "window_type": str(rng.choice(WINDOWS)),
                "elevator_count": "один",
                "view_type": str(rng.choice(VIEWS)) if rng.random() > 0.3 else None,
                "ceiling_height": round(float(rng.uniform(2.5, 3.2)), 2),
                "bathrooms": int(rng.integers(1, 3)),
                "house_id": f"h{int(rng.integers(0, 6))}",
            }
        )
    target = {
        "price": 14_000_000,
        "total_area": 60.0,
        "living_area": 35.0,
        "floor": 7,
        "total_floors": 17,
        "repair_level": "улучшенная",
        "window_type": "евро",
        "elevator_count": "два",
        "view_type": "парк",
        "ceiling_height": 2.9,
        "bathrooms": 2,
        "house_id": "h0",
    }
    return target, comparables


def median_ms(target: dict, comparables: list[dict], **kwargs: object) -> float:
    value(target, comparables, **kwargs)  # warm-up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        value(target, comparables, **kwargs)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    print(
        f"value(): median of {RUNS} runs, default bootstrap=2000; baseline: same call, bootstrap=0"
    )
    print(f"{'n':>4} {'B=2000 ms':>10} {'B=0 ms':>8} {'ratio':>6}")
    for n in (5, 20, 50):
        target, comparables = market(n)
        full = median_ms(target, comparables)
        base = median_ms(target, comparables, bootstrap=0)
        print(f"{n:>4} {full:>10.1f} {base:>8.1f} {full / base:>6.1f}")


if __name__ == "__main__":
    main()
