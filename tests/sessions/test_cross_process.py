"""Sharing between OS processes: what gunicorn workers see of each other's sessions.

Two separate Python processes with the production settings module: one writes a session, the
other reads it. With REDIS_URL the second sees the first's data; without it (local memory) it
cannot: a visitor whose next request reaches another worker would lose the wizard, which system
check housler.E001 forbids for more than one worker.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.redis_server import unique_prefix

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.external
WRITE = """
import django, json; django.setup()
from sessions_backend.engine import SessionStore
s = SessionStore(); s["wizard"] = {"address": "Санкт-Петербург, Петровская коса, 6к1"}; s.save()
print(json.dumps({"key": s.session_key}))
"""
READ = """
import django, json, sys; django.setup()
from sessions_backend.engine import SessionStore
print(json.dumps({"data": SessionStore(sys.argv[1]).load()}))
"""


def run(code: str, env: dict, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def process_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "HOUSLER_TEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="housler.settings",
        DJANGO_SECRET_KEY="cross-process-test-key-" + "y" * 40,
        DJANGO_DEBUG="0",
        **extra,
    )
    return env


def test_a_session_written_by_one_process_is_read_by_another(private_redis):
    env = process_env(REDIS_URL=private_redis.url, REDIS_KEY_PREFIX=unique_prefix())
    key = run(WRITE, env)["key"]
    data = run(READ, env, key)["data"]
    assert data == {"wizard": {"address": "Санкт-Петербург, Петровская коса, 6к1"}}


def test_without_redis_each_process_has_its_own_sessions():
    """The documented limitation of local-memory sessions, asserted as such."""
    env = process_env()
    key = run(WRITE, env)["key"]
    assert run(READ, env, key)["data"] == {}
