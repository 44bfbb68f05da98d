"""No lost edits: one visitor's simultaneous posts over 2 real gunicorn workers all land.

Each post opens its own connection (`Connection: close`), so they race on different workers
against one Redis; the compare-and-set save and the wizard's redo keep every change, and a form
submitted twice (same one-time token) is applied once.
"""

import re
import secrets
import threading

import pytest
import requests

from tests.support.wizard_flow import WizardFlow

pytestmark = pytest.mark.slow
PARALLEL = 10


def comparable_ids(flow: WizardFlow) -> list[str]:
    return re.findall(r'name="comparable_id" value="(c\d+)"', flow.page("/calculator/comparables/"))


def excluded_count(flow: WizardFlow) -> int:
    return flow.page("/calculator/comparables/").count('name="action" value="include"')


def post_all_at_once(flow: WizardFlow, forms: list[dict]) -> list[int]:
    """POST every form at the same moment, each on a new connection; the HTTP statuses."""
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)
    csrf = flow.http.cookies.get("csrftoken", "")

    def post(index: int) -> None:
        http = requests.Session()
        http.headers["Connection"] = "close"
        http.cookies.update(flow.http.cookies)
        barrier.wait()
        response = http.post(
            flow.base_url + "/calculator/comparables/",
            data={**forms[index], "csrfmiddlewaretoken": csrf},
            timeout=20,
            allow_redirects=False,
        )
        statuses[index] = response.status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def manual_comparable(n: int, token: str | None = None) -> dict:
    return {
        "action": "add_manual",
        "add_manual-price": str(9_000_000 + n * 10_000),
        "add_manual-total_area": f"{50 + n % 20},5",
        "add_manual-rooms": "2",
        "form_token": token or secrets.token_urlsafe(16),
    }


def test_simultaneous_edits_of_one_visitor_all_land(gunicorn):
    server = gunicorn(workers=2)
    flow = WizardFlow(server.url, 1)
    flow.start()
    flow.details()

    for round_ in range(3):
        before = len(comparable_ids(flow))
        forms = [manual_comparable(round_ * PARALLEL + n) for n in range(PARALLEL)]
        assert post_all_at_once(flow, forms) == [302] * PARALLEL
        assert len(comparable_ids(flow)) == before + PARALLEL, f"round {round_ + 1}"

    before = len(comparable_ids(flow))
    twice = manual_comparable(99, token=secrets.token_urlsafe(16))
    assert post_all_at_once(flow, [twice, twice]) == [302, 302]
    assert len(comparable_ids(flow)) == before + 1, "a double submit adds one comparable"

    chosen = comparable_ids(flow)[:PARALLEL]
    excludes = [
        {"action": "exclude", "comparable_id": cid, "form_token": secrets.token_urlsafe(16)}
        for cid in chosen
    ]
    assert post_all_at_once(flow, excludes) == [302] * PARALLEL
    assert excluded_count(flow) == PARALLEL
    includes = [
        {**form, "action": "include", "form_token": secrets.token_urlsafe(16)}
        for form in excludes[:5]
    ]
    assert post_all_at_once(flow, includes) == [302] * 5
    assert excluded_count(flow) == PARALLEL - 5
    assert len(server.requests_per_worker()) == 2, "the posts reached both workers"
