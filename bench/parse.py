"""Parse each saved Cian page N times and print milliseconds per page.

Parsing is pure (no Django), so this runs as a plain script: `python bench/parse.py [N]`.
The baseline is a bare `lxml.html.fromstring` of the same page in the same run, i.e. the cost
of merely building the DOM that a selector-only parser would pay before reading anything.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import html as lxml_html  # noqa: E402

from calculator.cian.errors import CianError  # noqa: E402
from calculator.cian.parse import parse_listing  # noqa: E402
from calculator.cian.search import parse_search_results  # noqa: E402
from tests.support.nested_pages import address_page, summary_page  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "cian"
STATE_SCRIPT = re.compile(
    r"<script[^>]*>[^<]*_cianConfig\['frontend-offer-card'\].*?</script>", re.S
)


def per_call_ms(func, arg: str, runs: int) -> float:
    func(arg)  # warm-up
    started = time.perf_counter()
    for _ in range(runs):
        func(arg)
    return (time.perf_counter() - started) * 1000 / runs


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    print(f"{'page':58} {'KB':>5} {'parse ms':>9} {'DOM-only ms':>11} {'fromstring ms':>13}")
    for path in sorted(FIXTURES.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        is_card = "search_card" in path.name
        parse = parse_search_results if is_card else parse_listing
        full = per_call_ms(parse, html, runs)
        dom_only = per_call_ms(parse, STATE_SCRIPT.sub("", html), runs) if not is_card else full
        baseline = per_call_ms(lxml_html.fromstring, html, runs)
        print(
            f"{path.name:58} {len(html.encode()) // 1024:>5} {full:>9.2f} {dom_only:>11.2f} "
            f"{baseline:>13.2f}  ({full / baseline:.1f}× fromstring)"
        )


def cpu_seconds(html: str) -> float:
    """Thread CPU time of one parse, refused or not: the bound that matters for a crafted page."""
    started = time.thread_time()
    with contextlib.suppress(CianError):  # a refused page is the expected outcome here
        parse_listing(html)
    return time.thread_time() - started


def crafted_rows() -> None:
    """Pages of nested blocks against a real listing, in CPU time: the parser stays linear."""
    real = (FIXTURES / "cian_listing_spb_3room_secondary_319270312.html").read_text("utf-8")
    baseline = cpu_seconds(real)
    print(f"\n{'crafted page (CPU s, ratio to the real listing)':58} {'KB':>5} {'CPU s':>9}")
    for name, build in (("AddressItem", address_page), ("OfferSummaryInfoGroup", summary_page)):
        for depth, size in ((25, 1024 * 1024), (99, 1024 * 1024), (99, 7 * 1024 * 1024)):
            html = build(size, depth)
            cpu = cpu_seconds(html)
            label, kb = f"{depth} nested {name}", len(html.encode()) // 1024
            print(f"{label:58} {kb:>5} {cpu:>9.3f}  ({cpu / baseline:.1f}×)")


if __name__ == "__main__":
    main()
    crafted_rows()
