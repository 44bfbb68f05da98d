"""The session benchmark's rows: what each row runs and measures, Redis up and Redis down."""

import argparse
import random
import secrets
import sys
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bench.session_bench.harness import (
    LOST,
    CommandCounter,
    CpuJiffies,
    Flow,
    PerRequest,
    RedisWork,
    Slice,
    Tally,
    bench_server,
    drive_flows,
    load_average,
    run_threads,
)
from tests.support.gunicorn_server import GunicornServer
from tests.support.redis_server import RedisServer

ROWS = {
    "housler": "Housler (`sessions_backend.engine`)",
    "django_cache": "Django `cache` on django-redis (JSON)",
    "cached_db": "Django `cached_db` (Redis + SQLite)",
    "db": "Django `db` (SQLite)",
    "per_process": "Django `cache` on LocMemCache (per process)",
    "ceiling": "no session (ceiling)",
}
USES_REDIS = {"housler", "django_cache", "cached_db"}
BASELINE = "django_cache"
EXISTING_ONLY = "existing sessions only"
MIXED = "with new sessions"


@dataclass
class RowResult(PerRequest):
    tally: Tally = field(default_factory=Tally)
    seconds: float = 0.0
    cpu: float = 0.0
    redis: RedisWork = field(default_factory=RedisWork)
    per_kind: dict[str, RedisWork] = field(default_factory=dict)
    per_kind_n: int = 0
    calibration: Tally = field(default_factory=Tally)
    rounds_rps: list[float] = field(default_factory=list)
    rounds_cpu: list[float] = field(default_factory=list)
    rounds_workers: list[int] = field(default_factory=list)

    def add(self, part: Slice) -> None:
        """One round's slice joins the row's pooled figures and its per-round lists."""
        self.tally.merge(part.tally)
        self.seconds += part.seconds
        self.cpu += part.cpu
        self.redis.add(part.redis)
        self.rounds_rps.append(part.rps)
        self.rounds_cpu.append(part.cpu_ms)
        self.rounds_workers.append(len(part.tally.pids))

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


