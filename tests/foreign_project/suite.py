"""Run by tests/sessions/test_foreign_project.py in a subprocess, under the foreign settings.

Not collected by pytest (no `test_` prefix): it needs `DJANGO_SETTINGS_MODULE` to point at
`tests.foreign_project.settings`, which the parent sets.
"""

from django.conf import settings
from django.test import SimpleTestCase
from sessions_tests import tests as django_suite

from sessions_backend.engine import SessionStore
from sessions_backend.failover import get_storage


class ForeignProjectSessionTests(django_suite.SessionTestsMixin, SimpleTestCase):
    """Django's own session tests, unchanged, on the engine with no engine settings at all."""

    backend = SessionStore


class ForeignProjectStorageTests(SimpleTestCase):
    def test_sessions_go_to_redis_when_the_alias_exists_else_to_the_fallback(self):
        session = SessionStore()
        session["flat"] = "Казань, ул. Баумана, 1"
        session.save()
        storage = get_storage()
        if "sessions" in settings.CACHES:
            self.assertEqual(storage.active.name, "redis")
            self.assertIsNotNone(storage.primary.get(session.session_key))
            self.assertIsNone(storage.fallback.get(session.session_key))
        else:
            self.assertIsNone(storage.primary)
            self.assertEqual(storage.active.name, "locmem")
            self.assertIsNotNone(storage.fallback.get(session.session_key))
        self.assertEqual(SessionStore(session.session_key)["flat"], "Казань, ул. Баумана, 1")
