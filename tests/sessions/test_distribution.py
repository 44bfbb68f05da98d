"""The engine as a distribution anyone can install (django-failover-sessions/).

Its wheel is built from a copy of the folder, installed into a clean virtualenv with nothing but
its own dependencies (at this virtualenv's versions; no prometheus_client), and used there by the
minimal foreign project of tests/foreign_project/, copied beside it: Django's own session
test-suite must pass on a real redis-server, and the app's checks run under the engine's own
names. Nothing of this repository is importable there.
"""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.django_suite import DJANGO_SUITE, suite_present

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "django-failover-sessions"
FOREIGN = ROOT / "tests" / "foreign_project"
DEPENDENCIES = ("Django", "django-redis", "redis", "orjson")
pytestmark = pytest.mark.slow


def run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, **kwargs
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy so no build leftovers land in the repository."""
    source = tmp_path_factory.mktemp("source") / ENGINE.name
    shutil.copytree(ENGINE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__py*"))
    out = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, source)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("django_failover_sessions-*.whl")
    return path


@pytest.fixture(scope="module")
def clean_python(wheel, tmp_path_factory) -> Path:
    """A new virtualenv holding the wheel and its dependencies only."""
    venv = tmp_path_factory.mktemp("venv")
    made = run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    pins = [f"{name}=={version(name)}" for name in DEPENDENCIES]
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "-q", wheel, *pins)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return python


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A folder holding only the foreign project, so nothing else of the repository imports."""
    where = tmp_path_factory.mktemp("project")
    shutil.copytree(FOREIGN, where / "foreign_project", ignore=shutil.ignore_patterns("__py*"))
    return where


def run_django(python: Path, project: Path, *command: str, **env: str) -> tuple[int, str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON", "FOREIGN_"))
    }
    environ.update(DJANGO_SETTINGS_MODULE="foreign_project.settings", **env)
    done = run(python, "-m", "django", *command, cwd=project, env=environ)
    return done.returncode, done.stdout + done.stderr


def test_the_wheel_holds_the_app_and_nothing_of_housler(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        texts = [archive.read(name).decode(errors="replace") for name in names]
        metadata = next(t for n, t in zip(names, texts, strict=True) if n.endswith("METADATA"))
    for needed in (
        "sessions_backend/engine.py",
        "sessions_backend/migrations/0001_initial.py",
        "sessions_backend/management/commands/sessions.py",
        "sessions_backend/templates/admin/sessions_backend/livesession_list.html",
        "sessions_backend/static/sessions_backend/inspector.css",
    ):
        assert needed in names
    assert not [n for n in names if n.startswith(("tests/", "housler/", "calculator/"))]
    code = [t for n, t in zip(names, texts, strict=True) if n.startswith("sessions_backend/")]
    assert not [t for t in code if "housler" in t.lower()]
    assert "Provides-Extra: prometheus" in metadata
    assert re.search(r"Requires-Dist: prometheus.client.*extra == .prometheus.", metadata)


def test_the_engine_imports_from_the_wheel_without_prometheus(clean_python, project):
    probe = (
        "import importlib.util, sessions_backend; print(sessions_backend.__file__); "
        "print(importlib.util.find_spec('prometheus_client'))"
    )
    done = run(clean_python, "-c", probe, cwd=project)
    location, prometheus = done.stdout.split()
    assert Path(location).is_relative_to(clean_python.parents[1]), location
    assert prometheus == "None"


def test_django_session_suite_passes_in_a_clean_virtualenv(clean_python, project, private_redis):
    if not suite_present():
        pytest.fail("Django's session test-suite is missing: run `make test`", pytrace=False)
    code, output = run_django(
        clean_python,
        project,
        "test",
        "foreign_project.suite",
        FOREIGN_REDIS_URL=private_redis.url,
        FOREIGN_DJANGO_SUITE=str(DJANGO_SUITE),
    )
    assert code == 0, output[-3000:]
    ran = re.search(r"^Ran (\d+) tests?", output, re.MULTILINE)
    assert ran and int(ran.group(1)) > 50, output[-3000:]
    stored = [key.decode() for key in private_redis.client().scan_iter(count=500)]
    assert stored and all(key.startswith(":session:") for key in stored)


def test_checks_run_under_the_engines_own_names(clean_python, project):
    code, output = run_django(clean_python, project, "check", FOREIGN_EXTRA_APPS="sessions_backend")
    assert code == 0, output
    assert "sessions_backend.W001" in output
    assert "Traceback" not in output and "housler" not in output.lower()
