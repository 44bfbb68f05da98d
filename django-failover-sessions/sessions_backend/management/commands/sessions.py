"""`manage.py sessions stats|list|show|delete|purge`: the session store from a shell.

SCAN-based (never KEYS), on the Redis store or the fallback (`--store`), with `--json` for
scripts. Sessions are named by their ref (as `list` prints it); no output ever holds a full
session key, not even one the operator typed for `delete`.
"""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import RedisError

from sessions_backend import inspector
from sessions_backend.failover import get_storage
from sessions_backend.redaction import describe_error
from sessions_backend.redis_facts import sessions_redis_facts
from sessions_backend.stores import Store

DAMAGED = "повреждена/unreadable"
PRIVATE_STORE_NOTE = (
    "note: the {name} store lives in each process's memory; this command sees only its own, "
    "which is empty. Inspect a worker's sessions in the admin page instead."
)


class Command(BaseCommand):
    help = "Inspect and manage live sessions (stats, list, show, delete, purge --expired)."
    requires_system_checks: list = []

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument(
            "--store",
            choices=inspector.STORE_CHOICES,
            default="active",
            help="which store to read (default: the one serving sessions now)",
        )
        common.add_argument(
            "--json", dest="as_json", action="store_true", help="machine-readable output"
        )
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("stats", parents=[common], help="store, Redis and counter summary")
        listing = actions.add_parser("list", parents=[common], help="live sessions, newest first")
        listing.add_argument("--limit", type=int, default=50, help="how many (default 50)")
        listing.add_argument("--search", default="", help="substring of the session's summary")
        show = actions.add_parser("show", parents=[common], help="one session, decoded")
        show.add_argument("ref", help="the session's ref, as `list` prints it")
        delete = actions.add_parser("delete", parents=[common], help="delete one session")
        delete.add_argument("ref", help="the session's ref as `list` prints it, or its full key")
        purge = actions.add_parser("purge", parents=[common], help="remove expired leftovers")
        purge.add_argument("--expired", action="store_true", required=True)

    def handle(self, *args, action: str, store: str, as_json: bool, **options) -> None:
        try:
            chosen = inspector.pick_store(store)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not chosen.shared and not as_json:
            self.stderr.write(PRIVATE_STORE_NOTE.format(name=chosen.name))
        try:
            result = getattr(self, f"do_{action}")(chosen, **options)
        except RedisError as exc:
            raise CommandError(
                f"Redis does not answer ({describe_error(exc)}). "
                "Use --store fallback to inspect the fallback store."
            ) from exc
        self.emit(result, as_json=as_json)

    def emit(self, result: dict, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json_dump(result))
        else:
            self.stdout.write(result.pop("_text"))

    def do_stats(self, store: Store, **options) -> dict:
        storage = get_storage()
        facts = sessions_redis_facts()
        result = {
            "store": store.name,
            "shared_between_workers": store.shared,
            "primary": storage.primary.name if storage.primary else None,
            "fallback": storage.fallback.name,
            "live_sessions": inspector.count_sessions(store),
            "redis": None if facts is None else {**vars(facts), "persistent": facts.persistent},
            "this_process": storage.stats(),
        }
        lines = [
            f"Store: {store.name} ({'shared by all workers' if store.shared else 'per process'})",
            f"Primary: {result['primary'] or 'none (no Redis cache alias)'}; "
            f"fallback: {storage.fallback.name}",
            f"Live sessions: {result['live_sessions']}",
        ]
        if facts is not None and facts.available:
            lines.append(
                f"Redis {facts.version}: PING {facts.latency_ms} ms, maxmemory-policy "
                f"{facts.maxmemory_policy}, AOF {on_off(facts.aof)}, RDB {on_off(facts.rdb)}, "
                f"used memory {facts.used_memory} bytes"
            )
        elif facts is not None:
            lines.append(f"Redis: unreachable ({facts.error})")
        lines.append("Per-worker counters (hits, misses, fallback) are on /metrics and /health.")
        result["_text"] = "\n".join(lines)
        return result

    def do_list(self, store: Store, *, limit: int, search: str, **options) -> dict:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        listing = inspector.list_sessions(store, search=search)
        shown = listing.sessions[:limit]
        lines = [f"{'REF':<24}{'KEY':<9}{'TTL':>8}  {'KEYS':>4}  {'SIZE':>7}  SUMMARY"] + [
            f"{session.ref:<24}{session.short_key:<9}{ttl_text(session.ttl):>8}  "
            f"{session.key_count:>4}  {session.size:>7}  {summary_text(session)}"
            for session in shown
        ]
        rows = [session.as_dict() for session in shown]
        shown = f"{len(rows)} of {len(listing.sessions)} session(s) in {store.name}"
        lines.append(shown + (" (scan capped)" if listing.truncated else ""))
        return {
            "store": store.name,
            "total": len(listing.sessions),
            "truncated": listing.truncated,
            "sessions": rows,
            "_text": "\n".join(lines),
        }

    def found(
        self, session: inspector.SessionSnapshot | None, store: Store
    ) -> inspector.SessionSnapshot:
        if session is None:
            raise CommandError(f"No such session in {store.name} (expired, deleted or mistyped).")
        return session

    def do_show(self, store: Store, *, ref: str, **options) -> dict:
        session = self.found(inspector.find_session(store, ref), store)
        result = session.as_dict(with_data=True)
        result["_text"] = "\n".join(
            [
                f"Key:        {session.short_key}",
                f"Ref:        {session.ref}",
                f"Store:      {session.store}",
                f"TTL:        {ttl_text(session.ttl)}",
                f"Size:       {session.size} bytes",
                f"Keys:       {session.key_count}",
                f"Summary:    {summary_text(session)}",
                session.pretty_json(),
            ]
        )
        return result

    def do_delete(self, store: Store, *, ref: str, **options) -> dict:
        if inspector.is_ref(ref):
            session = self.found(inspector.find_session(store, ref), store)
        else:  # a full key the operator typed: accepted, never printed back
            session = self.found(inspector.session_by_key(store, ref), store)
        outcome = inspector.delete_session(session.key)
        if outcome == "failed":
            raise CommandError("Redis does not answer and the fallback is per process: kept.")
        text = {
            "deleted": f"Deleted session {session.short_key}.",
            "tombstone": f"Deleted {session.short_key} from the fallback; Redis gets the delete "
            "when it is back.",
        }[outcome]
        return {"ref": session.ref, "key": session.short_key, "outcome": outcome, "_text": text}

    def do_purge(self, store: Store, **options) -> dict:
        result = inspector.purge_expired(store)
        result["_text"] = (
            f"{store.name}: "
            + ("expired rows swept; " if result["swept_expired_rows"] else "expires keys itself; ")
            + f"{result['removed_without_ttl']} session(s) without a TTL removed."
        )
        return result


def summary_text(session: inspector.SessionSnapshot) -> str:
    if session.damaged:
        return DAMAGED
    return session.summary_text() or "-"


def on_off(value: bool | None) -> str:
    return "unknown" if value is None else "on" if value else "off"


def ttl_text(ttl: int | None) -> str:
    if ttl is None:
        return "none"
    hours, rest = divmod(ttl, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def json_dump(result: dict) -> str:
    return json.dumps(
        {k: v for k, v in result.items() if k != "_text"}, ensure_ascii=False, indent=2, default=str
    )
