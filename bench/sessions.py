"""Session engines under real gunicorn: Housler's engine against the engines Django ships.

    .venv/bin/python bench/sessions.py            # full run (~4 min), writes bench/RESULTS.md
    .venv/bin/python bench/sessions.py --quick    # ~1 min smoke run, prints only

Every row runs the same project (`bench/session_bench/settings.py`, `urls.py`) under gunicorn
with 2 sync workers on a loopback port, against a private redis-server this script starts and
stops. Client threads drive wizard-like flows (new session + ~3 KB state, then reads and writes
50/50) with a new TCP connection per request, so consecutive steps of a flow land on either
worker. Rows are measured in short rotating slices and ratios are taken against Django's `cache`
engine measured in the same round, because this 2-core machine is shared and absolute figures drift.
The headline figures (the targets) come from paired runs: Housler and Django's `cache` engine
back to back, order alternating, one ratio per pair, with the machine's CPU steal and load
average during each run. `bench/engine_cpu.py` runs last, in its own process.
"""

import argparse
import atexit
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.session_bench.harness import CpuJiffies, Tally, cleanup_all, cleanups  # noqa: E402
from bench.session_bench.report import EngineCpu, kept_notes, report  # noqa: E402
from bench.session_bench.rows import BASELINE, ROWS, Bench  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


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
    parser.add_argument("--pairs", type=int, help="paired runs, Housler and the baseline (≥ 5)")
    parser.add_argument("--pair-seconds", type=float, help="measured seconds per paired run")
    parser.add_argument(
        "--engine-cpu-rounds", type=int, help="rounds of bench/engine_cpu.py (≥ 7; 0: skip it)"
    )
    parser.add_argument("--skip-outage", action="store_true", help="no Redis-down table")
    args = parser.parse_args(argv)
    wanted = set(args.rows.split(",")) if args.rows else set(ROWS)
    if unknown := wanted - set(ROWS):
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    args.rows = [row for row in ROWS if row in wanted | {"housler", BASELINE}]
    full = not args.quick
    args.rounds = args.rounds if args.rounds is not None else (6 if full else 2)
    args.seconds = args.seconds or (2.5 if full else 1.5)
    args.pairs = args.pairs if args.pairs is not None else (6 if full else 2)
    args.pair_seconds = args.pair_seconds or (4.0 if full else 1.5)
    if full and args.pairs < 5:
        parser.error("a full run needs --pairs of at least 5 for a meaningful median and range")
    if args.engine_cpu_rounds is None:
        args.engine_cpu_rounds = 9 if full else 7
    args.engine_cpu_ops = 300 if full else 100
    if 0 < args.engine_cpu_rounds < 7:
        parser.error("--engine-cpu-rounds must be 0 or at least 7")
    args.warmup = 1.5 if full else 0.5
    args.per_kind = 100 if full else 30
    args.outage_seconds = 8.0 if full else 4.0
    args.outage_timeout = 10.0
    args.hung = full
    if args.results is None and full:
        args.results = REPO / "bench" / "RESULTS.md"
    return args


def engine_cpu(args: argparse.Namespace, work: Path) -> EngineCpu | None:
    """`bench/engine_cpu.py` in its own process (it sets Django up its own way): its tables and
    its whole-mix ratios, for the report's engine section and targets."""
    if not args.engine_cpu_rounds:
        return None
    print("  engine CPU in one process (bench/engine_cpu.py)", file=sys.stderr)
    summary = work / "engine_cpu.json"
    command = ["bench/engine_cpu.py", f"--rounds={args.engine_cpu_rounds}"]
    command.append(f"--ops={args.engine_cpu_ops}")
    done = subprocess.run(
        [sys.executable, *command, f"--json={summary}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    ratios = json.loads(summary.read_text())["ratios"]
    return EngineCpu(" ".join([".venv/bin/python", *command]), done.stdout, ratios)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = ".venv/bin/python bench/sessions.py" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    atexit.register(cleanup_all)
    work = Path(tempfile.mkdtemp(prefix="housler-bench-"))
    cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))
    redis_server = RedisServer()
    cleanups.append(redis_server.cleanup)
    try:
        redis_server.start()
        bench = Bench(args, work, redis_server)
        bench.prepare()
        started, jiffies = time.monotonic(), CpuJiffies.now()
        results, pairs = bench.main_table()
        main_steal = CpuJiffies.now().steal_since(jiffies)
        outages: dict[tuple[str, str], Tally] = {}
        modes = ("stopped", "hung") if args.hung else ("stopped",)
        for mode in () if args.skip_outage else modes:
            for row in ("housler", "django_cache"):
                print(f"  Redis {mode}: {row}", file=sys.stderr)
                outages[row, mode] = bench.outage(row, mode)
        engine = engine_cpu(args, work)
        text = report(args, results, pairs, outages, engine, main_steal, command)
        print(text)
        print(f"(run took {time.monotonic() - started:.0f} s)", file=sys.stderr)
        if args.results:
            args.results.write_text(text + kept_notes(args.results))
            print(f"written to {args.results}", file=sys.stderr)
    finally:
        cleanup_all()


if __name__ == "__main__":
    main()
