"""Gunicorn settings for Housler, used by `make run` and by deploy/housler.service.

Environment: PORT (default 8000; binds 127.0.0.1 behind nginx), GUNICORN_BIND (overrides the
bind, e.g. unix:/run/housler/gunicorn.sock), WEB_CONCURRENCY (workers), GUNICORN_THREADS
(threads per worker, default 8), GUNICORN_TIMEOUT.

Before forking any worker, `on_starting` runs Django's system checks (with the deployment checks
unless DJANGO_DEBUG is on) and refuses to start on any error: process-local sessions under
several workers (housler.E001), an unreachable Redis (housler.E002), DEBUG or a weak secret key
(housler.E003), a missing DJANGO_SECRET_KEY, ...

Metrics: every worker writes its Prometheus values into PROMETHEUS_MULTIPROC_DIR, so a scrape of
any worker returns the service's totals. An operator may name that directory; otherwise gunicorn
owns a fresh temporary one, removed on exit. Stale value files are deleted before forking, and a
dead worker's live gauges in `child_exit` (its counters stay in the totals).
"""

import ipaddress
import os
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = str(Path(__file__).resolve().parent.parent)

chdir = PROJECT_DIR
wsgi_app = "housler.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or (2 if os.environ.get("REDIS_URL") else 1))
# Threads, so a slow Cian holds a thread, not the worker: `calculator/cian/bulkhead.py` keeps two
# of every worker's threads free for other pages (CIAN_CONCURRENCY = GUNICORN_THREADS - 2).
worker_class = "gthread"
threads = max(1, int(os.environ.get("GUNICORN_THREADS") or 8))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 0
preload_app = False  # each worker builds its own session storage and Redis pool after the fork
proc_name = "housler"
PROXY_NETWORKS: list[str] = []  # entries of HOUSLER_TRUSTED_PROXIES gunicorn cannot match


def forwarded_allow(trusted: str) -> str:
    """`forwarded_allow_ips` from HOUSLER_TRUSTED_PROXIES: the peers whose X-Forwarded-Proto
    (-Ssl, -Protocol) may make a request https. Empty means nobody's, not gunicorn's default of
    127.0.0.1: a local process must not pass for TLS. Gunicorn 23 matches exact addresses
    only, so a network entry is left out (fail closed) and named at start. Connections over a
    unix socket are always allowed by gunicorn: the socket's permissions decide who connects."""
    addresses = []
    for entry in filter(None, (part.strip() for part in trusted.split(","))):
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if network.num_addresses == 1:
            addresses.append(str(network.network_address))
        else:
            PROXY_NETWORKS.append(entry)
    return ",".join(addresses)


forwarded_allow_ips = forwarded_allow(os.environ.get("HOUSLER_TRUSTED_PROXIES", ""))
accesslog = "-"
errorlog = "-"
# Session keys and share tokens pasted into URLs are shortened before a line is written.
logger_class = "housler.log_masking.AccessLogger"
# No cookies or query strings beyond the request line; session keys never appear in URLs.
access_log_format = '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
OWNED_METRICS_DIRS: list[Path] = []  # the one gunicorn made, removed on exit


def refuse(message: str) -> None:
    sys.stderr.write(f"\nHousler refuses to start: {message}\n\n")
    sys.stderr.flush()
    remove_owned_metrics_dirs()
    raise SystemExit(1)


def prepare_metrics_dir() -> Path:
    """The multiprocess directory, set in the environment before `prometheus_client` loads."""
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        path = Path(given)
        if not path.is_symlink():
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_metrics_dir(path)
    else:
        path = Path(tempfile.mkdtemp(prefix="housler-metrics-"))
        os.environ[MULTIPROC_DIR] = str(path)
        OWNED_METRICS_DIRS.append(path)
    empty_metrics_dir(path)
    return path


def check_metrics_dir(path: Path) -> None:
    """Refuse a directory another local user could write: workers open (and follow) the value
    files in it, so a planted `counter_<pid>.db` symlink would make them overwrite its target,
    and planted files would be reported as the service's metrics."""
    info = path.lstat()
    if path.is_symlink() or not path.is_dir():
        refuse(f"{MULTIPROC_DIR}={path} must be a real directory, not a symlink or a file.")
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        refuse(
            f"{MULTIPROC_DIR}={path} must belong to this user and be writable by it alone "
            f"(it is mode {info.st_mode & 0o777:o}, owner uid {info.st_uid}): "
            "use a directory of its own, e.g. systemd's RuntimeDirectory (deploy/README.md)."
        )


def empty_metrics_dir(path: Path) -> None:
    """Delete prometheus_client's value files (`*.db`) only: an operator's directory keeps the rest.

    Values of a previous run, or of this master while it ran the checks, are no worker's.
    """
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


def on_starting(server) -> None:
    """Run the system checks in the master, before any worker exists; exit 1 on any error."""
    metrics_dir = prepare_metrics_dir()
    # The checks must see the worker count gunicorn will really run, whatever set it.
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housler.settings")
    if PROJECT_DIR not in sys.path:
        sys.path.insert(0, PROJECT_DIR)

    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        refuse(str(exc))

    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections

    deploy = not settings.DEBUG
    try:
        call_command("check", deploy=deploy, fail_level="ERROR", stdout=sys.stderr)
    except SystemCheckError as exc:
        refuse(f"system checks{' (--deploy)' if deploy else ''} found errors.\n{exc}")
    finally:
        # Workers are forked from this process: hand them no open database or Redis sockets.
        connections.close_all()
        from sessions_backend.redis_facts import sessions_redis_client

        client = sessions_redis_client()
        if client is not None:
            client.connection_pool.disconnect()
        empty_metrics_dir(metrics_dir)
    if PROXY_NETWORKS:
        server.log.warning(
            "HOUSLER_TRUSTED_PROXIES networks %s: gunicorn believes X-Forwarded-Proto only from "
            "the single addresses listed",
            ", ".join(PROXY_NETWORKS),
        )
    server.log.info(
        "System checks passed%s; starting %s worker(s)",
        " (with deployment checks)" if deploy else "",
        server.cfg.workers,
    )


def child_exit(server, worker) -> None:
    """A worker is gone: drop its live gauges; its counters stay in the service's totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, os.environ[MULTIPROC_DIR])


def remove_owned_metrics_dirs() -> None:
    """Remove the metrics directory gunicorn made; an operator's stays where it was."""
    for path in OWNED_METRICS_DIRS:
        shutil.rmtree(path, ignore_errors=True)


def on_exit(server) -> None:
    remove_owned_metrics_dirs()
