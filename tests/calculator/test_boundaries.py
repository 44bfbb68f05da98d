"""Which way the imports point: the app never reaches into the project.

`calculator` is an app: the project (`housler`) may import it, never the reverse, so the app
can run in another project. What the app needs from the project comes through settings
(`calculator.conf`) and the request (`request.client_address`).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "calculator"


def imported_modules(path: Path) -> list[str]:
    """Every module an `import` or `from … import` names in this file, at any depth."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_calculator_app_imports_nothing_of_the_project():
    offenders = [
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted(APP.rglob("*.py"))
        for name in imported_modules(path)
        if name == "housler" or name.startswith("housler.")
    ]
    assert not offenders, "calculator imports housler:\n" + "\n".join(offenders)


def test_the_check_sees_every_kind_of_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import housler.views as views\n"
        "from . import sibling\n"
        "def f():\n"
        "    from housler.client_address import client_address\n"
    )
    assert imported_modules(module) == ["housler.views", "housler.client_address"]
