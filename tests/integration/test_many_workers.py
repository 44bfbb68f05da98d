"""The workers share the sessions: 200 wizard flows over 4 real gunicorn workers on one Redis,
every step showing its own flat whichever worker answers it."""

import pytest

from tests.support.flow_runs import run_flows

pytestmark = pytest.mark.slow


def test_every_step_of_200_flows_shows_its_own_flat_on_any_worker(gunicorn):
    server = gunicorn(workers=4)
    result = run_flows(server.url, range(200))
    served = server.requests_per_worker()
    print(
        f"\nflows: {len(result['flows'])}, requests: {result['totals']['requests']}, "
        f"per worker: {sorted(served.values())}, slowest: {result['slowest_ms']} ms"
    )
    assert [str(f) for f in result["failures"]] == []
    assert len(result["flows"]) == 200
    assert result["totals"]["503"] == 0
    assert len(served) >= 3, f"requests reached only {len(served)} workers"
