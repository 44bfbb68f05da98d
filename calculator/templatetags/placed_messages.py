"""Messages shown where the page lands, not at its top.

A change redirects to an anchor (`views.Done.anchor`: `#details`, `#list`, `#share`…), which on a
phone is screens below the top of the page. Its messages carry that anchor as an extra tag
(`near_tag`); the template at the anchor shows them (`near`), the top of the page the rest
(`away_from`). Plain HTML, no script.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

register = template.Library()
PREFIX = "near-"


def near_tag(anchor: str) -> str:
    """The extra tag that places a message at `anchor`; "" leaves it at the top."""
    return f"{PREFIX}{anchor}" if anchor else ""


def _place(message: object) -> str | None:
    for tag in str(getattr(message, "extra_tags", "") or "").split():
        if tag.startswith(PREFIX):
            return tag[len(PREFIX) :]
    return None


@register.filter
def near(messages: Iterable, anchor: str) -> list:
    """The messages placed at `anchor`."""
    return [message for message in messages or () if _place(message) == anchor]


@register.filter
def away_from(messages: Iterable, anchors: str) -> list:
    """The messages not placed at any of `anchors` (space-separated): shown at the top."""
    places = set(anchors.split())
    return [message for message in messages or () if _place(message) not in places]
