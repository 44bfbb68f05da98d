"""`/metrics` under real gunicorn workers: one scrape of any worker gives the service's totals."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.polling import wait_until
from tests.support.prometheus_text import series, value

pytestmark = pytest.mark.slow

ROUTE, PATH = "calculator:object", "/calculator/"
REQUESTS = 40
DURATION = "housler_http_request_duration_seconds"
LIVE_GAUGES = (
    "housler_session_circuit_open",
    "housler_session_fallback_active",
    "housler_process_start_time_seconds",
)


def scrape(url: str) -> str:
    response = requests.get(url + "/metrics", timeout=10)
    assert response.status_code == 200
    return response.text


def scrapes(url: str, count: int) -> list[str]:
    """Concurrent scrapes, so that more than one worker answers them."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: scrape(url), range(count)))


def live_pids(text: str, name: str) -> set[str]:
    return {sample.labels["pid"] for sample in series(text, name)}


def wait_for_replacement(server, killed: int, timeout: float = 20) -> set[str]:
    """Scrape until every live gauge lists exactly the live workers (the new one included)."""
    workers: set[str] = set()

    def gauges_list_the_live_workers() -> bool:
        workers.clear()
        workers.update(str(pid) for pid in server.worker_pids())
        if str(killed) in workers or len(workers) != 2:
            return False
        text = scrape(server.url)
        return all(live_pids(text, name) == workers for name in LIVE_GAUGES)

    try:
        wait_until(
            gauges_list_the_live_workers,
            "the live gauges to list the live workers",
            timeout=timeout,
            every=0.2,
        )
    except AssertionError as waited:
        raise AssertionError(f"{waited}; /metrics now:\n{scrape(server.url)}") from None
    return workers


def logged_requests(server, total: int, timeout: float = 5) -> dict:
    """Requests per worker from the access log, once all `total` lines are written: gunicorn logs
    a request after its response is sent, so the last line may trail the client by a moment."""
    wait_until(
        lambda: sum(server.requests_per_worker(f"GET {PATH} ").values()) >= total,
        f"{total} requests in the access log",
        timeout=timeout,
    )
    return server.requests_per_worker(f"GET {PATH} ")


def test_any_worker_answers_the_service_totals_and_a_killed_workers_counts_stay(gunicorn):
    server = gunicorn(workers=2)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: requests.get(server.url + PATH, timeout=10), range(REQUESTS))
        )
    assert {response.status_code for response in statuses} == {200}
    served = logged_requests(server, REQUESTS)
    assert sum(served.values()) == REQUESTS
    assert len(served) == 2, f"all requests reached one worker: {served}"

    texts: list[str] = []
    for _round in range(5):  # concurrent rounds until both workers have answered a scrape
        texts += scrapes(server.url, 8)
        scrapers = server.requests_per_worker("GET /metrics ")
        if len(scrapers) == 2:
            break
    print(f"\nrequests per worker: {dict(served)}, scrapes per worker: {dict(scrapers)}")
    assert len(scrapers) == 2, f"every scrape reached one worker: {scrapers}"
    for text in texts:
        assert value(text, DURATION + "_count", route=ROUTE, method="GET") == REQUESTS
        assert value(text, DURATION + "_bucket", route=ROUTE, method="GET", le="+Inf") == REQUESTS
        finite = series(text, DURATION + "_bucket", route=ROUTE, method="GET")
        assert len(finite) > 5, "the histogram has no buckets for the route"
        assert value(text, "housler_workers_configured") == 2
        for name in LIVE_GAUGES:
            assert live_pids(text, name) == set(served), name

    victim = int(max(served, key=served.get))
    assert server.kill_worker(victim) == victim
    workers = wait_for_replacement(server, victim)
    for text in scrapes(server.url, 4):
        assert value(text, DURATION + "_count", route=ROUTE, method="GET") == REQUESTS
        for name in LIVE_GAUGES:
            assert live_pids(text, name) == workers, name
    print(f"killed {victim} (served {served[str(victim)]}), live workers now {sorted(workers)}")


def test_the_allow_list_refuses_a_forwarded_scrape(gunicorn):
    server = gunicorn(workers=2)
    refused = requests.get(
        server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
    )
    assert refused.status_code == 404
    assert "housler_" not in refused.text
    assert requests.get(server.url + "/metrics", timeout=10).status_code == 200
