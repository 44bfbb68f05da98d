"""How much of a Cian page the parser will read: the one place for every cap on a parse.

A page comes from outside (an upload, Cian, a proxy), so its shape is hostile: a megabyte of
text in an address, thousands of nested blocks, an offer list of a million entries. Every bound
here is far above what a real page has (`tests/fixtures/cian`: ~2 000 elements, ~3 500 `<`, an
address of 75 characters) and far below what would cost a worker seconds or the session its
size. Past a bound the page is `PageTooComplex`: the visitor is told it could not be read, and
nothing of it is used. Only a description, which is prose and used nowhere, is cut instead.
"""

from __future__ import annotations

import time

from .errors import PageTooComplex

# Each `<` may open an element, so this bounds the element tree before lxml builds it.
MAX_TAGS = 100_000
# Levels of nesting: a real page has ~25; lxml stops at 256.
MAX_DEPTH = 100
# Text read from one element before it is cleaned: whitespace of a pretty-printed page included.
MAX_RAW_TEXT = 64 * 1024
# Items of one list that are looked at: blocks of one kind on a page, the offers, photos, stations
# or address parts of its state (a real page has at most a few dozen).
MAX_LIST_ITEMS = 200
# `_cianConfig[app]` pushes tried per app: a real page has one or two.
MAX_STATE_PUSHES = 8
MAX_OFFERS = 100  # offers or cards of one results page: Cian shows 28
MAX_STATIONS = 10
# CPU seconds of one thread for reading one page: a real page takes ~0.03 s; the caps above keep
# a hostile one well under this, which stays as the last guard.
CPU_SECONDS = 2.0

# Characters of each text field, cleaned: the longest real value with a wide margin.
FIELD_CHARS = {
    "address": 500,
    "city": 100,
    "jk_name": 200,
    "status": 40,
    "url": 2048,
    "station": 100,
    "label": 200,  # a label or value of the page's "label: value" blocks, a price, a card's line
    "title": 1000,  # the heading block: the heading, the ЖК link, the badges
    "description": 5000,
    "figure": 100,  # a price: any figure this long is over `numbers.MAX_DIGITS` either way
}
# Cut rather than refused: prose's beginning is still the description, and a cut figure is still
# too long to read as a number, so it is absent, as it would be whole.
CUT_FIELDS = frozenset({"description", "figure"})


class CpuBudget:
    """Thread CPU time for one parse, checked between its steps.

    `thread_time`, not `process_time`: gunicorn runs several threads per worker, and their work
    must not count against this parse.
    """

    def __init__(self, seconds: float | None = None) -> None:
        self.stop_at = time.thread_time() + (CPU_SECONDS if seconds is None else seconds)

    def check(self, step: str) -> None:
        if time.thread_time() > self.stop_at:
            raise PageTooComplex(f"CPU budget spent at {step}")


def field_text(field: str, text: str | None) -> str | None:
    """`text` within the cap of `field`: cut for prose, PageTooComplex for anything else."""
    cap = FIELD_CHARS[field]
    if text is None or len(text) <= cap:
        return text
    if field in CUT_FIELDS:
        return text[:cap]
    raise PageTooComplex(f"{field} of {len(text)} characters, limit {cap}")


def check_listing(fields: dict) -> dict:
    """A parsed listing with every text field within its cap and its lists within theirs."""
    for name in ("address", "city", "jk_name", "status", "url", "description"):
        fields[name] = field_text(name, fields.get(name))
    metro = fields.get("metro") or []
    for station in metro:
        field_text("station", station.get("name"))
    fields["metro"] = metro[:MAX_STATIONS]
    return fields
