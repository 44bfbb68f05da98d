"""Many wizard flows at once over real HTTP, a fault injected meanwhile, and their tallies."""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from tests.support.wizard_flow import FlowFailed, WizardFlow


def run_flows(
    base_url: str, numbers: range, *, threads: int = 8, step=None, think: float = 0
) -> dict:
    """Run complete wizard flows concurrently; `step(flow)` replaces `flow.run()` when given.

    Returns the finished flows, the failures, request counts summed over all flows and the
    slowest request of a finished flow in ms."""

    def one(number: int) -> tuple[WizardFlow, FlowFailed | None]:
        flow = WizardFlow(base_url, number, think=think)
        try:
            (step or WizardFlow.run)(flow)
        except FlowFailed as failure:
            return flow, failure
        return flow, None

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, numbers))
    flows = [flow for flow, failure in results if failure is None]
    failures = [failure for _, failure in results if failure is not None]
    totals: Counter = Counter()
    for flow, _ in results:
        totals.update({k: v for k, v in flow.counts.items() if k != "slowest_ms"})
    slowest = max((f.counts["slowest_ms"] for f in flows), default=0)
    return {"flows": flows, "failures": failures, "totals": totals, "slowest_ms": slowest}


@contextmanager
def during(action: Callable[[], object], *, after: float) -> Iterator[None]:
    """Run `action` in a thread `after` seconds from now while the body runs flows; the fault
    always finishes (Redis restarted or resumed) before the fixtures clean up."""
    thread = threading.Timer(after, action)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def print_tally(name: str, result: dict) -> None:
    """One line per fault for the test log (`pytest -s`): what the users went through."""
    totals = result["totals"]
    print(
        f"\n{name}: flows ok {len(result['flows'])}, failed {len(result['failures'])}, "
        f"requests {totals['requests']}, documented 503 {totals['503']}, "
        f"connection errors {totals['connection_error']}, slowest {result['slowest_ms']} ms"
    )
