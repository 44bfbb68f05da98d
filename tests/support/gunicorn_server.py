"""Real gunicorn with the project's deploy/gunicorn.conf.py, for multi-process tests.

Each server gets its own port, SQLite file, static root and access log (one line per request
with the worker's pid, so tests can count the workers that served them). Only processes started
here are ever signalled.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from tests.support.redis_server import free_port, unique_prefix

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class GunicornServer:
    def __init__(self, workers: int = 4, **env: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="housler-gunicorn-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = self.dir / "access.log"
        self.output = self.dir / "gunicorn.out"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "HOUSLER_"))},
            "DJANGO_SETTINGS_MODULE": "housler.settings",
            "DJANGO_SECRET_KEY": "integration-tests-secret-key-" + "z" * 40,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{self.dir / 'db.sqlite3'}",
            "DJANGO_STATIC_ROOT": str(self.dir / "static"),
            "REDIS_KEY_PREFIX": unique_prefix(),
            "WEB_CONCURRENCY": str(workers),
            "PORT": str(self.port),
            "DJANGO_LOG_LEVEL": "WARNING",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self, timeout: float = 30) -> "GunicornServer":
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        command = [
            str(BIN / "gunicorn"),
            "-c",
            str(REPO / "deploy" / "gunicorn.conf.py"),
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            '%(p)s %(s)s "%(r)s"',
        ]
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output.read_text()}")
            try:
                if requests.get(self.url + "/", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer:\n{self.output.read_text()}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def requests_per_worker(self) -> Counter:
        pids: Counter = Counter()
        if self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                pids[line.split(" ", 1)[0]] += 1
        return pids

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
