"""The session benchmark's report: the Markdown of bench/RESULTS.md from the rows' results."""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.session_bench.harness import LOST, STEPS_PER_FLOW, RedisWork, Tally
from bench.session_bench.rows import BASELINE, EXISTING_ONLY, MIXED, ROWS, PairedRun, RowResult

RPS_TARGET = 1.05  # target: requests/s against Django's `cache` engine, wizard mix
COMMANDS_TARGET = 1.5  # target: Redis commands (round trips) per request on the mix


@dataclass
class EngineCpu:
    """What `bench/engine_cpu.py` printed, and its whole-mix ratio per round (sorted)."""

    command: str
    output: str
    ratios: list[float]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median_range(ratios: list[float], unit: str = "×", digits: int = 2) -> str:
    """`median× (low–high)`: how the report states every repeated measurement."""
    if len(ratios) == 1:
        return f"{ratios[0]:.{digits}f}{unit}"
    low, high = min(ratios), max(ratios)
    return f"{statistics.median(ratios):.{digits}f}{unit} ({low:.{digits}f}–{high:.{digits}f})"


def ratio_range(values: list[float], base: list[float]) -> str:
    return median_range([v / b for v, b in zip(values, base, strict=True)])


def commands_text(counts: Counter, n: int) -> str:
    if not counts:
        return "0"
    return " + ".join(f"{c / n:.2f} {name.upper()}" for name, c in counts.most_common())


def work_text(work: RedisWork, n: int) -> str:
    """`2.00: 1.00 GET + 1.00 EVALSHA (in scripts: 1.00 GET + 1.00 SET)` per request."""
    text = f"{sum(work.round_trips.values()) / n:.2f}: {commands_text(work.round_trips, n)}"
    if work.in_scripts:
        text += f" (in scripts: {commands_text(work.in_scripts, n)})"
    return text


def per_request(counts: Counter, requests: int) -> float:
    return sum(counts.values()) / requests


