"""Redis Sentinel: a failover during the flows loses no session (reads stay on the primary)."""

import pytest

from tests.support.flow_runs import during, print_tally, run_flows
from tests.support.sentinel import SentinelSet

pytestmark = pytest.mark.slow


@pytest.fixture
def sentinel_set():
    sentinels = SentinelSet().start()
    yield sentinels
    sentinels.cleanup()


def test_sentinel_failover_during_flows_loses_no_session(gunicorn, sentinel_set):
    server = gunicorn(workers=4, REDIS_URL="", **sentinel_set.env())
    before = sentinel_set.master_port()
    with during(sentinel_set.failover, after=1.0):
        result = run_flows(server.url, range(64), threads=8, think=0.1)
    print_tally("sentinel failover", result)
    assert sentinel_set.master_port() != before, "the failover happened during the flows"
    assert [str(f) for f in result["failures"]] == []
    for flow in result["flows"]:
        flow.report()  # every session is still readable from the new primary
