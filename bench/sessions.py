"""Session engines under real gunicorn: Housler's engine against the engines Django ships.

    .venv/bin/python bench/sessions.py            # full run (~4 min), writes bench/RESULTS.md
    .venv/bin/python bench/sessions.py --quick    # ~1 min smoke run, prints only

Every row runs the same project (`bench.settings`, `bench.urls`) under gunicorn with 2 sync
workers on a loopback port, against a private redis-server this script starts and stops. Client
threads drive wizard-like flows (new session + ~3 KB state, then reads and writes 50/50) with a
new TCP connection per request, so consecutive steps of a flow land on either worker. Rows are
measured in short rotating slices and ratios are taken against Django's `cache` engine measured
in the same round, because this 2-core machine is shared and absolute figures drift.
"""

import argparse
import atexit
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.redis_server import RedisServer, free_port  # noqa: E402

VENV_BIN = REPO / ".venv" / "bin"
COOKIE = "housler_session"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STEPS_PER_FLOW = 8
BASELINE = "django_cache"

ROWS = {
    "housler": "Housler (`sessions_backend.engine`)",
    "django_cache": "Django `cache` on django-redis (JSON)",
    "cached_db": "Django `cached_db` (Redis + SQLite)",
    "db": "Django `db` (SQLite)",
    "per_process": "Django `cache` on LocMemCache (per process)",
    "ceiling": "no session (ceiling)",
}
USES_REDIS = {"housler", "django_cache", "cached_db"}

# --- processes we start, and only those are stopped ----------------------------------------

_cleanups: list[Callable[[], None]] = []


def cleanup_all() -> None:
    """Stop everything this run started, newest first; safe to call twice."""
    while _cleanups:
        with contextlib.suppress(Exception):
            _cleanups.pop()()


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


class Gunicorn:
    """`gunicorn housler.wsgi` with 2 sync workers on a free loopback port, plain CLI flags."""

    def __init__(self, row: str, env: dict[str, str], log_dir: Path) -> None:
        self.row = row
        self.port = free_port()
        self.log = log_dir / f"gunicorn-{row}-{self.port}.log"
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers=2",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=60",
                "--graceful-timeout=3",
                "--log-level=warning",
                f"--error-logfile={self.log}",
                f"--chdir={REPO}",
                "housler.wsgi:application",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _cleanups.append(self.stop)
        self.workers: list[int] = []
        self.started: dict[int, str | None] = {}

    def ready(self) -> "Gunicorn":
        """Wait for both workers to answer; started separately so servers boot in parallel."""
        self.workers = self._wait_ready()
        self.started = {pid: self._starttime(pid) for pid in self.workers}
        return self

    @staticmethod
    def _starttime(pid: int) -> str | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        except (OSError, IndexError):
            return None

    def _children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.process.pid:
                        found.append(int(entry.name))
        return sorted(found)

    def _wait_ready(self, timeout: float = 30) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.row} exited; see {self.log}")
            workers = self._children()
            if len(workers) == 2:
                reply = request(
                    self.port, "GET", "/nosession/read/?flow=ready&version=0", timeout=2
                )
                if reply.status == 200:
                    return workers
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn for {self.row} not ready in {timeout} s; see {self.log}")

    def cpu_seconds(self) -> float:
        """utime + stime of the workers; a restarted worker would make the sum meaningless."""
        if self._children() != self.workers:
            raise RuntimeError(f"gunicorn workers changed during the {self.row} row")
        ticks = 0
        for pid in self.workers:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / CLOCK_TICKS

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(6)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        # A worker stuck on a hung Redis may outlive the master: still ours if its pid has the
        # same start time as when we saw it (never a recycled pid).
        for pid, started in self.started.items():
            if started is not None and self._starttime(pid) == started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if self.stop in _cleanups:
            _cleanups.remove(self.stop)


# --- the client -------------------------------------------------------------------------------


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


# --- Redis accounting -------------------------------------------------------------------------


