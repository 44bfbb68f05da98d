"""Credentials in URLs are masked wherever a URL is printed.

One helper (`sessions_backend.redaction.mask_url`) masks them; `make run` calls it for its start
line, and the checks, `/health` and the command describe errors through it.
"""

import os
import secrets
import subprocess
from pathlib import Path

import pytest
from redis.exceptions import ResponseError

from sessions_backend.redaction import describe_error, mask_url, mask_urls
from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@10.0.0.5:6379/0", "redis://:****@10.0.0.5:6379/0"),
        ("rediss://user:s3cret@redis.internal:6380/1", "rediss://user:****@redis.internal:6380/1"),
        ("postgres://housler:s3cret@db/housler", "postgres://housler:****@db/housler"),
        ("redis://host:6379/0?password=s3cret&db=1", "redis://host:6379/0?password=****&db=1"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("socks5://t0ken@proxy.internal:1080", "socks5://****@proxy.internal:1080"),
        ("sqlite:////srv/housler/db.sqlite3", "sqlite:////srv/housler/db.sqlite3"),
        ("local memory", "local memory"),
    ],
)
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_urls_inside_an_error_text_are_masked():
    text = "Error connecting to redis://:s3cret@10.0.0.5:6379/0: refused"
    assert mask_urls(text) == "Error connecting to redis://:****@10.0.0.5:6379/0: refused"


def test_a_failed_pipeline_command_is_described_without_its_arguments():
    key = "k" * 32
    error = ResponseError(
        f"Command # 1 (SET housler:session:{key} v PX 1000) of pipeline caused error: "
        "NOREPLICAS Not enough good replicas to write."
    )
    described = describe_error(error)
    assert key not in described and "NOREPLICAS" in described


@pytest.mark.external
def test_make_run_prints_no_redis_password(tmp_path):
    """The start line names the Redis without its password; gunicorn then refuses (no Redis)."""
    password = "pw-" + secrets.token_hex(8)
    env = {
        **os.environ,
        "REDIS_URL": f"redis://:{password}@127.0.0.1:{free_port()}/0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(free_port()),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = done.stdout + done.stderr
    assert "sessions: redis://:****@127.0.0.1:" in output, output[-2000:]
    assert password not in output
