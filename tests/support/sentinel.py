"""A loopback Redis Sentinel set: one primary, one replica, one sentinel (all ours).

Uses Debian's `redis-sentinel` when installed, else `redis-server --sentinel` (the same binary).
"""

import shutil
import subprocess

import redis

from tests.support.polling import wait_until
from tests.support.redis_server import RedisServer, free_port

MASTER = "housler"


class SentinelSet:
    # As deploy/redis.conf recommends for Sentinel: a primary that lost its replica refuses
    # writes, so a write cannot land on a demoted primary and vanish in the resync.
    SAFETY = ("--min-replicas-to-write", "1", "--min-replicas-max-lag", "10")

    def __init__(self) -> None:
        self.primary = RedisServer(*self.SAFETY)
        self.replica: RedisServer | None = None
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "SentinelSet":
        self.primary.start()
        self.replica = RedisServer(
            "--replicaof", "127.0.0.1", str(self.primary.port), *self.SAFETY
        ).start()
        config = self.primary.dir / "sentinel.conf"
        config.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self.primary.dir}\n"
            f"sentinel monitor {MASTER} 127.0.0.1 {self.primary.port} 1\n"
            f"sentinel down-after-milliseconds {MASTER} 1000\n"
            f"sentinel failover-timeout {MASTER} 5000\n"
        )
        binary = shutil.which("redis-sentinel")
        command = [binary, str(config)] if binary else ["redis-server", str(config), "--sentinel"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        self.wait(
            lambda: len(self.sentinel().execute_command("SENTINEL", "REPLICAS", MASTER)),
            "the sentinel to see the replica",
        )
        return self

    def sentinel(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=1)

    def master_port(self) -> int:
        host_port = self.sentinel().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
        return int(host_port[1])

    def wait(self, condition, what: str, timeout: float = 15) -> None:
        """`wait_until` the condition holds; a Redis error while asking (a server still starting
        or changing role) counts as not yet."""

        def holds() -> object:
            try:
                return condition()
            except redis.RedisError:
                return False

        wait_until(holds, what, timeout=timeout, every=0.1)

    def failover(self) -> None:
        """SENTINEL FAILOVER, then wait until the sentinel names the replica as primary."""
        old = self.master_port()
        self.sentinel().execute_command("SENTINEL", "FAILOVER", MASTER)
        self.wait(lambda: self.master_port() != old, "the sentinel to name a new primary")

    def env(self) -> dict:
        return {"REDIS_SENTINELS": f"127.0.0.1:{self.port}", "REDIS_SENTINEL_MASTER": MASTER}

    def cleanup(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        for server in (self.replica, self.primary):
            if server:
                server.cleanup()
