"""CPU per session operation in one process: Housler's engine against Django's `cache` engine.

    .venv/bin/python bench/engine_cpu.py            # 9 rounds (~1 min)
    .venv/bin/python bench/engine_cpu.py --rounds 15 --ops 500
    .venv/bin/python bench/engine_cpu.py --json out.json   # also the whole-mix ratio as JSON

Both engines run through `SessionStore` on the same django-redis alias (JSON serializer) against
one private redis-server this script starts on a free port and stops. Each round times, with
`time.process_time()`, the same mix for each engine — new session + save, load, load + modify +
save — with a wizard-sized value; rounds alternate which engine goes first, because this machine
is shared and CPU speed drifts. It prints per-operation µs, the median ratio (ours / Django's),
its range and the target (ours ≤ 0.95× Django's), then the value codec alone against
`SessionBase.encode/decode`, and the cost of compressing by JSON size (what
`sessions_backend.codec.COMPRESS_ABOVE` was chosen from).
"""

import argparse
import atexit
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.redis_server import RedisServer

OPERATIONS = ("new + save", "load", "load + modify + save")
TARGET = 0.95  # engine CPU per operation: at most this share of Django's `cache` engine's


def configure_django(redis_url: str) -> None:
    """The session benchmark's settings (Housler's, engine per row) on the private Redis."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.session_bench.settings",
        BENCH_ROW="housler",
        REDIS_URL=redis_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
    )
    import django

    django.setup()


def wizard_value() -> dict:
    """The ~3 KB wizard-shaped session the gunicorn benchmark posts (`bench/sessions.py`)."""
    from bench.session_bench.harness import wizard_state

    return {"calculator": json.loads(wizard_state("engine-cpu-bench", 1))}


def json_bytes(value: object) -> int:
    """Size of `value` as compact UTF-8 JSON, the form the codec signs."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def cpu_us(action: Callable[[], object], times: int) -> float:
    start = time.process_time()
    for _ in range(times):
        action()
    return (time.process_time() - start) / times * 1e6


def engine_round(store_class: type, value: dict, ops: int) -> dict[str, float]:
    """µs of CPU per operation of one engine, each operation repeated `ops` times."""
    keys: list[str] = []

    def new() -> None:
        session = store_class()
        session.update(value)
        session.save()
        keys.append(session.session_key)

    def load() -> None:
        store_class(keys[-1]).load()

    def modify() -> None:
        session = store_class(keys[-1])
        wizard = session["calculator"]
        wizard["version"] += 1
        session["calculator"] = wizard
        session.save()

    actions = zip(OPERATIONS, (new, load, modify), strict=True)
    return {name: cpu_us(action, ops) for name, action in actions}


