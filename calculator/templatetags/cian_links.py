"""`cian_link`: re-checks a stored listing link before a template makes it an `href`;
`similar_flats_link`: the Cian search a visitor opens in their own browser to save for step 2.

Sessions and share snapshots saved before links were checked at parse time may hold
`javascript:` or foreign URLs; this filter turns those into None, so no page renders them live.
"""

from __future__ import annotations

from django import template

from calculator.cian.search import similar_flats_url
from calculator.cian.urls import safe_url

register = template.Library()
register.filter("cian_link", safe_url)
register.filter("similar_flats_link", similar_flats_url)