class CommandCounter:
    """`INFO commandstats` deltas on one long-lived connection, minus our own INFO calls."""

    def __init__(self, redis_server: RedisServer) -> None:
        self.client = redis_server.client()
        self.client.ping()

    def snapshot(self) -> Counter:
        stats = self.client.info("commandstats")
        return Counter({name[len("cmdstat_") :]: v["calls"] for name, v in stats.items()})

    @staticmethod
    def delta(before: Counter, after: Counter) -> Counter:
        counts = Counter({name: after[name] - before.get(name, 0) for name in after})
        counts.pop("info", None)  # ours: the application never sends INFO
        return +counts


# --- rows -------------------------------------------------------------------------------------


@dataclass
class RowResult:
    tally: Tally = field(default_factory=Tally)
    seconds: float = 0.0
    cpu: float = 0.0
    commands: Counter = field(default_factory=Counter)
    per_kind: dict[str, Counter] = field(default_factory=dict)
    per_kind_n: int = 0
    calibration: Tally = field(default_factory=Tally)
    rounds_rps: list[float] = field(default_factory=list)
    rounds_cpu: list[float] = field(default_factory=list)
    rounds_workers: list[int] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.tally.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.tally.requests

    def outcomes(self) -> Counter:
        """Outcomes of every request of the row, calibration included."""
        counts = Counter()
        for (_, outcome), n in (self.tally.outcomes + self.calibration.outcomes).items():
            counts[outcome] += n
        return counts

    @property
    def lost(self) -> int:
        return sum(self.outcomes()[outcome] for outcome in LOST)

    @property
    def checked(self) -> int:
        return self.tally.requests + self.calibration.requests


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path, redis_server: RedisServer) -> None:
        self.args = args
        self.work = work
        self.redis = redis_server
        self.counter = CommandCounter(redis_server)
        self.secret = secrets.token_urlsafe(50)
        self.database_url = f"sqlite:///{work / 'bench.sqlite3'}"

    def env(self, row: str, **extra: str) -> dict[str, str]:
        """The gunicorn environment: ours only, nothing inherited that could point elsewhere."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "REDIS_", "SESSION_", "DATABASE_", "BENCH_"))
            and k not in {"WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "PYTHONPATH"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DJANGO_SECRET_KEY=self.secret,
            DJANGO_DEBUG="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=self.database_url,
            WEB_CONCURRENCY="2",
            SESSION_FALLBACK_RETRY="5",
            BENCH_ROW=row,
            BENCH_STATIC_ROOT=str(self.work / "static"),
            REDIS_KEY_PREFIX=f"bench-{row}-{uuid.uuid4().hex[:6]}",
            **extra,
        )
        if row in USES_REDIS:
            env["REDIS_URL"] = self.redis.url
        return env

    def prepare(self) -> None:
        """The session table and the static manifest (the 503 page needs it), in our temp dir."""
        for command in (["migrate"], ["collectstatic"]):
            done = subprocess.run(
                [str(VENV_BIN / "python"), "manage.py", *command, "--noinput", "-v0"],
                cwd=REPO,
                env=self.env("db"),
                capture_output=True,
                text=True,
                timeout=180,
            )
            if done.returncode:
                raise RuntimeError(f"manage.py {command[0]} failed:\n{done.stderr}")

    def measure(
        self, server: Gunicorn, seed: str, seconds: float, result: RowResult | None
    ) -> None:
        """One slice of load on a running server; `result=None` is a warm-up."""
        prefix = "/nosession/" if server.row == "ceiling" else "/"

        def load(i: int, stop: threading.Event, tally: Tally) -> None:
            drive_flows(server.port, prefix, f"{seed}-{i}", stop, tally)

        cpu0, cmd0 = server.cpu_seconds(), self.counter.snapshot()
        tally, elapsed = run_threads(load, self.args.threads, seconds)
        cpu1, cmd1 = server.cpu_seconds(), self.counter.snapshot()
        if result is None:
            return
        result.tally.merge(tally)
        result.seconds += elapsed
        result.cpu += cpu1 - cpu0
        result.commands += CommandCounter.delta(cmd0, cmd1)
        result.rounds_rps.append(tally.requests / elapsed)
        result.rounds_cpu.append(1000 * (cpu1 - cpu0) / tally.requests)
        result.rounds_workers.append(len(tally.pids))

    def commands_per_kind(self, port: int, result: RowResult) -> None:
        """Redis commands of each kind of request alone: sequential requests, INFO around each."""
        n = self.args.per_kind
        flows = [Flow(port, "/") for _ in range(n)]
        for kind, step in (("new", Flow.start), ("read", Flow.read), ("write", Flow.write)):
            before = self.counter.snapshot()
            for flow in flows:
                step(flow, result.calibration, kind=kind)
            result.per_kind[kind] = CommandCounter.delta(before, self.counter.snapshot())
        result.per_kind_n = n

    def main_table(self) -> dict[str, RowResult]:
        """Every row's server stays up; short slices rotate through the rows, so each round
        compares rows measured seconds apart, whatever else the shared machine is doing."""
        results = {row: RowResult() for row in self.args.rows}
        servers: dict[str, Gunicorn] = {}
        try:
            for row in self.args.rows:
                servers[row] = Gunicorn(row, self.env(row), self.work)
            for server in servers.values():
                server.ready()
                self.measure(server, "warm-up", self.args.warmup, None)
            order = list(self.args.rows)
            for round_no in range(self.args.rounds):
                print(f"  round {round_no + 1}/{self.args.rounds}", file=sys.stderr)
                shift = round_no % len(order)
                for row in order[shift:] + order[:shift]:
                    self.measure(servers[row], f"run-{round_no}", self.args.seconds, results[row])
            for row, server in servers.items():
                if row in USES_REDIS:
                    self.commands_per_kind(server.port, results[row])
        finally:
            for server in servers.values():
                server.stop()
        return results

    # --- Redis down ---------------------------------------------------------------------------

    def outage(self, row: str, mode: str) -> Tally:
        """Sessions created while Redis is up, then Redis stopped (or SIGSTOPped) under load."""
        extra = {"BENCH_IGNORE_EXCEPTIONS": "1"} if row == "django_cache" else {}
        server = Gunicorn(row, self.env(row, **extra), self.work).ready()
        existing: list[Flow] = []
        tally = Tally()
        timeout = self.args.outage_timeout
        broken = False
        try:
            setup = Tally()
            for _ in range(40):
                flow = Flow(server.port, "/")
                if flow.start(setup) == "ok" and flow.write(setup) == "ok":
                    existing.append(flow)
            if len(existing) < 40:
                raise RuntimeError(f"outage set-up for {row} failed: {setup.outcomes}")
            broken = True
            if mode == "stopped":
                self.redis.stop()
            else:
                self.redis.pause()

            def load(phase: str, i: int, stop: threading.Event, mine: Tally) -> None:
                rng = random.Random(f"outage-{phase}-{i}")
                while not stop.is_set():
                    pick = rng.random() * (3 if phase == MIXED else 2)
                    old = rng.choice(existing)
                    if pick < 1:
                        old.read(mine, kind=f"{phase}|existing session: read", timeout=timeout)
                    elif pick < 2:
                        # A copy: a write refused now must not move the version the next read of
                        # this flow expects.
                        probe = Flow(server.port, "/")
                        probe.flow, probe.version, probe.cookie = old.flow, old.version, old.cookie
                        probe.write(mine, kind=f"{phase}|existing session: write", timeout=timeout)
                    else:
                        new = Flow(server.port, "/")
                        if new.start(mine, kind=f"{phase}|new session", timeout=timeout) == "ok":
                            new.read(mine, kind=f"{phase}|new session: next step", timeout=timeout)

            seconds = self.args.outage_seconds / 2
            for phase in (EXISTING_ONLY, MIXED):
                part, _ = run_threads(partial(load, phase), self.args.threads, seconds)
                tally.merge(part)
        finally:
            if broken and mode == "hung":
                self.redis.resume()
            server.stop()
            if self.redis.process is None:
                self.redis.start()
            self.counter = CommandCounter(self.redis)
        return tally


# --- reporting --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ratio_range(values: list[float], base: list[float]) -> str:
    ratios = [v / b for v, b in zip(values, base, strict=True)]
    if len(ratios) == 1:
        return f"{ratios[0]:.2f}×"
    return f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})"


def commands_text(counts: Counter, n: int) -> str:
    if not counts:
        return "0"
    return " + ".join(f"{c / n:.2f} {name.upper()}" for name, c in counts.most_common())


def main_table_markdown(results: dict[str, RowResult]) -> str:
    base = results[BASELINE]
    lines = [
        "| row | req/s | req/s vs Django `cache` | p50 ms | p99 ms | Redis cmds/req "
        "| worker CPU ms/req | CPU/req vs Django `cache` | lost sessions | errors "
        "| workers used |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row, r in results.items():
        label = ROWS[row]
        lat = r.tally.all_latencies()
        outcomes = r.outcomes()
        errors = sum(n for o, n in outcomes.items() if o not in ("ok", *LOST))
        lost = f"**{r.lost}**" if r.lost else "0"
        if r.lost:
            kinds = Counter({o: outcomes[o] for o in LOST})
            lost += f" ({', '.join(f'{n} {o}' for o, n in (+kinds).items())})"
        lines.append(
            f"| {label} | {r.rps:.0f} | {ratio_range(r.rounds_rps, base.rounds_rps)} "
            f"| {percentile(lat, 0.5):.1f} | {percentile(lat, 0.99):.1f} "
            f"| {sum(r.commands.values()) / r.tally.requests:.2f} "
            f"| {r.cpu_ms:.2f} | {ratio_range(r.rounds_cpu, base.rounds_cpu)} "
            f"| {lost} of {r.checked} | {errors} | {min(r.rounds_workers)} of 2 |"
        )
    return "\n".join(lines)


def per_kind_markdown(results: dict[str, RowResult]) -> str:
    lines = [
        "| row | new session + write | read-only step | modifying step | 50/50 mix (measured) |",
        "|---|---|---|---|---:|",
    ]
    for row, r in results.items():
        if not r.per_kind:
            continue
        cells = [
            f"{sum(r.per_kind[k].values()) / r.per_kind_n:.2f}: "
            f"{commands_text(r.per_kind[k], r.per_kind_n)}"
            for k in ("new", "read", "write")
        ]
        mix = sum(r.commands.values()) / r.tally.requests
        lines.append(f"| {ROWS[row]} | {' | '.join(cells)} | {mix:.2f} |")
    return "\n".join(lines)


EXISTING_ONLY = "existing sessions only"
MIXED = "with new sessions"
OUTAGE_KINDS = (
    "existing session: read",
    "existing session: write",
    "new session",
    "new session: next step",
)


def outage_markdown(outages: dict[tuple[str, str], Tally]) -> str:
    if not outages:
        return "(skipped: `--skip-outage`)"
    lines = [
        "| Redis | row | load | request | n | answers | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---:|---|---:|---:|---:|",
    ]
    labels = {
        "housler": "Housler, circuit open (locmem fallback)",
        "django_cache": "Django `cache`, `IGNORE_EXCEPTIONS=True`",
    }
    for (row, mode), tally in outages.items():
        for phase in (EXISTING_ONLY, MIXED):
            for kind in OUTAGE_KINDS:
                values = tally.latencies.get(f"{phase}|{kind}")
                if not values:
                    continue
                outcomes = Counter(
                    {o: n for (k, o), n in tally.outcomes.items() if k == f"{phase}|{kind}"}
                )
                answers = ", ".join(f"{n} {describe(o)}" for o, n in outcomes.most_common())
                lines.append(
                    f"| {mode} | {labels[row]} | {phase} | {kind} | {len(values)} | {answers} "
                    f"| {percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f} "
                    f"| {max(values):.1f} |"
                )
    return "\n".join(lines)


def describe(outcome: str) -> str:
    return {
        "ok": "200 own data",
        "lost": "200 **empty session (silent reset)**",
        "foreign": "200 **foreign data**",
        "stale": "200 **stale data**",
        "http 503": "503 Retry-After",
        "no answer": "no answer in time",
    }.get(outcome, outcome.replace("http ", ""))


def targets_markdown(results: dict[str, RowResult], outages: dict[tuple[str, str], Tally]) -> str:
    h, d = results["housler"], results[BASELINE]
    rps = statistics.median([a / b for a, b in zip(h.rounds_rps, d.rounds_rps, strict=True)])
    cpu = statistics.median([a / b for a, b in zip(h.rounds_cpu, d.rounds_cpu, strict=True)])
    kind = {k: sum(c.values()) / h.per_kind_n for k, c in h.per_kind.items()}
    mix = sum(h.commands.values()) / h.tally.requests
    stopped = outages.get(("housler", "stopped"))
    p99 = percentile(stopped.all_latencies(), 0.99) if stopped else float("nan")
    lost_elsewhere = {row: r.lost for row, r in results.items() if row != "per_process" and r.lost}
    per_process = results.get("per_process")

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = [
        f"- Requests/s ≥ 1.0× Django `cache`: {rps:.3f}× (median of per-round ratios) — "
        f"{mark(rps >= 1.0)}",
        f"- Worker CPU/request ≤ 1.0× Django `cache`: {cpu:.3f}× — {mark(cpu <= 1.0)}",
        f"- ≤ 1 Redis command per read-only request: {kind['read']:.2f} — "
        f"{mark(kind['read'] <= 1)}",
        f"- ≤ 2 per modifying request: new {kind['new']:.2f}, write {kind['write']:.2f} — "
        f"{mark(max(kind['new'], kind['write']) <= 2)}; 50/50 mix incl. new sessions: {mix:.2f}",
        f"- p99 ≤ 50 ms with Redis stopped, circuit open: {p99:.1f} ms — {mark(p99 <= 50)}",
        "- Zero lost sessions except the per-process row: "
        + (mark(not lost_elsewhere) if not lost_elsewhere else f"**not met** {lost_elsewhere}")
        + (f"; the per-process row lost {per_process.lost}" if per_process else ""),
    ]
    hung = outages.get(("housler", "hung"))
    if hung:
        lines.append(
            f"- (extra) Redis hung (SIGSTOP), Housler: p99 "
            f"{percentile(hung.all_latencies(), 0.99):.1f} ms, "
            f"max {max(hung.all_latencies()):.0f} ms"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    redis_version = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, timeout=10
    ).stdout.split()
    server = next((w.split("=")[1] for w in redis_version if w.startswith("v=")), "?")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            f"- `nproc`: {os.cpu_count()}; CPU: {cpu}; {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}, Django {metadata.version('Django')}, "
            f"django-redis {metadata.version('django-redis')}, "
            f"redis-py {metadata.version('redis')} (hiredis {'yes' if _has('hiredis') else 'no'}), "
            f"gunicorn {metadata.version('gunicorn')}, "
            f"redis-server {server}",
            f"- load average at the end of the run: {load} (the machine is shared)",
        ]
    )


def _has(package: str) -> bool:
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def report(args: argparse.Namespace, results: dict, outages: dict, command: str) -> str:
    hung = ", or SIGSTOPped (hung: connections accepted, never answered)" if args.hung else ""
    return f"""# Session engines under gunicorn: measured

