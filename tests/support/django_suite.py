"""Where Django's own session test-suite is: the `sessions_tests` package of the Django sdist,
which `make test` unpacks into `.venv/django-tests` (`DJANGO_SESSION_TESTS` names another folder).
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DJANGO_SUITE = Path(os.environ.get("DJANGO_SESSION_TESTS") or REPO / ".venv" / "django-tests")


def suite_present() -> bool:
    return (DJANGO_SUITE / "sessions_tests").is_dir()
