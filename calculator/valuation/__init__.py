"""The valuation core: comparables in, a fair price with an honest range out.

The method is docs/valuation.md. Pure Python and numpy, no Django views, forms or settings (only
`value_with_settings()` and `coefficients.params_from_settings()` read settings, lazily). One
module per step:
`validation` (§1), `comparison` and `reconciliation` (§2–4), `uncertainty` (§5), `summary`
(§6–7), `quality` (labels shared with step 2 of the wizard), `coefficients` (every hand-set number),
`method` (`value()`, the steps in order).
"""

from calculator.valuation.method import (
    METHOD_VERSION,
    InvalidTarget,
    NotEnoughComparables,
    value,
    value_with_settings,
)

__all__ = [
    "METHOD_VERSION",
    "InvalidTarget",
    "NotEnoughComparables",
    "value",
    "value_with_settings",
]
