"""Fixtures for multi-process tests: real gunicorn workers on a Redis each test owns."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.gunicorn_server import GunicornServer
from tests.support.redis_server import RedisServer
from tests.support.wizard_flow import FlowFailed, WizardFlow


@pytest.fixture
def sessions_redis():
    """A private Redis with deploy/redis.conf's durability settings (AOF on, noeviction)."""
    server = RedisServer(
        "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"
    ).start()
    yield server
    server.cleanup()


@pytest.fixture
def gunicorn(sessions_redis):
    """Start gunicorn (deploy/gunicorn.conf.py) on `sessions_redis`; stopped after the test."""
    started: list[GunicornServer] = []

    def start(workers: int = 4, **env: str) -> GunicornServer:
        env.setdefault("REDIS_URL", sessions_redis.url)
        env.setdefault("SESSION_FALLBACK_RETRY", "1")
        server = GunicornServer(workers=workers, **env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def run_flows(
    base_url: str, numbers: range, *, threads: int = 8, step=None, think: float = 0
) -> dict:
    """Run complete wizard flows concurrently; `step(flow)` replaces `flow.run()` when given."""

    def one(number: int) -> WizardFlow | FlowFailed:
        flow = WizardFlow(base_url, number, think=think)
        try:
            (step or WizardFlow.run)(flow)
        except FlowFailed as failure:
            failure.flow = flow
            return failure
        return flow

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, numbers))
    flows = [r for r in results if isinstance(r, WizardFlow)]
    failures = [r for r in results if isinstance(r, FlowFailed)]
    totals: Counter = Counter()
    for flow in flows + [f.flow for f in failures]:
        totals.update({k: v for k, v in flow.counts.items() if k != "slowest_ms"})
    slowest = max((f.counts["slowest_ms"] for f in flows), default=0)
    return {"flows": flows, "failures": failures, "totals": totals, "slowest_ms": slowest}
