"""The session benchmark's harness: its gunicorn servers and the load its client threads drive.

Servers are `tests.support.gunicorn_server.GunicornServer` (plain CLI flags, no access log);
every process started is registered in `cleanups` and stopped on exit, and only those.
"""

import contextlib
import http.client
import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.gunicorn_server import GunicornServer
from tests.support.redis_server import RedisServer

COOKIE = "housler_session"
STEPS_PER_FLOW = 8
READY_PATH = "/nosession/read/?flow=ready&version=0"

cleanups: list[Callable[[], None]] = []


def cleanup_all() -> None:
    """Stop everything this run started, newest first; safe to call twice."""
    while cleanups:
        with contextlib.suppress(Exception):
            cleanups.pop()()


def bench_server(env: dict[str, str]) -> GunicornServer:
    """A launched (not yet ready) gunicorn with 2 sync workers for one row, stopped on exit."""
    server = GunicornServer(
        workers=2, deploy_config=False, access_log=False, ready_path=READY_PATH, **env
    )
    cleanups.append(server.stop)
    return server.launch()


@dataclass
class Reply:
    status: int  # 0: no answer (refused, reset, timeout)
    ms: float
    data: dict | None = None
    cookie: str | None = None  # value set by the response; "" when it deletes the cookie


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    cookie: str | None = None,
    timeout: float = 30,
) -> Reply:
    """One request on its own TCP connection (`Connection: close`), timed from connect to body."""
    headers = {"Connection": "close"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException):
        return Reply(0, (time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    ms = (time.perf_counter() - started) * 1000
    reply = Reply(response.status, ms)
    if response.status == 200:
        reply.data = json.loads(raw)
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(COOKIE + "="):
            reply.cookie = header.split(";", 1)[0].split("=", 1)[1].strip('"')
    return reply


def wizard_state(flow: str, version: int) -> bytes:
    """~3 KB of JSON shaped like a wizard session: the flat, ten comparables, the step."""
    rng = random.Random(f"{flow}:{version}")
    comparables = [
        {
            "id": f"{flow[:8]}-{i}",
            "url": f"https://www.cian.ru/sale/flat/{rng.randrange(10**8, 10**9)}/",
            "address": f"Москва, ул. Примерная, д. {rng.randrange(1, 200)}",
            "price": rng.randrange(8_000_000, 30_000_000),
            "area": round(rng.uniform(30, 120), 1),
            "rooms": rng.randrange(1, 5),
            "floor": rng.randrange(1, 25),
            "floors": 25,
            "excluded": False,
        }
        for i in range(10)
    ]
    state = {
        "flow": flow,
        "version": version,
        "schema": 1,
        "step": 2,
        "target": {"address": "Москва, ул. Тестовая, д. 1", "area": 54.2, "rooms": 2},
        "comparables": comparables,
    }
    return json.dumps(state).encode()


@dataclass
class Tally:
    """What one client thread saw; merged per row."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)  # (kind, outcome)
    pids: set[int] = field(default_factory=set)
    requests: int = 0

    def add(self, kind: str, reply: Reply, outcome: str) -> None:
        self.requests += 1
        self.latencies.setdefault(kind, []).append(reply.ms)
        self.outcomes[kind, outcome] += 1
        if reply.data:
            self.pids.add(reply.data["pid"])

    def merge(self, other: "Tally") -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.outcomes.update(other.outcomes)
        self.pids |= other.pids
        self.requests += other.requests

    def all_latencies(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]

    def count(self, outcome: str, kind: str | None = None) -> int:
        return sum(n for (k, o), n in self.outcomes.items() if o == outcome and kind in (None, k))


def judge(reply: Reply, flow: str, version: int) -> str:
    """ok, or why this step did not see its flow's own latest state."""
    if reply.status != 200:
        return f"http {reply.status}" if reply.status else "no answer"
    if reply.data["flow"] is None:
        return "lost"
    if reply.data["flow"] != flow:
        return "foreign"
    if reply.data["version"] != version:
        return "stale"
    return "ok"


LOST = ("lost", "foreign", "stale")


class Flow:
    """One wizard user: a cookie, a flow id and the version of the state it last wrote."""

    def __init__(self, port: int, prefix: str) -> None:
        self.port, self.prefix = port, prefix
        self.flow = uuid.uuid4().hex
        self.version = 0
        self.cookie: str | None = None

    def start(self, tally: Tally, kind: str = "new", timeout: float = 30) -> str:
        reply = request(
            self.port, "POST", self.prefix + "start/", wizard_state(self.flow, 0), timeout=timeout
        )
        outcome = judge(reply, self.flow, 0)
        if outcome == "ok" and self.prefix == "/" and not reply.cookie:
            outcome = "no cookie"
        self.cookie = reply.cookie
        tally.add(kind, reply, outcome)
        return outcome

    def read(self, tally: Tally, kind: str = "read", timeout: float = 30) -> str:
        path = f"{self.prefix}read/?flow={self.flow}&version={self.version}"
        reply = request(self.port, "GET", path, cookie=self.cookie, timeout=timeout)
        outcome = judge(reply, self.flow, self.version)
        tally.add(kind, reply, outcome)
        return outcome

    def write(self, tally: Tally, kind: str = "write", timeout: float = 30) -> str:
        body = wizard_state(self.flow, self.version + 1)
        reply = request(
            self.port, "POST", self.prefix + "write/", body, cookie=self.cookie, timeout=timeout
        )
        outcome = judge(reply, self.flow, self.version)
        if outcome == "ok":
            self.version += 1
        tally.add(kind, reply, outcome)
        return outcome


def drive_flows(port: int, prefix: str, seed: str, stop: threading.Event, tally: Tally) -> None:
    """Flows of start + 8 steps (read or write, 50/50) until `stop`; a failed step ends a flow,
    as a user shown "session not found" starts over."""
    rng = random.Random(seed)
    while not stop.is_set():
        flow = Flow(port, prefix)
        if flow.start(tally) != "ok":
            continue
        for _ in range(STEPS_PER_FLOW):
            if stop.is_set():
                break
            step = flow.read if rng.random() < 0.5 else flow.write
            if step(tally) != "ok":
                break


def run_threads(
    target: Callable[[int, threading.Event, Tally], None], threads: int, seconds: float
):
    """Run `target(index, stop, tally)` in threads for `seconds`; returns (tally, wall seconds)."""
    stop = threading.Event()
    tallies = [Tally() for _ in range(threads)]
    workers = [
        threading.Thread(target=target, args=(i, stop, tallies[i]), daemon=True)
        for i in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join(60)
    elapsed = time.perf_counter() - started
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total, elapsed


SCRIPT_CLIENT = "?:0"  # the slow log's client address for commands a Lua script ran
SLOWLOG_MAX = 1_000_000  # entries kept between two readings; far more than one slice makes


@dataclass
class RedisWork:
    """Redis commands by name: those clients sent (one round trip each, pipelines aside) and
    those the scripts they sent ran inside Redis."""

    round_trips: Counter = field(default_factory=Counter)
    in_scripts: Counter = field(default_factory=Counter)

    def add(self, other: "RedisWork") -> None:
        self.round_trips += other.round_trips
        self.in_scripts += other.in_scripts


@dataclass(frozen=True)
class CpuJiffies:
    """The machine's CPU time from the `cpu` line of /proc/stat: steal and the total."""

    steal: int
    total: int

    @classmethod
    def now(cls) -> "CpuJiffies":
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        # user nice system idle iowait irq softirq steal; guest time is already in user/nice
        values = [int(value) for value in fields[:8]] + [0] * (8 - len(fields[:8]))
        return cls(steal=values[7], total=sum(values))

    def steal_since(self, before: "CpuJiffies") -> float:
        """Share of the machine's CPU time the hypervisor gave to others between two samples."""
        total = self.total - before.total
        return (self.steal - before.steal) / total if total > 0 else 0.0


class PerRequest:
    """Figures per request of a measurement holding a tally, its seconds, worker CPU seconds and
    Redis work: one slice or a row's pooled slices."""

    tally: Tally
    seconds: float
    cpu: float
    redis: RedisWork

    @property
    def rps(self) -> float:
        return self.tally.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.tally.requests

    @property
    def round_trips_per_request(self) -> float:
        return sum(self.redis.round_trips.values()) / self.tally.requests


@dataclass
class Slice(PerRequest):
    """One measured window of load on one server: what the client saw, what the workers and
    Redis did, and how busy the shared machine was meanwhile."""

    tally: Tally
    seconds: float
    cpu: float  # worker utime + stime, seconds
    redis: RedisWork
    steal: float  # share of all CPU time, 0..1
    load: float  # 1-minute load average at the end

    @classmethod
    def pooled(cls, parts: list["Slice"]) -> "Slice":
        """Several slices of one server as one: sums, steal weighted by time, the highest load."""
        tally, redis = Tally(), RedisWork()
        for part in parts:
            tally.merge(part.tally)
            redis.add(part.redis)
        seconds = sum(part.seconds for part in parts)
        return cls(
            tally=tally,
            seconds=seconds,
            cpu=sum(part.cpu for part in parts),
            redis=redis,
            steal=sum(part.steal * part.seconds for part in parts) / seconds,
            load=max(part.load for part in parts),
        )


def load_average() -> float:
    return os.getloadavg()[0]


class CommandCounter:
    """The application's Redis commands, from the slow log at a 0 µs threshold.

    `INFO commandstats` counts the commands a Lua script runs as if clients had sent them, so a
    compare-and-set script would look like three round trips; the slow log tells them apart by
    client address. Our own connection's commands are left out.
    """

    def __init__(self, redis_server: RedisServer) -> None:
        self.client = redis_server.client()
        self.client.config_set("slowlog-log-slower-than", 0)
        self.client.config_set("slowlog-max-len", SLOWLOG_MAX)
        self.own = self.client.client_info()["addr"]
        self.client.slowlog_reset()

    def begin(self) -> None:
        self.client.slowlog_reset()

    def since_begin(self) -> RedisWork:
        entries = self.client.slowlog_get(-1)
        if len(entries) >= SLOWLOG_MAX:
            raise RuntimeError("the Redis slow log overflowed: measure shorter slices")
        work = RedisWork()
        for entry in entries:
            address = entry["client_address"].decode()
            if address == self.own:
                continue
            name = entry["command"].split(b" ", 1)[0].decode().lower()
            (work.in_scripts if address == SCRIPT_CLIENT else work.round_trips)[name] += 1
        return work
