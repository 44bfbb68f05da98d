"""Fetching from Cian on a visitor's behalf: the rate limit's budget around every request to Cian.

A fetch is refused before anything is sent when the client's window has no requests left, and
afterwards charged what it really sent (nothing for a listing served from the cache), whether it
succeeded or failed. A link (step 1 or 2) and the automatic search (step 2) go through the same
`cian_budget`, so they count alike and fail with the same kind of refusal. The forms only validate
the link; the views call these and put a refusal's sentence on the form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest

from calculator import cian, ratelimit


class FetchRefused(Exception):
    """Nothing usable came from Cian: `message` is the visitor's sentence; `saved_page_helps`
    says whether a page saved in the visitor's own browser would have done (Cian refused us)."""

    def __init__(self, message: str, *, saved_page_helps: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.saved_page_helps = saved_page_helps


@contextmanager
def cian_budget(request: HttpRequest) -> Iterator[cian.Budget]:
    """The requests this client may still send to Cian, for the block's fetches; charged after.

    Raises FetchRefused when the window is spent (nothing is sent or charged) and in place of any
    `cian.CianError` the block raises.
    """
    verdict, budget = ratelimit.fetch_budget(request)
    if not verdict.allowed:
        raise FetchRefused(verdict.message)
    try:
        yield budget
    except cian.CianError as exc:
        raise FetchRefused(exc.message, saved_page_helps=exc.saved_page_helps) from exc
    finally:
        ratelimit.charge(request, budget)


def fetch_listing_for(request: HttpRequest, url: str) -> dict:
    """The listing at `url` (already normalised by the form), fetched within this client's
    budget; raises FetchRefused."""
    with cian_budget(request) as budget:
        return cian.fetch_listing(url, budget=budget)