def main_table_markdown(results: dict[str, RowResult]) -> str:
    base = results[BASELINE]
    lines = [
        "| row | req/s | req/s vs Django `cache` | p50 ms | p99 ms | Redis round trips/req "
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
            f"| {r.round_trips_per_request:.2f} "
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
        cells = [work_text(r.per_kind[k], r.per_kind_n) for k in ("new", "read", "write")]
        lines.append(f"| {ROWS[row]} | {' | '.join(cells)} | {r.round_trips_per_request:.2f} |")
    return "\n".join(lines)


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


def paired_markdown(pairs: list[PairedRun]) -> str:
    """Every pair's figures, then the medians and ranges the targets are judged on."""
    lines = [
        "| pair | first | req/s Housler | req/s Django | ratio | worker CPU ms/req Housler "
        "| Django | ratio | Redis round trips/req Housler | Django | steal % | load 1 min |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pair in pairs:
        ours, base = pair.ours, pair.base
        first = "Housler" if pair.order[0] == "housler" else "Django"
        lines.append(
            f"| {pair.number} | {first} | {ours.rps:.0f} | {base.rps:.0f} | "
            f"{pair.rps_ratio:.2f}× | {ours.cpu_ms:.3f} | {base.cpu_ms:.3f} | "
            f"{pair.cpu_ratio:.2f}× | {ours.round_trips_per_request:.2f} | "
            f"{base.round_trips_per_request:.2f} | {100 * pair_steal(pair):.2f} | "
            f"{max(ours.load, base.load):.2f} |"
        )
    steal = [100 * pair_steal(pair) for pair in pairs]
    load = [max(pair.ours.load, pair.base.load) for pair in pairs]
    lines += [
        "",
        f"Medians (range) of {len(pairs)} pairs: requests/s "
        f"{median_range([p.rps_ratio for p in pairs])}, worker CPU per request "
        f"{median_range([p.cpu_ratio for p in pairs])}, Redis round trips per request "
        f"{median_range([p.ours.round_trips_per_request for p in pairs], '')} against "
        f"{median_range([p.base.round_trips_per_request for p in pairs], '')}; CPU steal "
        f"{median_range(steal, ' %')}, load average {median_range(load, '')}.",
    ]
    return "\n".join(lines)


def pair_steal(pair: PairedRun) -> float:
    """The pair's steal share, both runs weighted by their length."""
    seconds = pair.ours.seconds + pair.base.seconds
    return (pair.ours.steal * pair.ours.seconds + pair.base.steal * pair.base.seconds) / seconds


def engine_markdown(engine: EngineCpu | None) -> str:
    if engine is None:
        return "(skipped: `--engine-cpu-rounds 0`)"
    body = engine.output.strip().replace("\n## ", "\n### ")
    return f"Command: `{engine.command}`; the same machine, right after the runs above.\n\n{body}"


def mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def speed_targets(pairs: list[PairedRun], engine: EngineCpu | None) -> list[str]:
    """The engine's speed targets, judged on the paired runs' medians and the engine's rounds."""
    rps = statistics.median(p.rps_ratio for p in pairs)
    trips = [p.ours.round_trips_per_request for p in pairs]
    inside = [per_request(p.ours.redis.in_scripts, p.ours.tally.requests) for p in pairs]
    lines = []
    if engine is not None:
        cpu = statistics.median(engine.ratios)
        lines.append(
            f"- Engine CPU per operation ≤ 0.95× Django `cache` (`bench/engine_cpu.py`, one "
            f"process): {median_range(engine.ratios)} — {mark(cpu <= 0.95)}"
        )
    lines += [
        f"- Requests/s ≥ {RPS_TARGET}× Django `cache` under gunicorn, wizard mix: "
        f"{median_range([p.rps_ratio for p in pairs])}, {len(pairs)} pairs — "
        f"{mark(rps >= RPS_TARGET)}",
        f"- Redis commands per request ≤ {COMMANDS_TARGET} on the mix, counted as round trips: "
        f"{median_range(trips, '')} — {mark(statistics.median(trips) <= COMMANDS_TARGET)} "
        f"(plus {statistics.median(inside):.2f} run inside scripts)",
    ]
    return lines


def outage_target(stopped: Tally | None) -> str:
    line = "- p99 ≤ 50 ms with Redis stopped, circuit open: "
    if stopped is None:
        return line + "not measured (`--skip-outage`)"
    p99 = percentile(stopped.all_latencies(), 0.99)
    return line + f"{p99:.1f} ms — {mark(p99 <= 50)}"


def targets_markdown(
    results: dict[str, RowResult],
    pairs: list[PairedRun],
    outages: dict[tuple[str, str], Tally],
    engine: EngineCpu | None,
) -> str:
    h = results["housler"]
    cpu = statistics.median(p.cpu_ratio for p in pairs)
    kind = {k: per_request(w.round_trips, h.per_kind_n) for k, w in h.per_kind.items()}
    stopped = outages.get(("housler", "stopped"))
    lost_elsewhere = {row: r.lost for row, r in results.items() if row != "per_process" and r.lost}
    per_process = results.get("per_process")
    lines = [
        "Speed targets (paired runs above; medians, range in brackets):",
        "",
        *speed_targets(pairs, engine),
        "",
        "Round trips and outages:",
        "",
        f"- Worker CPU/request ≤ 1.0× Django `cache` (paired runs): "
        f"{median_range([p.cpu_ratio for p in pairs])} — {mark(cpu <= 1.0)}",
        f"- ≤ 1 Redis command per read-only request: {kind['read']:.2f} — "
        f"{mark(kind['read'] <= 1)}",
        f"- ≤ 2 per modifying request: new {kind['new']:.2f}, write {kind['write']:.2f} — "
        f"{mark(max(kind['new'], kind['write']) <= 2)}",
        outage_target(stopped),
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


def machine(steal: float) -> str:
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
            f"- load average at the end of the run: {load} (the machine is shared); CPU steal "
            f"during the Redis-up measurements: {100 * steal:.2f} % (`/proc/stat`)",
        ]
    )


def _has(package: str) -> bool:
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def report(
    args: argparse.Namespace,
    results: dict[str, RowResult],
    pairs: list[PairedRun],
    outages: dict[tuple[str, str], Tally],
    engine: EngineCpu | None,
    steal: float,
    command: str,
) -> str:
    hung = ", or SIGSTOPped (hung: connections accepted, never answered)" if args.hung else ""
    return f"""# Session engines under gunicorn: measured

Command: `{command}` (from the repository root).

{machine(steal)}

Set-up: gunicorn 2 sync workers (CLI flags, `DJANGO_SETTINGS_MODULE=bench.session_bench.settings`,
DEBUG off),
a private redis-server on loopback (no persistence), SQLite (WAL) in a temporary directory.
{args.threads} client threads in this process; every request opens its own TCP connection.
The wizard mix: a flow is a new session with ~3 KB of state, then {STEPS_PER_FLOW} steps, each a
read or a write (50/50); a step that does not see its flow's own latest state counts as lost and
ends the flow. Worker CPU = utime + stime of both workers (`/proc/<pid>/stat`) over the measured
window. Redis round trips = commands the workers sent, from Redis' slow log at a 0 µs threshold
(which, unlike `INFO commandstats`, tells a script's own commands apart: those are listed as "in
scripts"). CPU steal = steal / total jiffies of the `cpu` line of `/proc/stat` over the window.

## Housler against Django's `cache` engine: paired runs, wizard mix

{len(pairs)} pairs: Housler and Django's `cache` engine on django-redis back to back on the same
gunicorn flags and the same Redis, {args.pair_seconds:g} s each, measured A B B A in
{args.pair_seconds / 2:g} s slices with A alternating between the engines from pair to pair; one
ratio per pair (Housler / Django), so a busy moment or a drift of the shared machine weighs on
both sides of a pair. Steal and load: the pair's CPU steal (both engines' runs) and the highest
1-minute load average seen at the end of its slices. The targets below are judged on these.

{paired_markdown(pairs)}

## Every row, same request mix, Redis up

All rows' servers run side by side (idle but one); {args.rounds} rounds of {args.seconds:g} s
slices per row, order rotated each round, after a {args.warmup:g} s warm-up per server. Ratios are
per-round ratios to Django's `cache` engine (median, range in brackets); other figures pool the
rounds.

{main_table_markdown(results)}

Redis round trips per request by kind ({results["housler"].per_kind_n} sequential requests each):

{per_kind_markdown(results)}

## Redis down

40 sessions created while Redis was up, then Redis stopped (connection refused){hung}; then
{args.threads} client threads for {args.outage_seconds / 2:g} s on those sessions only, then
{args.outage_seconds / 2:g} s that also start new sessions and take their next step.
`SESSION_FALLBACK_RETRY=5`, socket timeouts 0.5 s, client timeout {args.outage_timeout:g} s.
Every request is counted, from the first one after Redis went down.

{outage_markdown(outages)}

## Engine CPU per operation, one process

{engine_markdown(engine)}

## Targets

{targets_markdown(results, pairs, outages, engine)}
"""


NOTES = "\n## Notes\n"


def kept_notes(path: Path) -> str:
    """The hand-written `## Notes` section of an existing results file survives a re-run."""
    try:
        old = path.read_text()
    except FileNotFoundError:
        return ""
    return old[old.index(NOTES) :] if NOTES in old else ""
