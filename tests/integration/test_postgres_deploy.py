"""deploy/README.md's PostgreSQL steps, done for real: a role of its own, a database it owns,
`migrate` under that role, gunicorn on it, and the share links and clean-up that need the tables.

Runs when HOUSLER_TEST_DATABASE_URL names a PostgreSQL server (`.ci/run` sets it when one answers
on 127.0.0.1); its user must be allowed to create roles and databases. Role and database carry
this run's pid and are dropped at the end.
"""

import os
import re
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.gunicorn_server import GunicornServer
from tests.support.wizard_flow import WizardFlow

pytestmark = pytest.mark.slow

ADMIN_URL = os.environ.get("HOUSLER_TEST_DATABASE_URL", "")
if not ADMIN_URL.startswith(("postgres://", "postgresql://")):
    pytest.skip("HOUSLER_TEST_DATABASE_URL names no PostgreSQL server", allow_module_level=True)


def admin(*command: str) -> None:
    """createuser, createdb, dropdb… as the README runs them, as the admin URL's user."""
    url = urlsplit(ADMIN_URL)
    where = ("-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432))
    subprocess.run(
        [*command, *where, "-U", url.username or "postgres"],
        env={**os.environ, "PGPASSWORD": url.password or ""},
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def housler_database() -> Iterator[str]:
    name = f"housler_deploy_{os.getpid()}"
    password = f"pw{os.getpid()}"
    admin("createuser", name)
    admin("psql", "-d", "postgres", "-c", f"ALTER ROLE {name} PASSWORD '{password}'")
    admin("createdb", "--owner", name, name)
    host = urlsplit(ADMIN_URL)
    try:
        yield f"postgres://{name}:{password}@{host.hostname}:{host.port or 5432}/{name}"
    finally:
        admin("dropdb", "--if-exists", "--force", name)
        admin("dropuser", "--if-exists", name)


def test_the_app_migrates_and_serves_on_its_own_postgres_database(housler_database) -> None:
    with GunicornServer(workers=1, DATABASE_URL=housler_database) as app:
        report = requests.get(app.url + "/health", timeout=10).json()
        assert report["components"]["database"]["vendor"] == "postgresql"
        assert report["components"]["database"]["status"] == "healthy"

        flow = WizardFlow(app.url, 1)
        flow.start()
        flow.details()
        for n in range(1, 4):
            flow.add_comparable(n)
        flow.analyze()
        page = flow.submit("/calculator/share/", {"action": "share"})
        link = re.search(r"/r/[\w-]+/", page)
        assert link, "the report page shows its new link"
        assert requests.get(app.url + link.group(), timeout=10).status_code == 200

        app.manage("clearsessions")  # housler-cleanup.service, on the same database
        app.manage("purge_shares")
        assert requests.get(app.url + link.group(), timeout=10).status_code == 200, "still live"
