"""The engine's distribution holds nothing of Housler: no import of the project, and the project's
name only in the compatibility notes of its README and changelog."""

import ast
import re
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "django-failover-sessions"
PROJECT_PACKAGES = ("housler", "calculator", "tests")


def engine_files() -> list[Path]:
    return sorted(
        path
        for path in ENGINE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path)
    )


def test_the_engine_imports_nothing_of_the_project() -> None:
    offenders = []
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(PROJECT_PACKAGES)]
    assert offenders == []


def test_the_project_is_named_only_in_compatibility_notes() -> None:
    offenders = []
    for path in engine_files():
        heading = ""
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if path.suffix == ".md" and (match := re.match(r"#+\s+(.*)", line)):
                heading = match.group(1)
            if "housler" in line.lower() and "compatibility" not in heading.lower():
                offenders.append(f"{path.relative_to(ENGINE)}:{number}: {line.strip()}")
    assert offenders == []
