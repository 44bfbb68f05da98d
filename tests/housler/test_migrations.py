"""The project's migrations describe its models (checked against the test database's migration
history: PostgreSQL when HOUSLER_TEST_DATABASE_URL names one, pytest's header says which)."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_migrations_describe_the_models() -> None:
    """`manage.py migrate` on a fresh database builds exactly the tables the code uses."""
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
