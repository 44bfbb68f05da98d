"""Outcomes of Cian fetches, counted for `/metrics` across every worker.

The fetcher increments `CIAN_FETCHES.labels(outcome=...)` once per page it asked Cian for, with an
outcome from a short fixed vocabulary (e.g. ok, blocked, timeout, error) so label values stay few.
"""

from prometheus_client import Counter

CIAN_FETCHES = Counter(
    "housler_cian_fetches",
    "Cian page fetches by outcome (ok, blocked, timeout, error).",
    ["outcome"],
)
