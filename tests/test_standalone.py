"""The repository stands alone: no tracked file points at a path outside it.

A fresh clone with nothing beside it must run, test and bench; a reference to a sibling folder
(`../something`, `parent / "something"` climbing past the root) would pass here and fail there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The sibling reference folder (named in pieces here, so this file does not match its own
# pattern), a Path climb written as "..", or this machine's checkout folders. A `../x` in a
# hostile-input test or an nginx symlink is not a path this repository reads.
SIBLING = "sha" + "red"
OUTSIDE = re.compile(
    rf"""\.\./+{SIBLING}\b              # the sibling folder by a relative path
      | \bparents?\b.*["']{SIBLING}["']  # a Path climbing to it: parent, then the folder
      | ["']\.\.["']\s*[/,)]            # Path(...) / ".." / ..., os.path.join(x, "..")
      | /work/                            # absolute paths into this machine's work folders
    """,
    re.X,
)


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout
    return [REPO / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_refers_to_a_path_outside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        if path == Path(__file__).resolve():
            continue  # its own pattern and samples
        if path.suffix in {".html", ".json"} and "fixtures" in path.parts:
            continue  # saved web pages: their own relative links, never read as paths
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}")
    assert not offenders, "paths outside the repository:\n" + "\n".join(offenders)


def test_the_pattern_catches_what_it_is_for() -> None:
    for line in (
        f'FIXTURES = REPO / ".." / "{SIBLING}" / "fixtures"',
        f"cat ../{SIBLING}/DESIGN.md",
        f'REFERENCE = REPO_ROOT.parent / "{SIBLING}" / "fixtures"',
        'os.path.join(BASE, "..", "data")',
    ):
        assert OUTSIDE.search(line), line
    assert not OUTSIDE.search("see docs/listings.md and ./manage.py")