def compare_engines(value: dict, rounds: int, ops: int) -> list[float]:
    """Per-operation medians printed; returns the whole-mix ratio of each round, sorted."""
    from django.contrib.sessions.backends.cache import SessionStore as DjangoStore

    from sessions_backend.engine import SessionStore as HouslerStore

    engines = {"housler": HouslerStore, "django cache": DjangoStore}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in engines}
    engine_round(HouslerStore, value, ops // 5)  # warm-up: connections, imports, caches
    engine_round(DjangoStore, value, ops // 5)
    for number in range(rounds):
        order = list(engines) if number % 2 == 0 else list(reversed(engines))
        for name in order:
            runs[name].append(engine_round(engines[name], value, ops))
    print(f"\n## Engine CPU per operation, µs (median of {rounds} rounds × {ops} operations)\n")
    print(f"| operation | {' | '.join(engines)} | ratio |")
    print("|---|---|---|---|")
    for operation in OPERATIONS:
        ours, theirs = (statistics.median(r[operation] for r in runs[n]) for n in engines)
        print(f"| {operation} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} |")
    ratios = sorted(
        sum(ours.values()) / sum(theirs.values())
        for ours, theirs in zip(runs["housler"], runs["django cache"], strict=True)
    )
    print(
        f"\nWhole mix, ours / Django's: median {statistics.median(ratios):.2f}× "
        f"(range {ratios[0]:.2f}–{ratios[-1]:.2f}, {rounds} alternating rounds)"
    )
    return ratios


def target_line(ratios: list[float]) -> str:
    median = statistics.median(ratios)
    verdict = "met" if median <= TARGET else "**not met**"
    return (
        f"Engine CPU per operation ≤ {TARGET}× Django's `cache` engine: {median:.2f}× "
        f"({ratios[0]:.2f}–{ratios[-1]:.2f}, {len(ratios)} rounds) — {verdict}"
    )


def compare_codecs(value: dict, rounds: int, ops: int) -> None:
    from django.contrib.sessions.backends.base import SessionBase

    from sessions_backend import codec

    django_base, salt = SessionBase(), SessionBase().key_salt
    ours_value, django_value = codec.dumps(value, salt), django_base.encode(value)
    actions = {
        "encode": (lambda: codec.dumps(value, salt), lambda: django_base.encode(value)),
        "decode": (lambda: codec.loads(ours_value, salt), lambda: django_base.decode(django_value)),
    }
    print(f"\n## Value codec alone, µs (median of {rounds} rounds)\n")
    print("| step | `codec` (h2) | `SessionBase` | ratio |")
    print("|---|---|---|---|")
    for step, (ours_action, django_action) in actions.items():
        ours = statistics.median(cpu_us(ours_action, ops * 4) for _ in range(rounds))
        theirs = statistics.median(cpu_us(django_action, ops * 4) for _ in range(rounds))
        print(f"| {step} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} |")
    print(f"\nStored size: h2 {len(ours_value)} characters, Django's {len(django_value)}.")


def compression_costs(rounds: int, ops: int) -> None:
    """Encode + decode µs and stored size by JSON size, plain (`j`) against zlib level 1 (`z`)."""
    from sessions_backend import codec

    print("\n## Compression by JSON size: encode + decode µs, stored characters\n")
    print("| JSON bytes | plain µs | zlib µs | plain chars | zlib chars |")
    print("|---|---|---|---|---|")
    threshold = codec.COMPRESS_ABOVE
    try:
        for size in (1024, 2048, 4096, 8192, 16384, 65536):
            value = wizard_sized(size)
            row = []
            for compress_above in (len(json.dumps(value)) * 10, 0):
                codec.COMPRESS_ABOVE = compress_above
                stored = codec.dumps(value, "bench")
                round_trip = partial(round_trip_value, value)
                micros = statistics.median(cpu_us(round_trip, ops) for _ in range(rounds))
                row.append((micros, len(stored)))
            (plain_us, plain_len), (zlib_us, zlib_len) = row
            size = json_bytes(value)
            print(f"| {size} | {plain_us:.1f} | {zlib_us:.1f} | {plain_len} | {zlib_len} |")
    finally:
        codec.COMPRESS_ABOVE = threshold
    print(f"\n`COMPRESS_ABOVE` is {threshold} bytes.")


def round_trip_value(value: dict) -> dict:
    from sessions_backend import codec

    return codec.loads(codec.dumps(value, "bench"), "bench")


def wizard_sized(size: int) -> dict:
    """About `size` bytes of JSON: distinct random comparables, as compressible as real ones."""
    from bench.session_bench.harness import wizard_state

    comparables: list[dict] = []
    while json_bytes(comparables) < size:
        flow = json.loads(wizard_state(f"sized-{len(comparables)}", 1))
        comparables += flow["comparables"]
    while json_bytes(comparables) > size:
        comparables.pop()
    return {"calculator": {"step": 2, "comparables": comparables}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds (≥ 7)")
    parser.add_argument("--ops", type=int, default=300, help="operations per engine per round")
    parser.add_argument("--json", type=Path, help="also write the whole-mix ratios here")
    args = parser.parse_args()
    if args.rounds < 7:
        parser.error("--rounds must be at least 7 for a meaningful median and range")
    server = RedisServer().start()
    atexit.register(server.cleanup)
    configure_django(server.url)
    value = wizard_value()
    print(f"Wizard value: {json_bytes(value)} bytes of JSON")
    ratios = compare_engines(value, args.rounds, args.ops)
    print(f"\n{target_line(ratios)}")
    if args.json:
        summary = {"ratios": ratios, "median": statistics.median(ratios), "target": TARGET}
        args.json.write_text(json.dumps(summary))
    compare_codecs(value, args.rounds, args.ops)
    compression_costs(args.rounds, args.ops)


if __name__ == "__main__":
    main()
