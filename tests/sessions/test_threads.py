"""The engine under gthread workers: many threads of one process share the storage singleton.

Sixteen threads create, load, save and delete sessions through `SessionStore` on a real
redis-server that is stopped and restarted mid-way. No thread may ever see another's session, an
older value or a deleted session come back (a save that failed on a dropped connection may or may
not have landed: either value is right); after recovery every live session holds its last
saved value; and the per-process counters add up to the operations performed.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import UpdateError

from sessions_backend.engine import SessionStore
from sessions_backend.exceptions import SessionUnavailable

THREADS = 16
RUN_SECONDS = 4.0


@dataclass
class Ledger:
    """What one thread knows it stored: key -> last saved seq (None once deleted)."""

    owner: int
    sessions: dict[str, int | None] = field(default_factory=dict)
    maybe_saved: set[str] = field(default_factory=set)  # a failed save may have reached Redis
    ops: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def check_load(ledger: Ledger, key: str) -> dict | None:
    ledger.ops["load"] += 1
    try:
        data = SessionStore(key).load()
    except SessionUnavailable:
        ledger.ops["unavailable"] += 1
        return None
    expected = ledger.sessions[key]
    if expected is None:
        if data:
            ledger.problems.append(f"deleted session came back: {data}")
        return data
    if key in ledger.maybe_saved and data == {"owner": ledger.owner, "seq": expected + 1}:
        ledger.sessions[key] = expected = expected + 1
    ledger.maybe_saved.discard(key)
    if data != {"owner": ledger.owner, "seq": expected}:
        ledger.problems.append(f"expected seq {expected} of {ledger.owner}, read {data}")
    return data


def work(ledger: Ledger, stop_at: float, rng: random.Random) -> None:
    while time.monotonic() < stop_at:
        store = SessionStore()
        store.update({"owner": ledger.owner, "seq": 0})
        store.create()
        ledger.ops["create"] += 1
        key = store.session_key
        ledger.sessions[key] = 0
        for _ in range(rng.randint(1, 6)):
            if check_load(ledger, key) is None:
                continue
            update = SessionStore(key)
            try:
                update.load()
                update._session_cache = {"owner": ledger.owner, "seq": ledger.sessions[key] + 1}
                update.modified = True
                update.save()
            except (SessionUnavailable, UpdateError):
                ledger.maybe_saved.add(key)
                continue
            ledger.sessions[key] += 1
        if rng.random() < 0.25:
            SessionStore(key).delete()
            ledger.sessions[key] = None
            check_load(ledger, key)


def test_threads_share_one_storage_through_an_outage(
    outage_sessions, persistent_redis, circuit_clock
) -> None:
    stop_at = time.monotonic() + RUN_SECONDS
    ledgers = [Ledger(owner) for owner in range(THREADS)]
    threads = [
        threading.Thread(target=work, args=(ledger, stop_at, random.Random(ledger.owner)))
        for ledger in ledgers
    ]
    for thread in threads:
        thread.start()
    time.sleep(RUN_SECONDS / 4)
    persistent_redis.stop()
    time.sleep(RUN_SECONDS / 4)
    persistent_redis.start()
    circuit_clock.advance(1.1)  # SESSION_FALLBACK_RETRY = 1: a thread probes Redis while all work
    for thread in threads:
        thread.join(RUN_SECONDS + 30)
    circuit_clock.advance(1.1)  # and after the run, the next call probes and moves the fallback

    assert [problem for ledger in ledgers for problem in ledger.problems] == []
    stats = outage_sessions.stats()
    assert stats["fallback_writes"] > 0 and stats["errors"] > 0, "the fault was not felt"
    for ledger in ledgers:
        for key, seq in ledger.sessions.items():
            if seq is None:
                # Deleted: absent everywhere (a fallback-born key answers "retry" for a minute).
                assert not outage_sessions.primary.get(key) and not outage_sessions.fallback.get(
                    key
                )
                continue
            accepted = [{"owner": ledger.owner, "seq": seq + n} for n in (0, 1)]
            assert SessionStore(key).load() in accepted[: 1 + (key in ledger.maybe_saved)], key
    stats = outage_sessions.stats()
    assert stats["circuit"] == "closed" and stats["fallback_active"] is False
    ops = sum((ledger.ops for ledger in ledgers), Counter())
    operations = {(o["op"], o["result"]): o["count"] for o in stats["operations"]}
    created = operations.get(("create", "ok"), 0) + operations.get(("create", "fallback"), 0)
    assert created == ops["create"]
    loads = sum(operations.get(("load", result), 0) for result in ("hit", "miss", "fallback"))
    live = sum(len(ledger.sessions) for ledger in ledgers)
    assert loads + operations.get(("load", "unavailable"), 0) >= ops["load"] + live
