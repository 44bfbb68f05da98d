"""Comments and docstrings cite documents this repository holds, and the sections they name exist.

A citation that points outside the repository, at a file that is not there or at a heading that was
renamed sends the reader nowhere. Checked in comments and docstrings of the Python code under
calculator/, housler/, tests/, bench/ and the session engine's distribution, and in the links of
README.md, docs/*.md and the engine's own Markdown. Section signs resolve against the last document
the same file cited before them. The engine stands alone: its code cites its own README and
files, never the project's.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENGINE = REPO / "django-failover-sessions"
CODE_DIRS = ("calculator", "housler", "tests", "bench", ENGINE.name)

DOC_PATH = re.compile(r"(?<![\w/.-])((?:[\w-]+/)+[\w.-]+\.md|README\.md)(?:#([\w-]+))?")
README_SECTION = re.compile(r"\bREADME\s+(?:section\s+)?\"([^\"]+)\"")
SECTION_SIGN = re.compile(r"§\s*(\d+)(?:\s*[–-]\s*§?\s*(\d+))?")
OUTSIDE = re.compile(
    r"\breference/\w+\.md|\bDESIGN\.md|\.\./shared\b|\bthe reference\b|\breference's\b",
    re.IGNORECASE,
)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def headings(path: Path) -> list[str]:
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6}\s+(.*?)\s*#*$", line)):
            lines.append(match.group(1))
    return lines


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in headings(path):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def comment_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment and docstring-like string statement, in file order."""
    texts = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            texts.append((node.lineno, node.value.value))
    return sorted(texts)


def section_problems(doc: Path, numbers: tuple[str, str | None]) -> list[str]:
    first, last = int(numbers[0]), int(numbers[1] or numbers[0])
    numbered = {int(m.group(1)) for h in headings(doc) if (m := re.match(r"(\d+)\.\s", h))}
    name = doc.relative_to(REPO)
    return [f"§{n} is not a heading of {name}" for n in range(first, last + 1) if n not in numbered]


def citation_problems(source: str, repo: Path = REPO) -> list[str]:
    """What is wrong with the citations in one Python source; empty when all resolve."""
    problems: list[str] = []
    cited: Path | None = None
    for start, text in comment_texts(source):
        for match in OUTSIDE.finditer(text):
            line = start + text.count("\n", 0, match.start())
            problems.append(f"line {line}: cites {match.group(0)!r}, outside the repository")
        events = [(m.start(), "path", m) for m in DOC_PATH.finditer(text)]
        events += [(m.start(), "section", m) for m in SECTION_SIGN.finditer(text)]
        for position, kind, match in sorted(events, key=lambda event: event[0]):
            line = start + text.count("\n", 0, position)
            if kind == "section":
                if cited is None:
                    problems.append(
                        f"line {line}: {match.group(0)} without a document cited before"
                    )
                else:
                    problems += [
                        f"line {line}: {p}" for p in section_problems(cited, match.groups())
                    ]
                continue
            path = repo / match.group(1)
            if OUTSIDE.match(match.group(1)):
                continue  # reported above
            if not path.is_file():
                problems.append(f"line {line}: {match.group(1)} does not exist")
                continue
            cited = path
            if match.group(2) and match.group(2) not in anchors(path):
                problems.append(f"line {line}: no heading #{match.group(2)} in {match.group(1)}")
        for match in README_SECTION.finditer(text):
            line = start + text.count("\n", 0, match.start())
            titles = [h.lower() for h in headings(repo / "README.md")]
            if not any(match.group(1).lower() in title for title in titles):
                problems.append(f'line {line}: README has no section "{match.group(1)}"')
    return problems


def python_files() -> list[Path]:
    return sorted(p for d in CODE_DIRS for p in (REPO / d).rglob("*.py") if ".venv" not in p.parts)


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_comments_cite_documents_and_sections_that_exist(path: Path) -> None:
    home = ENGINE if ENGINE in path.parents else REPO
    problems = citation_problems(path.read_text(encoding="utf-8"), home)
    assert not problems, f"{path.relative_to(REPO)}:\n" + "\n".join(problems)


MARKDOWN = ["README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]
ENGINE_MARKDOWN = sorted(str(p.relative_to(REPO)) for p in ENGINE.glob("*.md"))


@pytest.mark.parametrize("doc", MARKDOWN + ENGINE_MARKDOWN)
def test_markdown_links_resolve(doc: str) -> None:
    path = REPO / doc
    home = ENGINE if doc in ENGINE_MARKDOWN else REPO
    problems = []
    for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists() or home not in (linked, *linked.parents):
            problems.append(f"{target}: no such file in the repository")
        elif anchor and anchor not in anchors(linked):
            problems.append(f"{target}: no such heading")
    assert not problems, f"{doc}:\n" + "\n".join(problems)


def test_every_documentation_page_is_linked_from_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for doc in (REPO / "docs").glob("*.md"):
        assert f"](docs/{doc.name})" in readme, doc.name


def test_the_checker_catches_what_it_is_for() -> None:
    bad = [
        '"""Fair price (reference/valuation.md, §1)."""',
        "# the outage rows of DESIGN.md",
        "# limits from the reference",
        "# see docs/nowhere.md",
        "# see docs/valuation.md#no-such-heading",
        "# docs/valuation.md §99",
        "# §2 without a document before it",
        '# README "No such section"',
    ]
    for source in bad:
        assert citation_problems(source), source
    good = '"""See docs/valuation.md §1–§4, docs/sessions.md#failover and README "Settings"."""'
    assert citation_problems(good) == []
    # A section sign resolves against the last document cited before it, not any document.
    assert citation_problems('"""docs/valuation.md §5, docs/sessions.md §5."""') == [
        "line 1: §5 is not a heading of docs/sessions.md"
    ]
