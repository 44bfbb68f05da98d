"""`cian_link`: re-checks a stored listing link before a template makes it an `href`.

Sessions and share snapshots saved before links were checked at parse time may hold
`javascript:` or foreign URLs; this filter turns those into None, so no page renders them live.
"""

from __future__ import annotations

from django import template

from calculator.cian.urls import safe_url

register = template.Library()
register.filter("cian_link", safe_url)
