"""Gunicorn settings for Housler, used by `make run` and by deploy/housler.service.

Environment: PORT (default 8000; binds 127.0.0.1 behind nginx), GUNICORN_BIND (overrides the
bind, e.g. unix:/run/housler/gunicorn.sock), WEB_CONCURRENCY (workers), GUNICORN_THREADS
(threads per worker, default 8), GUNICORN_TIMEOUT.

Before forking any worker, `on_starting` runs Django's system checks (with the deployment checks
unless DJANGO_DEBUG is on) and refuses to start on any error: process-local sessions under
several workers (housler.E001), an unreachable Redis (housler.E002), DEBUG or a weak secret key
(housler.E003), a missing DJANGO_SECRET_KEY, ...
"""

import os
import sys
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
forwarded_allow_ips = os.environ.get("HOUSLER_TRUSTED_PROXIES") or "127.0.0.1"
accesslog = "-"
errorlog = "-"
# No cookies or query strings beyond the request line; session keys never appear in URLs.
access_log_format = '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def refuse(message: str) -> None:
    sys.stderr.write(f"\nHousler refuses to start: {message}\n\n")
    sys.stderr.flush()
    raise SystemExit(1)


def on_starting(server) -> None:
    """Run the system checks in the master, before any worker exists; exit 1 on any error."""
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
    server.log.info(
        "System checks passed%s; starting %s worker(s)",
        " (with deployment checks)" if deploy else "",
        server.cfg.workers,
    )
