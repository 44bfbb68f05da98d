"""Django's own session test-suite, run against this engine.

`make test` fetches the `sessions_tests` package from the Django sdist matching the installed
version (see Makefile); the engine must pass it unchanged on fakeredis, on a real redis-server and
without Redis (local memory only).
"""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, override_settings

from sessions_backend.engine import SessionStore
from tests.support.redis_server import shared_redis_url
from tests.support.session_caches import fakeredis_caches, sessions_caches

try:
    from sessions_tests import tests as django_suite
except ImportError:  # pragma: no cover - a clear failure instead of a silent skip
    pytest.fail(
        "Django's session test-suite is missing: run `make test` (it downloads the "
        "sessions_tests package from the Django sdist into .venv/django-tests)",
        pytrace=False,
    )


class RealRedisMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enterClassContext(
            override_settings(CACHES=sessions_caches(shared_redis_url(), "housler-djsuite"))
        )


@override_settings(CACHES=fakeredis_caches("housler-djsuite"))
class FakeRedisSessionTests(django_suite.SessionTestsMixin, SimpleTestCase):
    backend = SessionStore


class RealRedisSessionTests(RealRedisMixin, django_suite.SessionTestsMixin, SimpleTestCase):
    backend = SessionStore


class LocalMemorySessionTests(django_suite.SessionTestsMixin, SimpleTestCase):
    """Without REDIS_URL (the test settings' default) the LRU is the only store."""

    backend = SessionStore


# Django's middleware tests expect the default cookie name; the name is not the engine's business.
@override_settings(SESSION_COOKIE_NAME="sessionid")
class EngineMiddlewareTests(django_suite.SessionMiddlewareTests):
    """Django's middleware tests; the one that reads the DB session table directly is restated
    through the engine (this engine keeps sessions in Redis, not in that table)."""

    def test_empty_session_saved(self):
        def set_foo(request):
            request.session["foo"] = "bar"
            return HttpResponse("Session test")

        request = RequestFactory().get("/")
        middleware = SessionMiddleware(set_foo)
        middleware(request)
        key = request.session.session_key
        self.assertEqual(SessionStore(key).load(), {"foo": "bar"})
        del request.session["foo"]
        response = middleware.process_response(request, HttpResponse("Session test"))
        self.assertEqual(SessionStore(key).load(), {})
        self.assertIn(f"Set-Cookie: sessionid={key}", str(response.cookies))
        self.assertEqual(response.headers["Vary"], "Cookie")


@override_settings(CACHES=fakeredis_caches("housler-djsuite"))
class FakeRedisMiddlewareTests(EngineMiddlewareTests):
    pass


class RealRedisMiddlewareTests(RealRedisMixin, EngineMiddlewareTests):
    pass