@dataclass
class PairedRun:
    """One pair: Housler's slice and the baseline's, measured one right after the other."""

    number: int
    order: tuple[str, str]
    ours: Slice
    base: Slice

    @property
    def rps_ratio(self) -> float:
        return self.ours.rps / self.base.rps

    @property
    def cpu_ratio(self) -> float:
        return self.ours.cpu_ms / self.base.cpu_ms


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path, redis_server: RedisServer) -> None:
        self.args = args
        self.work = work
        self.redis = redis_server
        self.counter = CommandCounter(redis_server)
        self.secret = secrets.token_urlsafe(50)
        self.database_url = f"sqlite:///{work / 'bench.sqlite3'}"

    def env(self, row: str, **extra: str) -> dict[str, str]:
        """What a row's gunicorn runs with, on top of GunicornServer's own clean environment:
        one database and one static root for all rows, prepared once."""
        env = {
            "DJANGO_SETTINGS_MODULE": "bench.session_bench.settings",
            "DJANGO_SECRET_KEY": self.secret,
            "DATABASE_URL": self.database_url,
            "DJANGO_STATIC_ROOT": str(self.work / "static"),
            "SESSION_FALLBACK_RETRY": "5",
            "BENCH_ROW": row,
            "REDIS_KEY_PREFIX": f"bench-{row}-{uuid.uuid4().hex[:6]}",
            **extra,
        }
        if row in USES_REDIS:
            env["REDIS_URL"] = self.redis.url
        return env

    def prepare(self) -> None:
        """The session table and the static manifest (the 503 page needs it), in our temp dir."""
        setup = GunicornServer(**self.env("db"))
        try:
            setup.manage("migrate", "--noinput", "-v0")
            setup.manage("collectstatic", "--noinput", "-v0")
        finally:
            setup.stop()

    def measure(self, row: str, server: GunicornServer, seed: str, seconds: float) -> Slice:
        """One slice of the wizard mix on a running server."""
        prefix = "/nosession/" if row == "ceiling" else "/"

        def load(i: int, stop: threading.Event, tally: Tally) -> None:
            drive_flows(server.port, prefix, f"{seed}-{i}", stop, tally)

        jiffies0 = CpuJiffies.now()
        self.counter.begin()
        cpu0 = server.worker_cpu_seconds()
        tally, elapsed = run_threads(load, self.args.threads, seconds)
        cpu1 = server.worker_cpu_seconds()
        jiffies1 = CpuJiffies.now()
        return Slice(
            tally=tally,
            seconds=elapsed,
            cpu=cpu1 - cpu0,
            redis=self.counter.since_begin(),
            steal=jiffies1.steal_since(jiffies0),
            load=load_average(),
        )

    def commands_per_kind(self, port: int, result: RowResult) -> None:
        """Redis commands of each kind of request alone: sequential requests, counted per kind."""
        n = self.args.per_kind
        flows = [Flow(port, "/") for _ in range(n)]
        for kind, step in (("new", Flow.start), ("read", Flow.read), ("write", Flow.write)):
            self.counter.begin()
            for flow in flows:
                step(flow, result.calibration, kind=kind)
            result.per_kind[kind] = self.counter.since_begin()
        result.per_kind_n = n

    def main_table(self) -> tuple[dict[str, RowResult], list[PairedRun]]:
        """Every row's server stays up; short slices rotate through the rows, so each round
        compares rows measured seconds apart, whatever else the shared machine is doing; then
        Housler and the baseline run back to back in pairs."""
        results = {row: RowResult() for row in self.args.rows}
        servers: dict[str, GunicornServer] = {}
        try:
            for row in self.args.rows:
                servers[row] = bench_server(self.env(row))
            for row, server in servers.items():
                server.wait_ready()
                self.measure(row, server, "warm-up", self.args.warmup)
            order = list(self.args.rows)
            for round_no in range(self.args.rounds):
                print(f"  round {round_no + 1}/{self.args.rounds}", file=sys.stderr)
                shift = round_no % len(order)
                for row in order[shift:] + order[:shift]:
                    part = self.measure(row, servers[row], f"run-{round_no}", self.args.seconds)
                    results[row].add(part)
            pairs = self.paired_runs(servers)
            for row, server in servers.items():
                if row in USES_REDIS:
                    self.commands_per_kind(server.port, results[row])
        finally:
            for server in servers.values():
                server.stop()
        return results, pairs

    def paired_runs(self, servers: dict[str, GunicornServer]) -> list["PairedRun"]:
        """Housler and the baseline back to back on the same gunicorn flags and the same Redis:
        A B B A in half slices, so a drift of the shared machine within a pair weighs on both
        alike, and A alternating between the engines from pair to pair; one ratio per pair."""
        pairs = []
        for number in range(self.args.pairs):
            print(f"  pair {number + 1}/{self.args.pairs}", file=sys.stderr)
            order = ("housler", BASELINE) if number % 2 == 0 else (BASELINE, "housler")
            parts: dict[str, list[Slice]] = {row: [] for row in order}
            for row in (*order, *reversed(order)):
                seconds = self.args.pair_seconds / 2
                parts[row].append(self.measure(row, servers[row], f"pair-{number}", seconds))
            runs = {row: Slice.pooled(slices) for row, slices in parts.items()}
            pairs.append(PairedRun(number + 1, order, runs["housler"], runs[BASELINE]))
        return pairs

    # --- Redis down ---------------------------------------------------------------------------

    def outage(self, row: str, mode: str) -> Tally:
        """Sessions created while Redis is up, then Redis stopped (or SIGSTOPped) under load."""
        extra = {"BENCH_IGNORE_EXCEPTIONS": "1"} if row == "django_cache" else {}
        server = bench_server(self.env(row, **extra)).wait_ready()
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
