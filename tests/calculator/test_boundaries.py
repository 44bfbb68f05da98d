"""Which way the imports point: the app never reaches into the project, and parsing Cian pages
stays light.

`calculator` is an app: the project (`housler`) may import it, never the reverse, so the app
can run in another project. What the app needs from the project comes through settings
(`calculator.conf`) and the request (`request.client_address`). Reading a listing (fetched or
saved) needs no numpy: a worker parsing pages does not pay for the valuation's import.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "calculator"
SAVED_PAGE = (
    REPO / "tests" / "fixtures" / "cian" / "cian_listing_spb_3room_secondary_319270312.html"
)


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


# Run in a fresh interpreter: this one has imported the valuation long ago.
READ_PAGES = """
import sys
from pathlib import Path

import django

django.setup()
import calculator.cian

path = Path(sys.argv[1])
saved = calculator.cian.read_saved_page(path.read_bytes(), path.name)
assert saved.listing and saved.listing["price_per_sqm"], saved
assert calculator.cian.parse_listing(path.read_text(encoding="utf-8"))["price_per_sqm"]
print(sorted(name for name in sys.modules if name.split(".")[0] == "numpy"))
"""


def test_reading_cian_pages_does_not_import_numpy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "-c", READ_PAGES, str(SAVED_PAGE)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "parsing imported numpy: " + result.stdout
