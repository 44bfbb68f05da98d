"""Redis commands a session engine sends, recorded by the connection class given to django-redis.

django-redis passes `CONNECTION_POOL_KWARGS` to redis-py, whose `connection_class` is the
supported way to see every command on the wire without touching the engine's objects.
"""

from urllib.parse import urlencode

import fakeredis
import redis

from tests.support.session_caches import sessions_caches


def recording_connection(base: type[redis.Connection], sent: list[str]) -> type:
    """A connection class appending each command's name to `sent`; the connection handshake
    (CLIENT SETINFO, SELECT…) is left out, as it is redis-py's doing, not the engine's."""

    class RecordingConnection(base):
        handshaking = False

        def on_connect_check_health(self, *args, **kwargs) -> None:
            self.handshaking = True
            try:
                super().on_connect_check_health(*args, **kwargs)
            finally:
                self.handshaking = False

        def send_command(self, *args, **kwargs) -> None:
            if not self.handshaking:
                sent.append(str(args[0]).upper())
            super().send_command(*args, **kwargs)

    return RecordingConnection


def recording_caches(url: str | None, prefix: str, sent: list[str]) -> dict:
    """CACHES whose `sessions` alias records its commands in `sent`: on the real Redis at `url`,
    or on fakeredis when `url` is None. The URL names a client of its own, because django-redis
    shares one connection pool per URL and this pool must be built with the recording class."""
    base = redis.Connection if url else fakeredis.FakeRedisConnection
    own_pool = "?" + urlencode({"client_name": prefix})
    location = (url or "redis://fakeredis:6379/0") + own_pool
    return sessions_caches(location, prefix, connection_class=recording_connection(base, sent))
