"""Fixtures for multi-process tests: real gunicorn workers on a Redis each test owns, and a
headless Chromium to visit them."""

import pytest

from tests.support.chromium import CHROMIUM, FLAGS, require_chromium
from tests.support.gunicorn_server import GunicornServer
from tests.support.redis_server import RedisServer


@pytest.fixture
def sessions_redis():
    """A private Redis with deploy/redis.conf's durability settings (AOF on, noeviction)."""
    server = RedisServer(
        "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"
    ).start()
    yield server
    server.cleanup()


@pytest.fixture
def gunicorn(sessions_redis):
    """Start gunicorn (deploy/gunicorn.conf.py) on `sessions_redis`; stopped after the test."""
    started: list[GunicornServer] = []

    def start(workers: int = 4, **env: str) -> GunicornServer:
        env.setdefault("REDIS_URL", sessions_redis.url)
        env.setdefault("SESSION_FALLBACK_RETRY", "1")
        server = GunicornServer(workers=workers, **env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def browser():
    """Debian's Chromium, headless; closed after the test."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()
