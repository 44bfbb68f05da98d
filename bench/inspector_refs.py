"""What it costs the inspector to open a session by its ref, with 10 000 live sessions.

    .venv/bin/python bench/inspector_refs.py [--sessions 10000]

A ref (`abc123.<hmac>`) is resolved by one SCAN with `MATCH <namespace>abc123*` over the whole
keyspace, stopping at the key whose HMAC matches: no reverse index to keep bounded. The script
starts a private redis-server, writes the sessions through the engine's store, then times the
lookup (median of 20) next to one full listing of the same store.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["REDIS_URL"] = ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    count = parser.parse_args().sessions

    from tests.support.redis_server import RedisServer

    server = RedisServer().start()
    try:
        os.environ["REDIS_URL"] = server.url
        os.environ["DJANGO_SETTINGS_MODULE"] = "housler.settings"
        import django

        django.setup()
        from sessions_backend import inspector
        from sessions_backend.engine import SessionStore
        from sessions_backend.failover import get_storage

        store = get_storage().primary
        value = SessionStore().encode({"housler.wizard": {"target": {"address": "x" * 200}}})
        pipe = store.client.pipeline(transaction=False)
        keys = [SessionStore()._get_new_session_key() for _ in range(count)]
        for key in keys:
            pipe.set(store.namespace + key, value, ex=3600)
        pipe.execute()

        def timed(call, arguments: list) -> float:
            runs = []
            for argument in arguments:
                started = time.perf_counter()
                call(argument)
                runs.append((time.perf_counter() - started) * 1000)
            return statistics.median(runs)

        refs = [inspector.session_ref(key) for key in secrets.SystemRandom().sample(keys, 20)]
        lookup = timed(lambda ref: inspector.find_session(store, ref), refs)
        missing = timed(lambda ref: inspector.find_session(store, ref), ["000000." + "0" * 16] * 20)
        listing = timed(lambda _: inspector.list_sessions(store), [None] * 5)
        print(f"{count} sessions in a private redis-server")
        print(f"open by ref (found):   {lookup:7.1f} ms median of 20")
        print(f"open by ref (missing): {missing:7.1f} ms median of 20")
        print(f"list (first {inspector.SCAN_LIMIT}):    {listing:7.1f} ms median of 5")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