Command: `{command}` (from the repository root).

{machine()}

Set-up: gunicorn 2 sync workers (CLI flags, `DJANGO_SETTINGS_MODULE=bench.settings`, DEBUG off),
a private redis-server on loopback (no persistence), SQLite (WAL) in a temporary directory.
{args.threads} client threads in this process; every request opens its own TCP connection.
A flow is a new session with ~3 KB of state, then {STEPS_PER_FLOW} steps, each a read or a write
(50/50); a step that does not see its flow's own latest state counts as lost and ends the flow.
All rows' servers run side by side (idle but one); {args.rounds} rounds of {args.seconds:g} s
slices per row, order rotated each round, after a {args.warmup:g} s warm-up per server. Ratios are
per-round ratios to Django's `cache` engine (median, range in brackets); other figures pool the
rounds. Worker CPU = utime + stime of both workers (`/proc/<pid>/stat`) over the measured window.
Redis commands = `INFO commandstats` delta, minus the benchmark's own `INFO`.

## Same request mix, Redis up

{main_table_markdown(results)}

Redis commands per request by kind ({results["housler"].per_kind_n} sequential requests each):

{per_kind_markdown(results)}

## Redis down

40 sessions created while Redis was up, then Redis stopped (connection refused){hung}; then
{args.threads} client threads for {args.outage_seconds / 2:g} s on those sessions only, then
{args.outage_seconds / 2:g} s that also start new sessions and take their next step.
`SESSION_FALLBACK_RETRY=5`, socket timeouts 0.5 s, client timeout {args.outage_timeout:g} s.
Every request is counted, from the first one after Redis went down.

