"""One user's whole wizard over real HTTP, as a browser without JavaScript would do it.

Every request opens a new TCP connection (`Connection: close`), so consecutive steps of one flow
land on different gunicorn workers. A 503 with `Retry-After` is what the product promises during a
Redis outage: the flow waits as a user would and retries the same request. Anything else that is
not the flow's own page is recorded as a failure.
"""

import time
import uuid
from collections import Counter

import requests

from tests.support.wizard_client import DETAILS


class FlowFailed(AssertionError):
    pass


class WizardFlow:
    def __init__(
        self, base_url: str, number: int, *, patience: float = 30, think: float = 0
    ) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Connection"] = "close"
        self.address = f"Москва, ул. Проверочная, д. {number}, кв. {uuid.uuid4().hex[:8]}"
        self.price = 10_000_000 + number * 1_000
        self.patience = patience
        self.think = think  # seconds a user spends on each page
        self.counts: Counter = Counter()

    def request(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        time.sleep(self.think)
        deadline = time.monotonic() + self.patience
        while True:
            started = time.monotonic()
            try:
                response = self.http.request(
                    method, self.base_url + path, data=data, timeout=5, allow_redirects=False
                )
            except requests.ConnectionError:
                self.counts["connection_error"] += 1  # e.g. the worker was killed mid-request
                response = None
            self.counts["slowest_ms"] = max(
                self.counts["slowest_ms"], int((time.monotonic() - started) * 1000)
            )
            if response is not None and response.status_code != 503:
                self.counts["requests"] += 1
                if response.status_code >= 500:
                    raise FlowFailed(f"{method} {path}: HTTP {response.status_code}")
                return response
            if response is not None:
                if "Retry-After" not in response.headers or "данные сохранены" not in response.text:
                    raise FlowFailed(f"{method} {path}: an undocumented 503")
                self.counts["503"] += 1
            if time.monotonic() > deadline:
                raise FlowFailed(f"{method} {path}: still unavailable after {self.patience} s")
            time.sleep(0.2 if response is None else min(1.0, int(response.headers["Retry-After"])))

    def page(self, path: str) -> str:
        response = self.request("GET", path)
        if response.status_code != 200:
            raise FlowFailed(f"GET {path}: HTTP {response.status_code}")
        return self.own(response.text, path)

    def submit(self, path: str, data: dict) -> str:
        data = {**data, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        response = self.request("POST", path, data)
        if response.status_code != 302:
            raise FlowFailed(f"POST {path} {data.get('action')}: HTTP {response.status_code}")
        return self.page(response.headers["Location"].split("#")[0])

    def own(self, text: str, path: str) -> str:
        """The page must show this flow's flat: neither lost nor someone else's state."""
        if self.address not in text:
            self.counts["foreign_or_lost"] += 1
            raise FlowFailed(f"{path}: the page does not show this flow's flat")
        return text

    def start(self) -> None:
        self.request("GET", "/calculator/")
        self.submit(
            "/calculator/",
            {
                "action": "manual",
                "manual-address": self.address,
                "manual-price": f"{self.price:,}".replace(",", " ") + " ₽",
                "manual-total_area": "54,5",
                "manual-rooms": "2",
                "manual-floor": "3",
                "manual-total_floors": "9",
            },
        )

    def details(self) -> None:
        self.submit("/calculator/", DETAILS)

    def add_comparable(self, n: int) -> None:
        self.submit(
            "/calculator/comparables/",
            {
                "action": "add_manual",
                "add_manual-price": str(self.price + (n - 1) * 400_000),
                "add_manual-total_area": f"{52 + n},0",
                "add_manual-rooms": "2",
            },
        )

    def analyze(self) -> str:
        text = self.submit("/calculator/comparables/", {"action": "analyze", "confirm_few": "on"})
        if "Справедливая цена" not in text:
            raise FlowFailed("the analysis page shows no fair price")
        return text

    def report(self) -> str:
        response = self.request("GET", "/calculator/report.md")
        return self.own(response.content.decode(), "/calculator/report.md")

    def run(self, comparables: int = 3) -> "WizardFlow":
        self.start()
        self.details()
        for n in range(1, comparables + 1):
            self.add_comparable(n)
        self.analyze()
        self.report()
        return self
