"""The session benchmark's report: the Markdown of bench/RESULTS.md from the rows' results."""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
from collections import Counter
from importlib import metadata
from pathlib import Path

from bench.session_bench.harness import LOST, STEPS_PER_FLOW, Tally
from bench.session_bench.rows import BASELINE, EXISTING_ONLY, MIXED, ROWS, RowResult


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

Set-up: gunicorn 2 sync workers (CLI flags, `DJANGO_SETTINGS_MODULE=bench.session_bench.settings`,
DEBUG off),
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
