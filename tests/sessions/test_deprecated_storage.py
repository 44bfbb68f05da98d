"""`sessions_backend.storage`, the 1.0 name of `sessions_backend.failover`, still imports its
public names and says it is deprecated; nothing else of the repository imports it, so the
project's own code never trips the deprecation filters of the test settings."""

import ast
import sys
from pathlib import Path

import pytest

from sessions_backend import failover

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "sessions_backend.storage"
PUBLIC = ("SessionStorage", "build_storage", "get_storage", "reset_storage", "storage_stats")


def test_the_alias_reexports_failover_and_warns_its_importer(monkeypatch) -> None:
    monkeypatch.delitem(sys.modules, ALIAS, raising=False)  # the warning fires on first import
    with pytest.warns(DeprecationWarning, match=r"sessions_backend\.failover") as caught:
        import sessions_backend.storage as alias
    assert caught[0].filename == __file__, "attributed to the importer, not to importlib"
    for name in PUBLIC:
        assert getattr(alias, name) is getattr(failover, name)


def imported_modules(path: Path) -> list[str]:
    """Absolute names of the modules `path` imports, relative imports of the engine resolved."""
    engine = ROOT / "django-failover-sessions"
    root = engine if path.is_relative_to(engine) else ROOT
    package = ".".join(path.relative_to(root).parent.parts)
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if package else ""
                base = f"{parent}.{base}".strip(".")
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def test_nothing_else_imports_the_alias() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if path == Path(__file__) or any(p.startswith(".") or p == "node_modules" for p in parts):
            continue
        if any(name == ALIAS for name in imported_modules(path)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
