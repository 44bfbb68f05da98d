"""How good a set of comparables is: the count labels and the spread thresholds, defined once.

Step 2 judges the list the visitor is assembling (`calculator.comparable_list`), the valuation
judges what survived its checks; both speak with these words and these limits.
"""

from __future__ import annotations

from dataclasses import dataclass

# Comparables needed for a result the wizard does not ask the visitor to confirm.
ENOUGH_COMPARABLES = 5
# (largest count, CSS-friendly level, label); above the last limit the sample is "good".
_COUNT_LEVELS = (
    (2, "critical", "Критически мало данных"),
    (4, "low", "Мало аналогов — результат может быть неточным"),
    (9, "fair", "Приемлемо, но лучше добавить ещё"),
)
_GOOD = ("good", "Отличная выборка")
# Coefficient of variation of ₽/м² above which prices are "widely" / "very widely" spread.
SPREAD_WIDE = 0.30
SPREAD_VERY_WIDE = 0.50
# Enough comparables whose prices disagree is no "excellent" sample: the label says why.
_SPREAD_LABELS = {
    "wide": "Аналогов достаточно, но цены за м² заметно расходятся",
    "very wide": "Аналогов достаточно, но цены за м² сильно расходятся",
}


@dataclass(frozen=True)
class Quality:
    level: str  # CSS-friendly: critical, low, fair, good
    label: str
    count: int

    @property
    def good(self) -> bool:
        return self.level == _GOOD[0]


def quality(count: int, cv: float | None = None) -> Quality:
    """The label of a sample of `count` comparables whose ₽/м² vary by `cv` (when known)."""
    for limit, level, label in _COUNT_LEVELS:
        if count <= limit:
            return Quality(level, label, count)
    spread_level = spread(cv)
    if spread_level is not None:
        return Quality("fair", _SPREAD_LABELS[spread_level], count)
    return Quality(*_GOOD, count)


def spread(cv: float | None) -> str | None:
    """ "very wide", "wide" or None for a coefficient of variation (a fraction)."""
    if cv is None or cv <= SPREAD_WIDE:
        return None
    return "very wide" if cv > SPREAD_VERY_WIDE else "wide"
