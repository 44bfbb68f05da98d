"""Real gunicorn for multi-process tests and the session benchmark; only its own processes are
ever signalled.

By default a server runs the project's deploy/gunicorn.conf.py (system checks included) with an
access log of one line per request carrying the worker's pid, so tests can count the workers that
served them. The benchmark runs plain CLI flags instead (its rows include configurations the
checks refuse) and no access log. Each server gets its own port, SQLite file and static root
unless the environment given names shared ones.
"""

import contextlib
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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Settings a developer's shell may hold that must not leak into a server started here.
INHERITED_NOT = ("DJANGO_", "REDIS_", "HOUSLER_", "SESSION_", "DATABASE_", "BENCH_")
INHERITED_NEVER = {"WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "PYTHONPATH", "PORT"}


def proc_stat(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


class GunicornServer:
    def __init__(
        self,
        workers: int = 4,
        *,
        deploy_config: bool = True,
        access_log: bool = True,
        ready_path: str = "/",
        **env: str,
    ) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="housler-gunicorn-"))
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.deploy_config = deploy_config
        self.access_log = self.dir / "access.log" if access_log else None
        self.ready_path = ready_path
        self.output = self.dir / "gunicorn.out"
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(INHERITED_NOT) and k not in INHERITED_NEVER
        }
        self.env = {
            **inherited,
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
        self.worker_started: dict[int, str] = {}

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=180,
        )

    def command(self) -> list[str]:
        if self.deploy_config:
            command = [str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py")]
        else:
            command = [
                str(BIN / "gunicorn"),
                f"--workers={self.workers}",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=60",
                "--graceful-timeout=3",
                "--log-level=warning",
                f"--chdir={REPO}",
                "housler.wsgi:application",
            ]
        if self.access_log:
            command += ["--access-logfile", str(self.access_log)]
            command += ["--access-logformat", '%(p)s %(s)s "%(r)s"']
        return command

    def launch(self) -> "GunicornServer":
        """Start the master without waiting, so that several servers can boot side by side."""
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                self.command(),
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() may kill it whole
            )
        return self

    def wait_ready(self, timeout: float = 30) -> "GunicornServer":
        """Until every worker is forked and `ready_path` answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output.read_text()}")
            try:
                answered = requests.get(self.url + self.ready_path, timeout=1).status_code == 200
            except requests.RequestException:
                answered = False
            if answered and len(self.worker_pids()) == self.workers:
                self.worker_started = {pid: proc_stat(pid)[19] for pid in self.worker_pids()}
                return self
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer:\n{self.output.read_text()}")

    def start(self, timeout: float = 30, prepare: bool = True) -> "GunicornServer":
        """Migrate and collect static files (unless `prepare` is off), launch, wait."""
        if prepare:
            self.manage("migrate", "--noinput", "-v0")
            self.manage("collectstatic", "--noinput", "-v0")
        return self.launch().wait_ready(timeout)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(pid) for pid in children.read_text().split())

    def worker_cpu_seconds(self) -> float:
        """utime + stime of the workers seen at start; a replaced worker makes it meaningless."""
        if self.worker_pids() != sorted(self.worker_started):
            raise RuntimeError(f"gunicorn workers changed; see {self.output}")
        ticks = sum(
            int(proc_stat(pid)[11]) + int(proc_stat(pid)[12]) for pid in self.worker_started
        )
        return ticks / CLOCK_TICKS

    def kill_worker(self, pid: int | None = None) -> int:
        """SIGKILL one of this server's workers (the first, unless `pid` names another)."""
        workers = self.worker_pids()
        pid = pid if pid is not None else workers[0]
        if pid not in workers:
            raise ValueError(f"{pid} is not a worker of this server")
        os.kill(pid, signal.SIGKILL)
        return pid

    def requests_per_worker(self, request_line: str = "") -> Counter:
        """Access-log lines per worker pid, of requests whose request line starts as given."""
        pids: Counter = Counter()
        if self.access_log and self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                pid, _status, request = line.split(" ", 2)
                pid = pid.strip("<>")  # gunicorn writes %(p)s as <pid>
                if request.strip('"').startswith(request_line):
                    pids[pid] += 1
        return pids

    def stop(self, grace: float = 15) -> None:
        """Gunicorn's quick shutdown (SIGQUIT): a test has its answers, so nothing is left to
        drain, and the graceful one would idle through the workers' one-second poll."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        # A worker stuck on a hung Redis may outlive the master: still ours if its pid has the
        # start time seen at start (never a recycled pid).
        for pid, started in self.worker_started.items():
            with contextlib.suppress(OSError, IndexError):
                if proc_stat(pid)[19] == started:
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