{outage_markdown(outages)}

## Targets (issue 7)

{targets_markdown(results, outages)}
"""


NOTES = "\n## Notes\n"


def kept_notes(path: Path) -> str:
    """The hand-written `## Notes` section of an existing results file survives a re-run."""
    try:
        old = path.read_text()
    except FileNotFoundError:
        return ""
    return old[old.index(NOTES) :] if NOTES in old else ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round, prints only")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float, help="measured seconds per row and round")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--results", type=Path, help="markdown file to write")
    parser.add_argument(
        "--rows",
        help=f"comma-separated subset of {','.join(ROWS)} (Housler and the baseline always run)",
    )
    parser.add_argument("--skip-outage", action="store_true", help="no Redis-down table")
    args = parser.parse_args(argv)
    wanted = set(args.rows.split(",")) if args.rows else set(ROWS)
    if unknown := wanted - set(ROWS):
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    args.rows = [row for row in ROWS if row in wanted | {"housler", BASELINE}]
    full = not args.quick
    args.rounds = args.rounds or (8 if full else 2)
    args.seconds = args.seconds or (2.5 if full else 1.5)
    args.warmup = 1.5 if full else 0.5
    args.per_kind = 100 if full else 30
    args.outage_seconds = 8.0 if full else 4.0
    args.outage_timeout = 10.0
    args.hung = full
    if args.results is None and full:
        args.results = REPO / "bench" / "RESULTS.md"
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = ".venv/bin/python bench/sessions.py" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    atexit.register(cleanup_all)
    work = Path(tempfile.mkdtemp(prefix="housler-bench-"))
    _cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))
    redis_server = RedisServer()
    _cleanups.append(redis_server.cleanup)
    try:
        redis_server.start()
        bench = Bench(args, work, redis_server)
        bench.prepare()
        started = time.monotonic()
        results = bench.main_table()
        outages: dict[tuple[str, str], Tally] = {}
        modes = ("stopped", "hung") if args.hung else ("stopped",)
        for mode in () if args.skip_outage else modes:
            for row in ("housler", "django_cache"):
                print(f"  Redis {mode}: {row}", file=sys.stderr)
                outages[row, mode] = bench.outage(row, mode)
        text = report(args, results, outages, command)
        print(text)
        print(f"(run took {time.monotonic() - started:.0f} s)", file=sys.stderr)
        if args.results:
            args.results.write_text(text + kept_notes(args.results))
            print(f"written to {args.results}", file=sys.stderr)
    finally:
        cleanup_all()


if __name__ == "__main__":
    main()
