"""The gunicorn guard, with real gunicorn processes started from deploy/gunicorn.conf.py."""

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SECRET = "gunicorn-test-" + "p9Q8r7S6t5" * 5

pytestmark = pytest.mark.slow


def gunicorn_env(tmp_path: Path, port: int, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_", "GUNICORN_", "HOUSLER_", "WEB_"))
    }
    env.update(
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_SECURE_COOKIES="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PORT=str(port),
        **extra,
    )
    return env


def start(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "housler.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.stdout.read()


def refused(env: dict) -> tuple[int, str]:
    process = start(env)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        stop(process)
        pytest.fail("gunicorn started although the checks should have refused it")
    return process.returncode, process.stdout.read()


def get_json(url: str, deadline: float) -> tuple[int, dict]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_refuses_four_workers_without_redis(tmp_path):
    code, output = refused(gunicorn_env(tmp_path, free_port(), WEB_CONCURRENCY="4"))
    assert code != 0
    assert "Housler refuses to start" in output
    assert "housler.E001" in output


def test_refuses_an_unreachable_redis(tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"
    code, output = refused(gunicorn_env(tmp_path, free_port(), REDIS_URL=url))
    assert code != 0
    assert "housler.E002" in output


def test_refuses_without_a_secret_key(tmp_path):
    env = gunicorn_env(tmp_path, free_port())
    env.pop("DJANGO_SECRET_KEY")
    code, output = refused(env)
    assert code != 0
    assert "DJANGO_SECRET_KEY is not set" in output


def test_starts_with_redis_and_serves_health(tmp_path, persistent_redis):
    port = free_port()
    env = gunicorn_env(tmp_path, port, REDIS_URL=persistent_redis.url, WEB_CONCURRENCY="3")
    process = start(env)
    try:
        status, body = get_json(f"http://127.0.0.1:{port}/health", time.monotonic() + 20)
        assert status == 200
        assert body["status"] == "healthy", body["reasons"]
        storage = body["components"]["session_storage"]
        assert storage["backend"] == "redis" and storage["workers"] == 3
        assert storage["shared_between_workers"] is True
    finally:
        output = stop(process)
    assert "System checks passed (with deployment checks); starting 3 worker(s)" in output


def test_one_worker_without_redis_reports_honestly(tmp_path):
    """What `make run` does on a bare machine: starts, and /health says what it is."""
    port = free_port()
    process = start(gunicorn_env(tmp_path, port, WEB_CONCURRENCY="1"))
    try:
        status, body = get_json(f"http://127.0.0.1:{port}/health", time.monotonic() + 20)
    finally:
        output = stop(process)
    assert status == 200 and body["status"] == "healthy"
    storage = body["components"]["session_storage"]
    assert storage["backend"] == "locmem" and storage["shared_between_workers"] is False
    assert storage["workers"] == 1
    assert body["components"]["redis_cache"]["configured"] is False
    assert "housler.W001" in output


def test_the_access_log_never_holds_a_full_session_key_or_share_token(tmp_path):
    """A key pasted into a URL and a share link's token are shortened in the log."""
    port = free_port()
    process = start(gunicorn_env(tmp_path, port, WEB_CONCURRENCY="1"))
    key = "k3y0f32charsabcdefghijklmnopqrs9"
    token = "Sh4r3-T0k3n_0f-32-url-safe-char"
    try:
        get_json(f"http://127.0.0.1:{port}/health", time.monotonic() + 20)
        for path in (
            f"/admin/sessions_backend/livesession/{key}/",
            f"/admin/{key}/",
            f"/r/{token}/",
            f"/calculator/?next={key}",
        ):
            with contextlib.suppress(urllib.error.HTTPError):  # 404s and 500s are fine here
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).close()
    finally:
        output = stop(process)
    assert f"/r/{token[:6]}…/" in output  # the line is still written, and says which link
    assert key not in output and token not in output
