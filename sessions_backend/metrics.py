"""The session engine's Prometheus series, for the project's `/metrics` view to include.

Every gunicorn worker keeps its own counters, and a scrape reaches one worker at a time, so each
series carries a `worker` label (the pid): per series it only grows, `rate()` works, and
`sum without (worker)` gives the service total. `sample` and `family` write the exposition text.
"""

from collections.abc import Iterable

from .storage import SessionStorage


def label_value(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def sample(name: str, value: float, **labels: object) -> str:
    text = repr(float(value)) if isinstance(value, float) else str(int(value))
    if not labels:
        return f"{name} {text}"
    pairs = ",".join(f'{key}="{label_value(val)}"' for key, val in labels.items())
    return f"{name}{{{pairs}}} {text}"


def family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def session_families(storage: SessionStorage, stats: dict, worker: int) -> list[str]:
    """Operations by outcome, fallback, circuit and sharing state of this worker's sessions."""
    return [
        *family(
            "housler_session_operations_total",
            "counter",
            "Session store operations by outcome (hit, miss, fallback, unavailable, error...).",
            [
                sample(
                    "housler_session_operations_total",
                    row["count"],
                    op=row["op"],
                    result=row["result"],
                    worker=worker,
                )
                for row in stats["operations"]
            ],
        ),
        *family(
            "housler_session_fallback_active",
            "gauge",
            "1 while this worker keeps sessions in the fallback store (always, without Redis).",
            [
                sample(
                    "housler_session_fallback_active",
                    int(stats["fallback_active"]),
                    worker=worker,
                )
            ],
        ),
        *family(
            "housler_session_circuit_open",
            "gauge",
            "1 while this worker's Redis circuit breaker is open or half-open.",
            [
                sample(
                    "housler_session_circuit_open", int(stats["circuit"] != "closed"), worker=worker
                )
            ],
        ),
        *family(
            "housler_session_shared_between_workers",
            "gauge",
            "1 if the store serving sessions now is visible to every worker.",
            [
                sample(
                    "housler_session_shared_between_workers",
                    int(storage.active.shared),
                    worker=worker,
                )
            ],
        ),
    ]
